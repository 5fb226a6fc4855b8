/**
 * Names that both the environment rules and the derived model need. Kept free of imports so
 * the config rules can use them without a cycle through the model.
 */

/**
 * File name of a rendered Kubernetes object: `<kind>-<namespace>-<name>.yaml` (lower-case
 * kind; no namespace for cluster-scoped objects). Two objects can join to the same name
 * (`a`/`b-c` and `a-b`/`c`); the environment rules reject such a pair.
 */
export function manifestFileName(kind: string, namespace: string | undefined, name: string): string {
  return `${[kind.toLowerCase(), namespace, name].filter((p): p is string => p !== undefined).join('-')}.yaml`;
}

export function secretProviderClassName(workload: string): string {
  return `${workload}-keyvault`;
}
