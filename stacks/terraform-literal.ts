/**
 * User text that must reach Terraform as text, and nothing else.
 *
 * Terraform reads every string of its JSON syntax as a template, object keys included
 * (hashicorp/hcl json/structure.go, expression.Value): `${...}` and `%{...}` in a tag would run
 * at plan time (`${file("/etc/hostname")}` reads the deploying machine's files into Azure);
 * `$${` and `%%{` are its escapes for the literal characters.
 *
 * cdktf reads its own token markers (`${TfToken[`, `#{TfToken[`, `&{TfToken[`) anywhere in a
 * string before Terraform does: user text holding one would be replaced by a reference to one
 * of our resources, or stop the synthesis. Such a marker is broken up with a Terraform
 * interpolation of a constant (`Tf${"T"}oken[`), which Terraform turns back into the same text.
 *
 * `EnvironmentStack` passes the whole environment model through `terraformLiterals` once, before
 * any construct sees it: that is the only way user text enters a stack, so no field can be
 * forgotten (a property test in __tests__/stacks/free-text.test.ts feeds template syntax into
 * every string field of the schema to prove it). Backend settings are the exception: Terraform
 * reads them literally, so they are refused instead (`BACKEND_LITERAL_RULE`).
 * @see https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences
 */
import { TEMPLATE_SEQUENCE, CDKTF_TOKEN_MARKER } from '../lib/terraform';

/** What `terraformLiteral` rewrites: template openings, and the token name after a cdktf marker's brace. */
const REWRITTEN = new RegExp(`${TEMPLATE_SEQUENCE.source}|(?<=\\{)${CDKTF_TOKEN_MARKER.source.replace(/^\\\{/, '')}`, 'g');

/** A cdktf token name that no longer reads as one; Terraform evaluates it back to `TfToken[`. */
const BROKEN_TOKEN_NAME = 'Tf${"T"}oken[';

/** `text` written so that Terraform (and cdktf before it) reads exactly `text`. */
export function terraformLiteral(text: string): string {
  return text.replace(REWRITTEN, (m) => (m === '${' ? '$${' : m === '%{' ? '%%{' : BROKEN_TOKEN_NAME));
}

/**
 * A deep copy of plain data (a config, a model) with every string, object keys included,
 * written with `terraformLiteral`. Numbers, booleans and null are kept as they are.
 */
export function terraformLiterals<T>(value: T): T {
  return literalsOf(value, '') as T;
}

function literalsOf(value: unknown, at: string): unknown {
  if (typeof value === 'string') return terraformLiteral(value);
  if (Array.isArray(value)) return value.map((v, i) => literalsOf(v, `${at}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      // A class instance could carry text past the copy (getters, methods): a bug in the caller.
      throw new Error(`terraformLiterals: ${at || 'the value'} is not plain data (a ${value.constructor?.name ?? 'class instance'})`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [terraformLiteral(k), literalsOf(v, at ? `${at}.${k}` : k)]));
  }
  return value;
}
