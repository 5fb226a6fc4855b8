/**
 * Text we did not write (names and values from environment files, outputs files, manifests and
 * the cluster), made safe for where we show it. One function per destination, so no caller
 * escapes by hand:
 * - `terminalText` / `terminalLines` / `terminalJson`: what the CLI prints;
 * - `markdownText`: Markdown inline text (TRUST.md headings and table cells);
 * - `mermaidLabel`: the quoted label of a Mermaid node (TRUST.md diagram).
 *
 * All of them first make invisible characters visible (`visibleText`): C0 and C1 control
 * characters (ESC starts ANSI sequences, CR rewrites a line), DEL, bidirectional overrides and
 * isolates (Trojan Source, CVE-2021-42574), zero-width and line/paragraph separators, the BOM
 * and unpaired surrogates. Each becomes an escape such as `\n`, `\x1b` or `\u202e`, so a value
 * is shown, never acted upon, and two different values never look alike.
 * @see https://unicode.org/reports/tr9/#Explicit_Directional_Formatting_Characters
 */

/**
 * Characters that change how text is shown instead of being shown. Without the `u` flag, so
 * unpaired surrogates (which have no code point of their own) match too.
 */
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class -- combining and zero-width characters listed one by one on purpose: each is to be shown, not applied
  /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeInvisible(c: string): string {
  const short = SHORT_ESCAPES[c];
  if (short !== undefined) return short;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every invisible or control character written as a visible escape (`\n`, `\x1b`, `\u202e`). */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, escapeInvisible);
}

/** Whether `text` holds a character `visibleText` would escape. */
export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  const found = INVISIBLE.test(text);
  INVISIBLE.lastIndex = 0;
  return found;
}

// ---------------------------------------------------------------------------------------------
// Terminal

/** A value for one line of terminal output: no control character, ANSI sequence, bidi override or line break gets through. */
export function terminalText(value: string): string {
  return visibleText(value);
}

/**
 * A whole block of terminal output: each line made safe with `terminalText`, line breaks kept,
 * and only the SGR sequences in `keep` (the CLI's own colours) passed through unchanged.
 * A value printed inside the block cannot add a line, move the cursor, set the title or a
 * hyperlink (OSC), or reorder text.
 */
export function terminalLines(text: string, keep: readonly string[] = []): string {
  if (keep.length === 0) return text.split('\n').map(terminalText).join('\n');
  const ours = new RegExp(keep.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return text
    .split('\n')
    .map((line) => {
      let out = '';
      let last = 0;
      for (const m of line.matchAll(ours)) {
        out += terminalText(line.slice(last, m.index)) + m[0];
        last = m.index + m[0].length;
      }
      return out + terminalText(line.slice(last));
    })
    .join('\n');
}

/** Characters `JSON.stringify` leaves raw although a terminal acts on them (it escapes only C0 and lone surrogates). */
const JSON_RAW_INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class -- as INVISIBLE above
  /[\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]/g;

/**
 * `value` as pretty JSON that is safe to print: the same document (`JSON.parse` gives back
 * exactly `value`), with the characters a terminal would act on written as `\uXXXX` escapes.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_RAW_INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// ---------------------------------------------------------------------------------------------
// Markdown (GitHub Flavored Markdown, as Git hosts render it)

/**
 * Characters with a meaning in Markdown inline text: emphasis, code spans, links and images,
 * raw HTML and entities, table cells, strikethrough and GitHub's math. Each is written
 * backslash-escaped (CommonMark allows that for any ASCII punctuation) or as an entity.
 * @see https://spec.commonmark.org/0.31.2/#backslash-escapes
 * @see https://github.github.com/gfm/#tables-extension-
 */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>&|~$]/g;
/** Entities where a backslash is not enough: HTML, and `|`, which GFM splits table rows on before it reads escapes. */
const MARKDOWN_ENTITIES: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '|': '&#124;' };

/**
 * A value as Markdown inline text (a heading, a table cell): rendered as exactly its
 * characters, on one line, with no formatting, link, HTML or cell boundary of its own.
 */
export function markdownText(value: string): string {
  return visibleText(value).replace(MARKDOWN_SPECIAL, (c) => MARKDOWN_ENTITIES[c] ?? `\\${c}`);
}

// ---------------------------------------------------------------------------------------------
// Mermaid

/**
 * Characters that mean something inside a quoted Mermaid label, written as Mermaid's entity
 * codes (`#35;` is `#`): the closing quote, entity codes themselves, HTML (labels are HTML),
 * and the backtick that opens a Markdown string.
 * @see https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters
 */
const MERMAID_SPECIAL = /[#"&<>`]/g;

/** One line of a Mermaid label: shown as exactly its characters. */
export function mermaidText(value: string): string {
  return visibleText(value).replace(MERMAID_SPECIAL, (c) => `#${c.charCodeAt(0)};`);
}

/** A quoted Mermaid node label of one or more lines (joined by `<br/>`). */
export function mermaidLabel(...lines: readonly string[]): string {
  return `"${lines.map(mermaidText).join('<br/>')}"`;
}
