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
  const name = parts.join('_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

/** Pins the element's Terraform name; returns the element for chaining. */
export function pinAddress<T extends TerraformElement>(element: T, ...parts: readonly string[]): T {
  element.overrideLogicalId(terraformName(...parts));
  return element;
}
