/**
 * The README's own commands, as a new user copies them: journey tests run exactly these, so the
 * README cannot drift from what works.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const README = path.resolve(__dirname, '..', '..', 'README.md');
const PREFIX = 'npx aks-keyvault-csi ';

/** Every `npx aks-keyvault-csi ...` command of the README (code blocks and inline code), comments cut. */
export function readmeCommands(): string[] {
  const text = readFileSync(README, 'utf8');
  const commands: string[] = [];
  let inBlock = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      continue;
    }
    if (inBlock) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command.startsWith(PREFIX)) commands.push(command);
    } else {
      for (const m of line.matchAll(/`(npx aks-keyvault-csi [^`]+)`/g)) commands.push(m[1].trim());
    }
  }
  return commands;
}

/** The arguments of the README's first command that starts with `npx aks-keyvault-csi <start>` (and is not a synopsis with [options]). */
export function readmeCommand(start: string): string[] {
  const found = readmeCommands().find((c) => c.startsWith(`${PREFIX}${start}`) && !c.includes('['));
  if (found === undefined) throw new Error(`the README has no command "npx aks-keyvault-csi ${start}..."`);
  return found.slice(PREFIX.length).split(/\s+/);
}

/** The lines of the README's fenced block that follows the heading `heading` (first block after it). */
export function readmeBlockAfter(heading: string): string[] {
  const text = readFileSync(README, 'utf8');
  const at = text.indexOf(heading);
  if (at === -1) throw new Error(`the README has no "${heading}"`);
  const start = text.indexOf('```', at);
  const body = text.slice(text.indexOf('\n', start) + 1, text.indexOf('\n```', start));
  return body
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
