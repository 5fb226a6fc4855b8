/**
 * The trust chain of each SecretSync (Secrets Store Sync Controller): its ServiceAccount is the
 * federated subject, its SecretProviderClass names the vault, tenant and client id (checked as
 * for a CSI mount), and the Secret it writes must be one the API server accepts.
 */
import { serviceAccountSubject } from '../lib/azure';
import { SECRET_OBJECT_FILE_RULE, TLS_SECRET_KEYS } from '../lib/csi-driver';
import { missingSecretKeys, SECRET_KEY_RULE } from '../lib/kubernetes';
import { SECRET_SYNC_API_VERSION, SECRET_SYNC_KEY_RULE, SECRET_SYNC_KIND, SECRET_SYNC_RESERVED_PREFIX } from '../lib/secret-sync';
import type { K8sObject } from './manifests';
import {
  checkClientIdAnnotation,
  checkClientIds,
  checkFederation,
  checkOutputChain,
  checkRoles,
  findServiceAccount,
  type Chain,
  type WorkloadLink,
} from './trust-chain';
import { list, rec, str } from './values';

/** A chain that reads Key Vault as a ServiceAccount: its subject and the clusters its credentials trust. */
export interface TrustedSubject {
  readonly subject: string;
  readonly clusters: string[];
}

export function checkSecretSyncs(chain: Chain): (TrustedSubject | undefined)[] {
  return chain.mf.ofKind(SECRET_SYNC_KIND).map((ss) => checkSecretSync(chain, ss));
}

function checkSecretSync(chain: Chain, ss: K8sObject): TrustedSubject | undefined {
  const { out, mf } = chain;
  if (ss.apiVersion !== SECRET_SYNC_API_VERSION) {
    out.add(
      'secret-sync-api-version',
      ss.where('apiVersion'),
      `${ss.ref} uses apiVersion "${ss.apiVersion}"; the Secrets Store Sync Controller serves only ${SECRET_SYNC_API_VERSION}`,
      `set apiVersion: ${SECRET_SYNC_API_VERSION}`,
    );
  }
  const spec = rec(ss.body['spec']);
  const secretObject = rec(spec['secretObject']);
  checkReservedMetadata(chain, ss, secretObject);
  const data = list(secretObject['data']).map(rec);
  const type = str(secretObject['type']) ?? 'Opaque';
  checkTargetKeys(chain, ss, {
    type,
    keys: data.map((d, i) => ({ key: str(d['targetKey']) ?? '', path: `spec.secretObject.data[${i}].targetKey` })),
    rules: [SECRET_KEY_RULE, SECRET_SYNC_KEY_RULE],
    where: 'spec.secretObject.data',
  });

  const spcName = str(spec['secretProviderClassName']);
  const spcObject = spcName !== undefined ? mf.find('SecretProviderClass', ss.namespace, spcName) : undefined;
  if (spcObject === undefined) {
    out.add(
      'secret-provider-class-missing',
      ss.where('spec.secretProviderClassName'),
      `${ss.ref}: ${spcName === undefined ? 'names no secretProviderClassName' : `SecretProviderClass "${spcName}" is not in namespace "${ss.namespace}"`}; the controller reads a SecretProviderClass of the SecretSync's own namespace, so the Secret is never written`,
      `render SecretProviderClass "${spcName ?? '<name>'}" in namespace "${ss.namespace}", or fix spec.secretProviderClassName`,
    );
  }
  const spc = spcObject !== undefined ? chain.analyze(spcObject) : undefined;
  if (spc !== undefined) {
    data.forEach((d, i) => {
      const sourcePath = str(d['sourcePath']) ?? '';
      if (!SECRET_OBJECT_FILE_RULE.test({ objectName: sourcePath, files: spc.written })) {
        out.add(
          'secret-sync-source-path',
          ss.where(`spec.secretObject.data[${i}].sourcePath`),
          `${ss.ref}: spec.secretObject.data[${i}].sourcePath "${sourcePath}" is not a file of ${spc.object.ref} (files: ${[...spc.written].join(', ')}); the sync fails`,
          `set sourcePath to one of ${[...spc.written].map((f) => JSON.stringify(f)).join(', ')} (the alias when one is set, else the object name)`,
        );
      }
      if (!SECRET_SYNC_KEY_RULE.test(sourcePath)) {
        out.add(
          'target-secret-key-invalid',
          ss.where(`spec.secretObject.data[${i}].sourcePath`),
          `${ss.ref}: sourcePath "${sourcePath}": ${SECRET_SYNC_KEY_RULE.fix}`,
          SECRET_SYNC_KEY_RULE.fix,
        );
      }
    });
  }

  const saName = str(spec['serviceAccountName']) ?? '';
  const saPath = 'spec.serviceAccountName';
  const sa = findServiceAccount(chain, { workload: ss, saName, saPath, verb: 'reads Key Vault as' });
  const link: WorkloadLink = { chain, workload: ss, podPath: 'spec', ns: ss.namespace, saName, saPath, sa, containers: [] };
  const subject = serviceAccountSubject(ss.namespace, saName);
  const matched = checkFederation(link, subject);
  const identities = [...new Set(matched.map((c) => c.identity).filter((a): a is string => a !== undefined))].sort();
  const annotation = checkClientIdAnnotation(link, 'sync');
  const expected = checkOutputChain(link, identities);
  checkClientIds({ sa, annotation, spcs: spc ? [spc] : [], expected }, out);
  // The controller fetches every object of the class, not only the ones it keeps.
  if (identities.length > 0 && spc) checkRoles(chain, identities, [{ ...spc, use: `fetched for ${ss.ref} from` }]);
  return { subject, clusters: matched.flatMap((c) => (c.cluster ? [c.cluster] : [])) };
}

