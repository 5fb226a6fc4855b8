/**
 * Generator of large configurations for the benchmark: N environments × W workloads × O Key Vault
 * objects, each environment with the outputs file its synth needs.
 *
 * Pure: same options, same files (no dates, random values or absolute paths). Every environment
 * has the same shape, so the cost of a run grows with the number of environments only, and the
 * environments of a smaller set are exactly the first ones of a larger set (`bench-01` ... ).
 */
import { stringify } from 'yaml';
import { identityName } from '../lib/model';
import { CONTRACT_VERSION, OUTPUT_NAME } from '../lib/outputs/contract';

export interface LargeConfigOptions {
  /** Number of environments (`bench-01` ... ). */
  readonly environments: number;
  /** Workloads per environment. @default 25 */
  readonly workloadsPerEnvironment?: number;
  /** Key Vault objects mounted by each workload. @default 4 */
  readonly objectsPerWorkload?: number;
}

/** One file, its path relative to the project root (`environments/...`). */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** The sizes the benchmark runs: a quarter, a half and the full 20 environments. */
export const LARGE_SIZES = [
  { id: 'quarter', environments: 5 },
  { id: 'half', environments: 10 },
  { id: 'full', environments: 20 },
] as const;

export const DEFAULT_WORKLOADS = 25;
export const DEFAULT_OBJECTS = 4;
/** Workloads share namespaces, five to a namespace, as teams do. */
const WORKLOADS_PER_NAMESPACE = 5;
const TENANT_ID = '00000000-0000-0000-0000-00000000aaaa';
const LOCATIONS = ['westeurope', 'northeurope', 'swedencentral', 'germanywestcentral'] as const;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function environmentName(index: number): string {
  return `bench-${pad(index + 1)}`;
}

function workloadName(index: number): string {
  return `svc-${pad(index + 1)}`;
}

function namespaceOf(index: number): string {
  return `team-${pad(Math.floor(index / WORKLOADS_PER_NAMESPACE) + 1)}`;
}

/** Object `j` of a workload: two plain secrets, then a certificate and its private key, then more secrets. */
function objectOf(workload: string, j: number): Record<string, unknown> {
  switch (j) {
    case 0:
      return { name: `${workload}-db-password`, type: 'secret', alias: 'db-password' };
    case 1:
      return { name: `${workload}-api-key`, type: 'secret', filePermission: '0440' };
    case 2:
      return { name: `${workload}-tls`, type: 'cert', alias: 'tls.crt' };
    case 3:
      return { name: `${workload}-tls`, type: 'secret', alias: 'tls.key' };
    default:
      return { name: `${workload}-extra-${pad(j + 1)}`, type: 'secret' };
  }
}

function workloadOf(w: number, objects: number): Record<string, unknown> {
  const name = workloadName(w);
  const withTls = objects >= 4 && w % 5 === 0;
  return {
    name,
    namespace: namespaceOf(w),
    objects: Array.from({ length: objects }, (_, j) => objectOf(name, j)),
    ...(withTls
      ? {
          secretObjects: [
            {
              secretName: `${name}-tls`,
              type: 'kubernetes.io/tls',
              data: [
                { objectName: 'tls.crt', key: 'tls.crt' },
                { objectName: 'tls.key', key: 'tls.key' },
              ],
            },
          ],
        }
      : {}),
    deployment: {
      image: `ghcr.io/example/${name}:1.${w}.0`,
      replicas: 2,
      ports: [{ containerPort: 8080, name: 'http' }],
      env: [{ name: 'SECRETS_DIR', value: '/mnt/secrets-store' }],
      restartOnRotation: w % 2 === 0,
    },
  };
}

function environmentOf(e: number, workloads: number, objects: number): Record<string, unknown> {
  const env = environmentName(e);
  return {
    azure: {
      location: LOCATIONS[e % LOCATIONS.length],
      resourceGroup: { name: `rg-${env}` },
      tags: { environment: env, owner: 'bench' },
    },
    cluster: {
      name: `aks-${env}`,
      kubernetesVersion: '1.32',
      systemNodePool: { vmSize: 'Standard_D4s_v5', nodeCount: 3 },
      secretsProvider: { rotation: { enabled: true, interval: '2m' } },
    },
    keyVault: { name: `kv-${env}`, sku: 'standard' },
    // Object-scoped role assignments: the heaviest Terraform (one assignment per object).
    identity: { mode: 'per-workload', roleScope: 'object', propagationWait: '30s' },
    workloads: Array.from({ length: workloads }, (_, w) => workloadOf(w, objects)),
    output: {
      namespaces: true,
      gitops: { tool: 'argocd', repoURL: 'https://github.com/example/gitops.git', path: `clusters/${env}` },
    },
  };
}

/** The outputs file `cdktf deploy <env> --outputs-file` would write for the environment. */
function outputsOf(e: number, workloads: number): Record<string, unknown> {
  const env = environmentName(e);
  const location = LOCATIONS[e % LOCATIONS.length];
  return {
    [env]: {
      [OUTPUT_NAME]: {
        contractVersion: CONTRACT_VERSION,
        environment: env,
        tenantId: TENANT_ID,
        cloudName: 'AzurePublicCloud',
        keyVault: { name: `kv-${env}`, uri: `https://kv-${env}.vault.azure.net/` },
        oidcIssuerUrl: `https://${location}.oic.prod-aks.azure.com/${TENANT_ID}/00000000-0000-0000-0000-${hex(e + 1, 12)}/`,
        workloads: Object.fromEntries(
          Array.from({ length: workloads }, (_, w) => {
            const name = workloadName(w);
            return [
              name,
              {
                clientId: `00000000-0000-0000-${hex(e + 1, 4)}-${hex(w + 1, 12)}`,
                identityName: identityName(env, name),
                namespace: namespaceOf(w),
                serviceAccount: name,
              },
            ];
          }),
        ),
      },
    },
  };
}

/**
 * `environments/<env>.yaml` and `environments/<env>.outputs.json` for each environment, in
 * environment order.
 */
export function generateLargeConfig(options: LargeConfigOptions): GeneratedFile[] {
  const workloads = options.workloadsPerEnvironment ?? DEFAULT_WORKLOADS;
  const objects = options.objectsPerWorkload ?? DEFAULT_OBJECTS;
  for (const [what, n, max] of [
    ['environments', options.environments, 99],
    ['workloadsPerEnvironment', workloads, 99],
    ['objectsPerWorkload', objects, 99],
  ] as const) {
    if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`${what}: use a whole number from 1 to ${max}, got ${n}`);
  }
  const files: GeneratedFile[] = [];
  for (let e = 0; e < options.environments; e++) {
    const env = environmentName(e);
    files.push({
      path: `environments/${env}.yaml`,
      content: `# Generated by bench/generate.ts: ${workloads} workloads × ${objects} objects.\n${stringify(environmentOf(e, workloads, objects), { lineWidth: 0 })}`,
    });
    files.push({ path: `environments/${env}.outputs.json`, content: `${JSON.stringify(outputsOf(e, workloads), null, 2)}\n` });
  }
  return files;
}
