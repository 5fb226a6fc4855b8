/**
 * User text that must reach Terraform as text. Terraform evaluates `${...}` and `%{...}` in
 * every string of its JSON syntax, so a tag value such as `${file("/etc/hostname")}` would run
 * at plan time; `$${` and `%%{` are its escapes for the literal characters.
 * @see https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** Tags with keys and values escaped as literal text. */
export function literalTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [terraformLiteral(k), terraformLiteral(v)]));
}
