/**
 * lib/text.ts: the one function per destination through which text we did not write is shown
 * (terminal, Markdown, Mermaid). Markdown is judged by a real CommonMark/GFM parser (markdown-it).
 */
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { hostileText } from '../support/free-text';
import { hasInvisible, markdownText, mermaidLabel, mermaidText, terminalJson, terminalLines, terminalText, visibleText } from '../../lib/text';

const anyText = fc.oneof(hostileText, fc.string({ unit: 'binary', maxLength: 16 }), fc.string({ maxLength: 16 }));

describe('visibleText', () => {
  test.each([
    ['line\nbreak', 'line\\nbreak'],
    ['\r\t', '\\r\\t'],
    ['\u001b[31mred', '\\x1b[31mred'],
    ['\u009b2J', '\\x9b2J'],
    ['abc\u202edef', 'abc\\u202edef'],
    ['zero\u200bwidth', 'zero\\u200bwidth'],
    ['lone \ud800 surrogate', 'lone \\ud800 surrogate'],
    ['plain é 日本 🙂', 'plain é 日本 🙂'],
  ])('%j is shown as %j', (text, shown) => {
    expect(visibleText(text)).toBe(shown);
  });

  test('property: the result holds no invisible character, and visible text is left alone', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(hasInvisible(visibleText(s))).toBe(false);
        if (!hasInvisible(s)) expect(visibleText(s)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('terminal', () => {
  const BOLD = '\u001b[1m';
  const RESET = '\u001b[0m';

  test('terminalText: no control character, ANSI sequence, bidi override or line break gets through', () => {
    expect(terminalText('dist/\u001b]8;;https://evil.example\u0007dev\u001b]8;;\u0007\n')).toBe('dist/\\x1b]8;;https://evil.example\\x07dev\\x1b]8;;\\x07\\n');
  });

  test('terminalLines keeps our own colours and line breaks, and escapes everything else', () => {
    expect(terminalLines(`${BOLD}dev${RESET}  \u001b[2Jfile\u202e\nnext`, [BOLD, RESET])).toBe(`${BOLD}dev${RESET}  \\x1b[2Jfile\\u202e\nnext`);
  });

  test('property: a value inside a coloured block adds no line and no escape sequence of its own', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const out = terminalLines(`${BOLD}name${RESET} ${terminalText(value)}\nsecond line`, [BOLD, RESET]);
        expect(out.split('\n')).toHaveLength(2);
        for (const line of out.replaceAll(BOLD, '').replaceAll(RESET, '').split('\n'))
          expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      }),
      { numRuns: 2000 },
    );
  });

  test('property: terminalJson is the same document, with nothing a terminal acts on', () => {
    fc.assert(
      fc.property(fc.dictionary(anyText, anyText, { maxKeys: 4 }), (doc) => {
        const text = terminalJson(doc);
        expect(JSON.parse(text)).toEqual(doc);
        expect(text.split('\n').some((line) => hasInvisible(line))).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('markdownText', () => {
  const md = new MarkdownIt({ html: true });
  /** Types of the tokens a table row with `cell` in its middle column parses to (inline children included). */
  const rowTokens = (cell: string) =>
    md.parse(`| a | b | c |\n| --- | --- | --- |\n| x | ${cell} | y |\n`, {}).flatMap((t) => [t.type, ...(t.children ?? []).map((c) => `  ${c.type}`)]);

  test.each([
    ['a|b', 'a&#124;b'],
    ['<script>', '&lt;script&gt;'],
    ['`code`', '\\`code\\`'],
    ['*em* _em_ ~~s~~ $x$', '\\*em\\* \\_em\\_ \\~\\~s\\~\\~ \\$x\\$'],
    ['[link](x)', '\\[link\\](x)'],
    ['a&b', 'a&amp;b'],
    ['line\nbreak', 'line\\\\nbreak'],
  ])('%j is written %j', (text, written) => {
    expect(markdownText(text)).toBe(written);
  });

  test('property: in a table cell, any text is one text node shown as exactly its visible characters', () => {
    const structure = (cell: string) => rowTokens(cell).filter((t) => t !== '  text');
    const plain = structure('plain');
    fc.assert(
      fc.property(anyText, (s) => {
        // Same structure as a plain word: no extra cell, row, code, emphasis, link or HTML.
        expect(structure(markdownText(s))).toEqual(plain);
        const cell = md.parse(`| a |\n| --- |\n| ${markdownText(s)} |\n`, {}).find((t, i, all) => t.type === 'inline' && all[i - 1]?.type === 'td_open');
        expect(cell?.children?.map((c) => c.content).join('') ?? '').toBe(visibleText(s).trim() === '' ? '' : visibleText(s).trim());
      }),
      { numRuns: 1500 },
    );
  });
});

describe('mermaidLabel', () => {
  test.each([
    ['say "hi"', '"say #34;hi#34;"'],
    ['<b>&', '"#60;b#62;#38;"'],
    ['`md`', '"#96;md#96;"'],
    ['#quot;', '"#35;quot;"'],
    ['two\nlines', '"two\\nlines"'],
  ])('%j is written %j', (text, written) => {
    expect(mermaidLabel(text)).toBe(written);
  });

  test('joins lines with <br/>', () => {
    expect(mermaidLabel('a', 'b')).toBe('"a<br/>b"');
  });

  test('property: a label holds no quote, backtick, angle bracket, line break or raw entity code, and decodes back to the visible text', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const t = mermaidText(s);
        expect(t).not.toMatch(/["`<>\n\r]/);
        expect(hasInvisible(t)).toBe(false);
        // Mermaid reads #<number>; as that character: decoding gives back exactly the visible text.
        expect(t.replace(/#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))).toBe(visibleText(s));
      }),
      { numRuns: 2000 },
    );
  });
});