/** The controller refuses labels and annotations with its own prefix. */
function checkReservedMetadata({ out }: Chain, ss: K8sObject, secretObject: Record<string, unknown>): void {
  for (const field of ['labels', 'annotations'] as const) {
    for (const key of Object.keys(rec(secretObject[field]))) {
      if (!key.startsWith(SECRET_SYNC_RESERVED_PREFIX)) continue;
      out.add(
        'secret-sync-reserved-metadata',
        ss.where(`spec.secretObject.${field}`),
        `${ss.ref}: spec.secretObject.${field} has "${key}", a prefix the controller reserves; it refuses to sync`,
        `remove ${key}: the controller sets its own ${SECRET_SYNC_RESERVED_PREFIX} metadata`,
      );
    }
  }
}

/** The keys of a Secret an engine writes, and what its type requires (shared with check/external-secrets.ts). */
export function checkTargetKeys(
  { out }: Chain,
  owner: K8sObject,
  target: {
    readonly type: string;
    readonly keys: readonly { readonly key: string; readonly path: string }[];
    readonly rules: readonly { readonly test: (v: string) => boolean; readonly fix: string }[];
    readonly where: string;
  },
): void {
  for (const { key, path } of target.keys) {
    const broken = target.rules.find((r) => !r.test(key));
    if (broken !== undefined) {
      out.add(
        'target-secret-key-invalid',
        owner.where(path),
        `${owner.ref}: ${path.split('.').pop()} ${JSON.stringify(key)} is not a valid key of the Secret it writes: ${broken.fix}`,
        broken.fix,
      );
    }
  }
  const keys = target.keys.map((k) => k.key);
  const missing = missingSecretKeys(target.type, keys);
  const tls = target.type === 'kubernetes.io/tls';
  const extra = tls ? keys.filter((k) => !(TLS_SECRET_KEYS as readonly string[]).includes(k)) : [];
  if (missing.length > 0 || extra.length > 0) {
    out.add(
      'target-secret-type-keys',
      owner.where(target.where),
      `${owner.ref} writes a ${target.type} Secret with keys [${keys.join(', ')}]; ${missing.length > 0 ? `the API server refuses it without the key ${missing.join(' and ')}` : `a TLS Secret takes only ${TLS_SECRET_KEYS.join(' and ')}`}`,
      tls ? `give it exactly the keys ${TLS_SECRET_KEYS.join(' and ')}` : `add the key ${missing.join(' and ')}`,
    );
  }
}
