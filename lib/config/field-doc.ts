/**
 * How a field of the environment schema is documented. The description is written once, in
 * lib/config/schema.ts, and reaches the JSON Schema (editor hover), the `init` template and
 * docs/CONFIGURATION.md. A field without a default value says what happens when it is unset
 * ("Default: ..."), and the doc page, when there is one, is the last sentence ("See <url>"), so
 * editors that show only `description` show both.
 */

/** What `doc` writes in the schema: a JSON Schema `description`, and `examples` when given. */
export type FieldMeta = {
  readonly description: string;
  readonly examples?: unknown[];
};

/** A field's description taken apart again. */
export interface FieldDoc {
  /** What the field is, in a sentence or two. */
  readonly text: string;
  /** What happens when the field is unset and it has no default value. */
  readonly unset?: string;
  /** The doc page of the Azure, Kubernetes or tool feature. */
  readonly see?: string;
}

const UNSET = ' Default: ';
const SEE = ' See ';

export interface DocOptions {
  /** What happens when the field is unset (for a field without a default value), without the final period. */
  readonly unset?: string;
  /** An https link to the upstream documentation. */
  readonly see?: string;
  /** A valid value, shown by editors and used by the `init` template where there is no default. */
  readonly example?: unknown;
}

/** The `.meta()` of a field: `doc('Resource group name.')`, `doc('…', { unset: 'the workload name', example: 'my-app' })`. */
export function doc(text: string, options: DocOptions = {}): FieldMeta {
  const description = text + (options.unset !== undefined ? `${UNSET}${options.unset}.` : '') + (options.see !== undefined ? `${SEE}${options.see}` : '');
  return { description, ...('example' in options ? { examples: [options.example] } : {}) };
}

/** The parts `doc` joined: the inverse of `doc(...).description`. */
export function parseDoc(description: string): FieldDoc {
  let rest = description;
  let see: string | undefined;
  const at = rest.lastIndexOf(`${SEE}https://`);
  if (at >= 0) {
    see = rest.slice(at + SEE.length);
    rest = rest.slice(0, at);
  }
  let unset: string | undefined;
  const u = rest.indexOf(UNSET);
  if (u >= 0) {
    unset = rest.slice(u + UNSET.length).replace(/\.$/, '');
    rest = rest.slice(0, u);
  }
  return { text: rest, ...(unset !== undefined ? { unset } : {}), ...(see !== undefined ? { see } : {}) };
}

/** The first sentence of a description's text: what a comment in the `init` template shows. */
export function firstSentence(text: string): string {
  const end = /\.(?=\s+[A-Z`"])/.exec(text);
  return end ? text.slice(0, end.index + 1) : text;
}
