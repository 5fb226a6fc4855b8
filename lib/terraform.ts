/**
 * Facts about Terraform's configuration language (its JSON syntax) and cdktf's encoding that the
 * schema and the stacks share.
 */
import { patternRule } from './rule';

/**
 * Where a Terraform template sequence opens: an interpolation `${` or a directive `%{`.
 * Terraform reads every string of its JSON syntax (object keys included) as a template;
 * `$${` and `%%{` are the escapes for the literal characters.
 * @see https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences
 */
export const TEMPLATE_SEQUENCE = /[$%]\{/;

/**
 * What cdktf reads as one of its own unresolved tokens inside any string it synthesizes:
 * `${TfToken[...]}` (string), `#{TfToken[...]}` (list), `&{TfToken[...]}` (map). Text holding
 * one would be replaced by a reference (or stop the synthesis) before Terraform ever sees it.
 * @see https://github.com/hashicorp/terraform-cdk packages/cdktf/lib/tokens/private/encoding.ts (BEGIN_STRING_TOKEN_MARKER)
 */
export const CDKTF_TOKEN_MARKER = /\{TfToken\[/;

/**
 * A backend setting (local `path`, azurerm `key`, ...). Terraform decodes the backend block
 * without an evaluation context, so a string there is taken literally: neither `${...}` nor the
 * `$${` escape is interpreted (measured with Terraform 1.11.4: a local backend path
 * `b-$${foo}.tfstate` writes a file of that very name). Escaping is therefore impossible, and
 * tools that do evaluate backend blocks (OpenTofu 1.8+ evaluates variables and locals there)
 * would run the text: template sequences are refused instead, and so are cdktf token markers.
 */
export const BACKEND_LITERAL_RULE = patternRule(
  'Terraform backend setting',
  /^(?![\s\S]*[$%]\{)(?![\s\S]*\{TfToken\[)/,
  'remove "${" and "%{": Terraform takes a backend setting literally, and tools that evaluate backend blocks would run it',
  'hashicorp/hcl json/structure.go (expression.Value: without an EvalContext a string is returned verbatim); hashicorp/terraform internal/configs/backend.go (Backend.Hash decodes the block with hcldec.Decode(..., nil))',
);
