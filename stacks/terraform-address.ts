/**
 * Stable Terraform addresses. cdktf derives a resource's name from its construct path plus a
 * hash, so moving a construct renames the resource and Terraform would destroy and recreate it
 * (for a vault with purge protection, that blocks its name for the retention period). We pin
 * names that follow from the environment instead: `azurerm_key_vault.this`,
 * `azurerm_user_assigned_identity.<workload>`, and so on.
 */
import type { TerraformElement } from 'cdktf';

/** A Terraform name from parts: joined with `_`, starting with a letter or `_` as Terraform requires. */
export function terraformName(...parts: readonly string[]): string {
  const joined = parts.join('_');
  const name = /^[A-Za-z_]/.test(joined) ? joined : `_${joined}`;
  if (!IDENTIFIER.test(name)) {
    // The parts come from names the schema already restricts: this is a caller's bug.
    throw new Error(`Terraform name ${JSON.stringify(name)}: a resource name holds only letters, digits, "_" and "-"; derive it from a validated name`);
  }
  return name;
}

/**
 * The names Terraform accepts for resources (an HCL identifier; "-" allowed after the first
 * character). Nothing else may reach an address: JSON keys of blocks are not templates.
 * @see https://developer.hashicorp.com/terraform/language/syntax/configuration#identifiers
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Pins the element's Terraform name; returns the element for chaining. */
export function pinAddress<T extends TerraformElement>(element: T, ...parts: readonly string[]): T {
  element.overrideLogicalId(terraformName(...parts));
  return element;
}
