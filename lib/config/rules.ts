/**
 * Rules that span several fields of an environment file. Each returns one violation with the
 * YAML path it concerns and one message saying what to do; the schema turns them into issues.
 */
import { manifestFileName, secretProviderClassName } from '../naming';
import type { EnvironmentConfig } from './schema';
import { keyVaultObjectKey, MAX_FEDERATED_CREDENTIALS_PER_IDENTITY } from '../azure';


export interface RuleViolation {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly received?: unknown;
}

/** The mounted file name of an object: its alias, else its name. */
export function mountedFileName(o: { readonly name: string; readonly alias?: string | undefined }): string {
  return o.alias ?? o.name;
}

export function environmentRules(env: EnvironmentConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  const c = env.cluster;

  if (c.mode === 'create') {
    if (!c.workloadIdentity) {
      out.push({ path: ['cluster', 'workloadIdentity'], received: false, message: 'secrets are delivered through Workload Identity: set cluster.workloadIdentity: true' });
    } else if (!c.oidcIssuer) {
      out.push({ path: ['cluster', 'oidcIssuer'], received: false, message: 'Workload Identity needs the OIDC issuer (Azure rejects it only at apply time): set cluster.oidcIssuer: true' });
    }
  } else {
    const rg = c.resourceGroup ?? env.azure.resourceGroup.name;
    const fix = `run "az aks update -g ${rg} -n ${c.name} --enable-oidc-issuer --enable-workload-identity", then set`;
    if (!c.oidcIssuer) {
      out.push({ path: ['cluster', 'oidcIssuer'], received: false, message: `existing cluster "${c.name}" cannot be trusted to have the OIDC issuer: ${fix} cluster.oidcIssuer: true` });
    }
    if (!c.workloadIdentity) {
      out.push({ path: ['cluster', 'workloadIdentity'], received: false, message: `existing cluster "${c.name}" cannot be trusted to have Workload Identity: ${fix} cluster.workloadIdentity: true` });
    }
  }

  const names = new Map<string, number>();
  const accounts = new Map<string, number>();
  const syncedSecrets = new Map<string, string>();
  env.workloads.forEach((w, i) => {
    const first = names.get(w.name);
    if (first !== undefined) {
      out.push({ path: ['workloads', i, 'name'], received: w.name, message: `workload name already used by workloads[${first}]: give each workload its own name` });
    } else {
      names.set(w.name, i);
    }

    const sa = `${w.namespace}/${w.serviceAccount ?? w.name}`;
    const firstSa = accounts.get(sa);
    if (firstSa !== undefined) {
      out.push({
        path: ['workloads', i, 'serviceAccount'],
        received: w.serviceAccount ?? w.name,
        message: `ServiceAccount ${sa} is already used by workloads[${firstSa}]; one ServiceAccount can carry only one client id: give this workload its own serviceAccount`,
      });
    } else {
      accounts.set(sa, i);
    }

    const files = new Map<string, number>();
    w.objects.forEach((o, j) => {
      const file = mountedFileName(o);
      const seen = files.get(file);
      if (seen !== undefined) {
        out.push({
          path: ['workloads', i, 'objects', j, o.alias !== undefined ? 'alias' : 'name'],
          received: file,
          message: `file name already mounted by objects[${seen}]: set a distinct alias`,
        });
      } else {
        files.set(file, j);
      }
    });

    if (w.deployment.subPath !== undefined) {
      out.push({
        path: ['workloads', i, 'deployment', 'subPath'],
        received: w.deployment.subPath,
        message: 'a subPath mount of a CSI secrets volume is never rotated: remove subPath and read the file under mountPath',
      });
    }

    const secretKeys = new Map<string, Set<string>>();
    w.secretObjects.forEach((s, j) => {
      const owner = syncedSecrets.get(`${w.namespace}/${s.secretName}`);
      if (owner !== undefined) {
        out.push({ path: ['workloads', i, 'secretObjects', j, 'secretName'], received: s.secretName, message: `Secret ${w.namespace}/${s.secretName} is already synced by ${owner}: use another secretName` });
      } else {
        syncedSecrets.set(`${w.namespace}/${s.secretName}`, `workload "${w.name}"`);
      }
      const keys = new Set<string>();
      s.data.forEach((d, k) => {
        if (!files.has(d.objectName)) {
          out.push({
            path: ['workloads', i, 'secretObjects', j, 'data', k, 'objectName'],
            received: d.objectName,
            message: `objectName must be a mounted file name of this workload (the alias when one is set): one of ${[...files.keys()].map((f) => JSON.stringify(f)).join(', ')}`,
          });
        }
        if (keys.has(d.key)) {
          out.push({ path: ['workloads', i, 'secretObjects', j, 'data', k, 'key'], received: d.key, message: 'key already used in this Secret: use distinct keys' });
        }
        keys.add(d.key);
      });
      secretKeys.set(s.secretName, keys);
    });

    const envNames = new Set(w.deployment.env.map((e) => e.name));
    w.deployment.envFromSyncedSecret.forEach((e, j) => {
      const keys = secretKeys.get(e.secretName);
      if (keys === undefined) {
        out.push({
          path: ['workloads', i, 'deployment', 'envFromSyncedSecret', j, 'secretName'],
          received: e.secretName,
          message: 'not a Secret this workload syncs: add it under secretObjects, or use a secretName listed there',
        });
      } else if (!keys.has(e.key)) {
        out.push({
          path: ['workloads', i, 'deployment', 'envFromSyncedSecret', j, 'key'],
          received: e.key,
          message: `Secret "${e.secretName}" has no such key: use one of ${[...keys].map((k) => JSON.stringify(k)).join(', ')}`,
        });
      }
      if (envNames.has(e.name)) {
        out.push({ path: ['workloads', i, 'deployment', 'envFromSyncedSecret', j, 'name'], received: e.name, message: 'environment variable already set in deployment.env: use one or the other' });
      }
      envNames.add(e.name);
    });
  });

  // Rendered file names join kind, namespace and name with "-", so two different objects can
  // meet at one name (namespace a + workload b-c, namespace a-b + workload c).
  const files = new Map<string, { index: number; object: string }>();
  env.workloads.forEach((w, i) => {
    const sa = w.serviceAccount ?? w.name;
    const objects: [string, string][] = [
      ['ServiceAccount', sa],
      ['SecretProviderClass', secretProviderClassName(w.name)],
      ['Deployment', w.name],
    ];
    for (const [kind, name] of objects) {
      const file = manifestFileName(kind, w.namespace, name);
      const object = `${kind} ${w.namespace}/${name}`;
      const first = files.get(file);
      if (first !== undefined && first.object !== object) {
        out.push({
          path: ['workloads', i, 'name'],
          received: w.name,
          message: `${object} would be rendered to ${file}, as ${first.object} of workloads[${first.index}] is: rename this workload or its namespace`,
        });
      } else if (first === undefined) {
        files.set(file, { index: i, object });
      }
    }
  });

  if (env.identity.mode === 'shared') {
    const credentials = accounts.size;
    if (credentials > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY) {
      out.push({
        path: ['identity', 'mode'],
        received: 'shared',
        message: `a shared identity would need ${credentials} federated credentials; Azure allows ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} per identity: use mode "per-workload" or split the environment`,
      });
    }
  }

  out.push(...azureRules(env));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Azure rules that span fields (the single-field ones are in the schema, from lib/azure.ts)

function azureRules(env: EnvironmentConfig): RuleViolation[] {
  return [...caseOnlyObjectNames(env), ...nodeResourceGroupIsNew(env)];
}

/**
 * Key Vault object names are case-insensitive: two objects of one workload whose names differ
 * only in case are one object. Mounting one object twice is fine when written the same way;
 * written two ways it reads as two secrets that will hold the same value.
 */
function caseOnlyObjectNames(env: EnvironmentConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  env.workloads.forEach((w, i) => {
    const first = new Map<string, number>();
    w.objects.forEach((o, j) => {
      const key = keyVaultObjectKey(o);
      const k = first.get(key);
      if (k === undefined) {
        first.set(key, j);
      } else if (w.objects[k]!.name !== o.name) {
        out.push({
          path: ['workloads', i, 'objects', j, 'name'],
          received: o.name,
          message: `Key Vault object names are case-insensitive, so this is ${o.type} "${w.objects[k]!.name}" of objects[${k}] again: write its name the same way to mount it twice, or name another object`,
        });
      }
    });
  });
  return out;
}

/**
 * AKS creates the node resource group itself and refuses one that exists.
 * @see https://learn.microsoft.com/azure/aks/faq#can-i-provide-my-own-name-for-the-aks-node-resource-group
 */
function nodeResourceGroupIsNew(env: EnvironmentConfig): RuleViolation[] {
  const c = env.cluster;
  if (c.mode !== 'create' || c.nodeResourceGroup === undefined) return [];
  const others: [string, string | undefined][] = [
    ['azure.resourceGroup.name', env.azure.resourceGroup.name],
    ['keyVault.resourceGroup', env.keyVault.mode === 'existing' ? env.keyVault.resourceGroup : undefined],
    ['state.resourceGroup', env.state.backend === 'azurerm' ? env.state.resourceGroup : undefined],
  ];
  const taken = others.find(([, name]) => name !== undefined && name.toLowerCase() === c.nodeResourceGroup!.toLowerCase());
  if (taken === undefined) return [];
  return [
    {
      path: ['cluster', 'nodeResourceGroup'],
      received: c.nodeResourceGroup,
      message: `${taken[0]} names this group too; AKS creates the node resource group itself and refuses an existing one: use a name of its own`,
    },
  ];
}
