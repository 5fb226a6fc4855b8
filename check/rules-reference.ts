/**
 * check/RULES.md: every rule id the tool reports, generated from the two catalogues by
 * `npm run docs`: the check's (check/rules.ts) and the live checks' (verify/rules.ts), in one
 * format (lib/finding.ts RuleInfo). A test fails while the committed file is stale.
 */
import type { RuleCatalogue, RuleInfo, RuleSection } from '../lib/finding';
import { VERIFY_CATALOGUE } from '../verify/rules';
import { CHECK_CATALOGUE } from './rules';

export const RULES_REFERENCE_FILE = 'check/RULES.md';

/** The reference as Markdown. */
export function rulesReference(): string {
  const catalogues = [CHECK_CATALOGUE, VERIFY_CATALOGUE];
  return `# Rules

<!-- Generated from check/rules.ts and verify/rules.ts by "npm run docs": do not edit. -->

Every rule id the tool reports, with its severity, what it reports or checks, and a message as
users see it. Ids are stable kebab-case strings: the text output shows them as \`[rule]\`, \`--json\`
as \`rule\`.

${catalogues.map((c) => `- [${c.title}](#${anchor(c.title)})`).join('\n')}

${catalogues.map(renderCatalogue).join('\n')}`;
}

function renderCatalogue(c: RuleCatalogue): string {
  return `## ${c.title}

${c.intro}

${c.sections.map((s) => renderSection(s, c.column)).join('\n')}`;
}

function renderSection(s: RuleSection, column: string): string {
  const table = [
    `| ${column} | severity | what it ${column === 'check' ? 'checks' : 'reports'} | message (example) |`,
    '|---|---|---|---|',
    ...Object.entries(s.rules).map(([id, r]) => row(id, r)),
  ].join('\n');
  return [`### ${s.title}`, s.intro, table, s.notes].filter((p): p is string => p !== undefined).join('\n\n') + '\n';
}

function row(id: string, r: RuleInfo): string {
  const example = `\`${r.example}\`${r.notes !== undefined ? ` ${r.notes}` : ''}`;
  return `| \`${id}\` | ${r.severity} | ${cell(r.summary)} | ${cell(example)} |`;
}

/** A table cell: one line, `|` escaped (also inside code spans, as GitHub reads tables). */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}
