/**
 * The trust chain of each ExternalSecret and ClusterExternalSecret (External Secrets Operator):
 * the store it reads through (Azure Key Vault provider, Workload Identity, the stack's vault and
 * tenant), the store's ServiceAccount (the federated subject, annotated with the identity's
 * client id), the roles for every remote key, and the Secret it writes.
 */
import { CLIENT_ID_ANNOTATION, cloudOfCsiName, CLOUDS, isKeyVaultUriOf, KEY_VAULT_OBJECT_NAME, serviceAccountSubject } from '../lib/azure';
import { isGoDuration, durationSeconds } from '../lib/config/duration';
import {
  ESO_API_VERSION,
  ESO_KINDS,
  ESO_PROPERTY_TYPE_RULE,
  ESO_TENANT_ID_ANNOTATION,
  ESO_WORKLOAD_IDENTITY_AUTH,
  parseRemoteKey,
} from '../lib/external-secrets';
import { NAMESPACE_NAME_LABEL, SECRET_KEY_RULE } from '../lib/kubernetes';
import type { K8sObject } from './manifests';
import { checkTargetKeys, type TrustedSubject } from './secret-sync';
import { checkClientIds, checkFederation, checkOutputChain, checkRoles, findServiceAccount, type Chain, type WorkloadLink } from './trust-chain';
import { isRecord, list, rec, show, str, type Json } from './values';

/** One ExternalSecret as the operator runs it: in a namespace, from a spec (its own, or a ClusterExternalSecret's). */
interface Consumer {
  readonly object: K8sObject;
  /** Path of the ExternalSecret spec in the object. */
  readonly specPath: string;
  readonly spec: Json;
  /** The namespace the ExternalSecret runs in; undefined when a ClusterExternalSecret's namespaces cannot be read offline. */
  readonly namespace: string | undefined;
}

/** A store as the provider reads it. */
interface StoreInfo {
  readonly object: K8sObject;
  /** The vault name in vaultUrl's host, when it is a vault URI. */
  readonly vaultName: string | undefined;
  /** `serviceAccountRef`, when set. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string | undefined } | undefined;
  readonly tenantId: string | undefined;
  /** Namespaces a ClusterSecretStore's conditions admit, when they are plain lists. */
  readonly admits: readonly string[] | undefined;
}

export function checkExternalSecrets(chain: Chain): (TrustedSubject | undefined)[] {
  const stores = new Map<K8sObject, StoreInfo | undefined>();
  const analyze = (store: K8sObject) => {
    if (!stores.has(store)) stores.set(store, analyzeStore(chain, store));
    return stores.get(store);
  };
  for (const kind of [ESO_KINDS.secretStore, ESO_KINDS.clusterSecretStore]) for (const s of chain.mf.ofKind(kind)) analyze(s);
  const consumers = [
    ...chain.mf.ofKind(ESO_KINDS.externalSecret).flatMap(externalSecretConsumers),
    ...chain.mf.ofKind(ESO_KINDS.clusterExternalSecret).flatMap(clusterConsumers),
  ];
  const done = new Set<string>();
  const out: (TrustedSubject | undefined)[] = [];
  for (const c of consumers) {
    checkApiVersion(chain, c.object);
    checkSpec(chain, c);
    const store = findStore(chain, c);
    if (store === undefined) continue;
    const info = analyze(store);
    if (info === undefined) continue;
    if (c.object.kind === ESO_KINDS.clusterExternalSecret) checkConditions(chain, c, info);
    // One chain per ServiceAccount a store reads as, per reader: a ClusterExternalSecret with a
    // fixed store ServiceAccount is one chain, not one per namespace.
    const saNamespace = info.serviceAccount?.namespace ?? (info.object.kind === ESO_KINDS.secretStore ? info.object.namespace : c.namespace);
    const key = `${c.object.ref}\u0000${saNamespace ?? ''}`;
    if (done.has(key)) continue;
    done.add(key);
    out.push(checkChain(chain, c, info, saNamespace));
  }
  return out;
}

function externalSecretConsumers(es: K8sObject): Consumer[] {
  return [{ object: es, specPath: 'spec', spec: rec(es.body['spec']), namespace: es.namespace }];
}

/** The namespaces a ClusterExternalSecret selects by name, or undefined when it selects by other labels. */
function selectedNamespaces(spec: Json): string[] | undefined {
  const names = new Set(list(spec['namespaces']).filter((n): n is string => typeof n === 'string'));
  const selectors = [...list(spec['namespaceSelectors']), ...(isRecord(spec['namespaceSelector']) ? [spec['namespaceSelector']] : [])].map(rec);
  for (const sel of selectors) {
    const labels = rec(sel['matchLabels']);
    const exprs = list(sel['matchExpressions']).map(rec);
    const byName = exprs.filter((e) => e['key'] === NAMESPACE_NAME_LABEL && e['operator'] === 'In');
    const other = Object.keys(labels).some((k) => k !== NAMESPACE_NAME_LABEL) || exprs.length !== byName.length;
    if (other) return undefined;
    if (typeof labels[NAMESPACE_NAME_LABEL] === 'string') names.add(labels[NAMESPACE_NAME_LABEL]);
    for (const e of byName) for (const v of list(e['values'])) if (typeof v === 'string') names.add(v);
  }
  return [...names].sort();
}

function clusterConsumers(ces: K8sObject): Consumer[] {
  const spec = rec(ces.body['spec']);
  const esSpec = rec(spec['externalSecretSpec']);
  const namespaces = selectedNamespaces(spec);
  const base = { object: ces, specPath: 'spec.externalSecretSpec', spec: esSpec };
  if (namespaces === undefined || namespaces.length === 0) return [{ ...base, namespace: undefined }];
  return namespaces.map((namespace) => ({ ...base, namespace }));
}

function checkApiVersion({ out }: Chain, o: K8sObject): void {
  if (o.apiVersion === ESO_API_VERSION) return;
  out.add(
    'external-secrets-api-version',
    o.where('apiVersion'),
    `${o.ref} uses apiVersion "${o.apiVersion}"; External Secrets Operator v0.17 and later serve only ${ESO_API_VERSION} (v1beta1 is no longer served)`,
    `set apiVersion: ${ESO_API_VERSION}`,
  );
}

/** The refresh interval, the remote keys and the Secret it writes. */
function checkSpec(chain: Chain, c: Consumer): void {
  const { out } = chain;
  const { object: o, spec, specPath } = c;
  const refresh = spec['refreshInterval'];
  if (refresh !== undefined) {
    const text = typeof refresh === 'string' ? refresh : String(show(refresh));
    if (typeof refresh !== 'string' || !isGoDuration(refresh)) {
      out.add(
        'external-secret-refresh-invalid',
        o.where(`${specPath}.refreshInterval`),
        `${o.ref} has refreshInterval ${show(refresh)}, which is not a Go duration; the operator cannot read the ExternalSecret`,
        'use a Go duration such as "1h" or "15m"',
      );
    } else if (durationSeconds(text) === 0) {
      out.add(
        'external-secret-refresh-disabled',
        o.where(`${specPath}.refreshInterval`),
        `${o.ref} has refreshInterval "${text}": the Secret keeps the values read at creation; a new version in Key Vault never arrives`,
        'set refreshInterval to a period such as "1h" (each refresh reads every key once)',
      );
    }
  }
  const data = list(spec['data']).map(rec);
  const target = rec(spec['target']);
  const template = rec(target['template']);
  const type = str(template['type']) ?? 'Opaque';
  data.forEach((d, i) => {
    const ref = rec(d['remoteRef']);
    const key = str(ref['key']) ?? '';
    const parsed = parseRemoteKey(key);
    const at = `${specPath}.data[${i}].remoteRef`;
    if (parsed.type === undefined || !KEY_VAULT_OBJECT_NAME.test(parsed.name)) {
      out.add(
        'external-secret-remote-key',
        o.where(`${at}.key`),
        parsed.type === undefined
          ? `${o.ref}: ${at}.key "${key}" has the prefix "${parsed.prefix ?? ''}", which the Azure provider does not know (secret, key, cert); the sync fails`
          : `${o.ref}: ${at}.key "${key}" names "${parsed.name}", which is no Key Vault object name (1-127 letters, digits or hyphens)`,
        'use secret/<name>, key/<name> or cert/<name>',
      );
    }
    if (parsed.type !== undefined && ref['property'] !== undefined && !ESO_PROPERTY_TYPE_RULE.test(parsed.type)) {
      out.add(
        'external-secret-property-cert',
        o.where(`${at}.property`),
        `${o.ref}: ${specPath}.data[${i}] reads property ${show(ref['property'])} of ${key}; the provider ignores property for certificates and returns the whole DER certificate`,
        ESO_PROPERTY_TYPE_RULE.fix,
      );
    }
  });
  // The Secret's keys: the template's when it has data, else the fetched keys.
  const templateData = rec(template['data']);
  const templated = Object.keys(templateData).length > 0;
  const keys = templated
    ? Object.keys(templateData).map((k) => ({ key: k, path: `${specPath}.target.template.data` }))
    : data.map((d, i) => ({ key: str(d['secretKey']) ?? '', path: `${specPath}.data[${i}].secretKey` }));
  checkTargetKeys(chain, o, { type, keys, rules: [SECRET_KEY_RULE], where: templated ? `${specPath}.target.template` : `${specPath}.data` });
  // Templated or not: filterPEM finds no PEM block in DER bytes either.
  if (type === 'kubernetes.io/tls') {
    data.forEach((d, i) => {
      const key = str(rec(d['remoteRef'])['key']) ?? '';
      if (parseRemoteKey(key).type !== 'cert') return;
      out.add(
        'external-secret-tls-der',
        o.where(`${specPath}.data[${i}].remoteRef.key`),
        `${o.ref} fills ${show(d['secretKey'])} of its kubernetes.io/tls Secret from ${key}, which the provider returns as DER; TLS Secrets hold PEM`,
        "read the certificate's secret (secret/<name>: PEM with the chain and key) and split it with a template (filterPEM)",
      );
    });
  }
}

/** The store the consumer reads through, in its namespace (SecretStore) or the cluster (ClusterSecretStore). */
function findStore({ mf, out }: Chain, c: Consumer): K8sObject | undefined {
  const ref = rec(c.spec['secretStoreRef']);
  const kind = str(ref['kind']) ?? ESO_KINDS.secretStore;
  const name = str(ref['name']) ?? '';
  const path = `${c.specPath}.secretStoreRef`;
  if (kind === ESO_KINDS.clusterSecretStore) {
    const store = mf.find(kind, '', name);
    if (store === undefined) {
      out.add(
        'secret-store-missing',
        c.object.where(`${path}.name`),
        `${c.object.ref} reads through ClusterSecretStore "${name}", which is not among the manifests; the ExternalSecret never syncs`,
        `render ClusterSecretStore "${name}", or fix ${path}`,
      );
    }
    return store;
  }
  if (c.object.kind === ESO_KINDS.clusterExternalSecret) {
    // Stamped into each namespace: a SecretStore must exist in every one.
    const namespaces = c.namespace !== undefined ? [c.namespace] : [];
    for (const ns of namespaces) {
      if (mf.find(kind, ns, name) === undefined) {
        out.add(
          'secret-store-missing',
          c.object.where(`${path}.name`),
          `${c.object.ref} reads through SecretStore "${name}", which is not in namespace "${ns}"; the ExternalSecret there never syncs`,
          `read through a ClusterSecretStore, or render SecretStore "${name}" in namespace "${ns}"`,
        );
      }
    }
    return namespaces.length > 0 ? mf.find(kind, namespaces[0], name) : undefined;
  }
  const store = mf.find(kind, c.object.namespace, name);
  if (store === undefined) {
    out.add(
      'secret-store-missing',
      c.object.where(`${path}.name`),
      `${c.object.ref} reads through ${kind} "${name}", which is not in namespace "${c.object.namespace}"; the ExternalSecret never syncs`,
      `render ${kind} "${name}" in namespace "${c.object.namespace}", or fix ${path}`,
    );
  }
  return store;
}

/** The store's provider: Azure Key Vault, Workload Identity, the stack's vault and tenant, a ServiceAccount. */
function analyzeStore(chain: Chain, store: K8sObject): StoreInfo | undefined {
  const { out } = chain;
  checkApiVersion(chain, store);
  const spec = rec(store.body['spec']);
  const az = rec(spec['provider'])['azurekv'];
  if (!isRecord(az)) {
    out.add(
      'secret-store-provider',
      store.where('spec.provider.azurekv'),
      `${store.ref} has no spec.provider.azurekv: it does not read Azure Key Vault`,
      'set spec.provider.azurekv (authType: WorkloadIdentity, vaultUrl, tenantId, serviceAccountRef)',
    );
    return undefined;
  }
  if (az['authType'] !== ESO_WORKLOAD_IDENTITY_AUTH) {
    out.add(
      'secret-store-auth-type',
      store.where('spec.provider.azurekv.authType'),
      `${store.ref} has authType ${show(az['authType'])}${az['authType'] === undefined ? ', which the CRD defaults to ServicePrincipal' : ''}: it ignores the federated ServiceAccount`,
      `set spec.provider.azurekv.authType: ${ESO_WORKLOAD_IDENTITY_AUTH}`,
    );
  }
  const vaultName = checkVaultUrl(chain, store, str(az['vaultUrl']));
  const saRef = rec(az['serviceAccountRef']);
  const saName = str(saRef['name']);
  if (saName === undefined) {
    out.add(
      'secret-store-service-account-ref',
      store.where('spec.provider.azurekv.serviceAccountRef'),
      `${store.ref} has no serviceAccountRef: with WorkloadIdentity the provider then uses the operator pod's own AZURE_CLIENT_ID, not the workload's identity`,
      "set spec.provider.azurekv.serviceAccountRef.name to the ServiceAccount federated with the workload's identity",
    );
  }
  const tenantId = str(az['tenantId'])?.trim();
  const o = chain.outputs;
  if (tenantId !== undefined && o && tenantId.toLowerCase() !== o.contract.tenantId.toLowerCase()) {
    out.add(
      'secret-store-tenant-id',
      store.where('spec.provider.azurekv.tenantId'),
      `${store.ref} has tenantId "${tenantId}" but ${o.file} says tenantId is "${o.contract.tenantId}"`,
      `set spec.provider.azurekv.tenantId: ${o.contract.tenantId}`,
    );
  }
  const conditions = list(spec['conditions']).map(rec);
  const admits =
    store.kind === ESO_KINDS.clusterSecretStore && conditions.length > 0 && conditions.every((cond) => Object.keys(cond).every((k) => k === 'namespaces'))
      ? conditions.flatMap((cond) => list(cond['namespaces']).filter((n): n is string => typeof n === 'string'))
      : undefined;
  return {
    object: store,
    vaultName,
    serviceAccount: saName !== undefined ? { name: saName, namespace: str(saRef['namespace']) } : undefined,
    tenantId,
    admits,
  };
}

/** vaultUrl: set, and the URI of the stack's vault and of the outputs'. Returns the vault name it names. */
function checkVaultUrl({ out, vaults, outputs }: Chain, store: K8sObject, url: string | undefined): string | undefined {
  const where = store.where('spec.provider.azurekv.vaultUrl');
  if (url === undefined || url.trim() === '') {
    out.add(
      'secret-store-vault-url',
      where,
      `${store.ref} has no vaultUrl: the provider cannot know which vault to read`,
      'set spec.provider.azurekv.vaultUrl to the keyVault.uri of the Terraform outputs',
    );
    return undefined;
  }
  const host = /^https:\/\/([^/.]+)\./.exec(url.trim())?.[1];
  const cloud = outputs ? cloudOfCsiName(outputs.contract.cloudName) : undefined;
  const names = vaults.map((v) => str(v.body['name'])).filter((n): n is string => n !== undefined && !n.includes('${'));
  const clouds = cloud ? [cloud] : Object.values(CLOUDS);
  if (names.length > 0 && !names.some((n) => clouds.some((c) => isKeyVaultUriOf(url.trim(), n, c)))) {
    out.add(
      'secret-store-vault-url',
      where,
      `${store.ref} has vaultUrl "${url}", but the stack's vault is ${names.map((n) => `"${n}"`).join(' or ')}`,
      `set spec.provider.azurekv.vaultUrl to the vault's URI (keyVault.uri of the outputs, https://${names[0].toLowerCase()}.${(cloud ?? CLOUDS.public).keyVaultDnsSuffix}/)`,
    );
  }
  if (outputs) {
    const norm = (u: string) => u.trim().toLowerCase().replace(/\/+$/, '');
    if (norm(url) !== norm(outputs.contract.keyVault.uri)) {
      out.add(
        'secret-store-vault-url',
        where,
        `${store.ref} has vaultUrl "${url}", but ${outputs.file} says keyVault.uri is "${outputs.contract.keyVault.uri}"`,
        `set spec.provider.azurekv.vaultUrl: ${outputs.contract.keyVault.uri}, or re-render from the current outputs`,
      );
    }
  }
  return host;
}

/** Every namespace a ClusterExternalSecret delivers into is one its ClusterSecretStore admits. */
function checkConditions({ out }: Chain, c: Consumer, store: StoreInfo): void {
  if (store.admits === undefined || c.namespace === undefined || store.admits.includes(c.namespace)) return;
  out.add(
    'cluster-secret-store-conditions',
    c.object.where('spec.namespaceSelectors'),
    `${c.object.ref} delivers into namespace "${c.namespace}", but ${store.object.ref} admits only ${store.admits.join(', ')}; the ExternalSecret in "${c.namespace}" never syncs`,
    `add "${c.namespace}" to the store's spec.conditions[].namespaces, or stop delivering there`,
  );
}

/** Store ServiceAccount → annotation → federated credential → identity → client id → roles. */
function checkChain(chain: Chain, c: Consumer, store: StoreInfo, saNamespace: string | undefined): TrustedSubject | undefined {
  const { out } = chain;
  if (store.serviceAccount === undefined || saNamespace === undefined) return undefined;
  const saName = store.serviceAccount.name;
  const saPath = 'spec.provider.azurekv.serviceAccountRef.name';
  const sa = findServiceAccount(chain, { workload: store.object, saName, saPath, namespace: saNamespace, verb: 'reads Key Vault as' });
  const link: WorkloadLink = { chain, workload: store.object, podPath: 'spec', ns: saNamespace, saName, saPath, sa, containers: [] };
  const annotations = rec(rec(sa?.body['metadata'])['annotations']);
  const annotation = str(annotations[CLIENT_ID_ANNOTATION])?.trim();
  if (sa && !annotation) {
    out.add(
      'secret-store-client-id-missing',
      sa.where(`metadata.annotations["${CLIENT_ID_ANNOTATION}"]`),
      `${sa.ref} has no ${CLIENT_ID_ANNOTATION} annotation: ${store.object.ref} fails with "missing clientID" (the Azure provider reads the client id from it)`,
      `annotate the ServiceAccount with ${CLIENT_ID_ANNOTATION}: <the identity's client id>`,
    );
  }
  if (sa && str(annotations[ESO_TENANT_ID_ANNOTATION]) !== undefined && store.tenantId !== undefined) {
    out.add(
      'secret-store-tenant-id',
      store.object.where('spec.provider.azurekv.tenantId'),
      `${store.object.ref} sets tenantId and ${sa.ref} carries ${ESO_TENANT_ID_ANNOTATION}: the provider refuses both ("multiple tenantID found")`,
      `keep one: remove the ${ESO_TENANT_ID_ANNOTATION} annotation (the store's tenantId is rendered from the outputs)`,
    );
  }
  if (sa && str(annotations[ESO_TENANT_ID_ANNOTATION]) === undefined && store.tenantId === undefined) {
    out.add(
      'secret-store-tenant-id',
      store.object.where('spec.provider.azurekv.tenantId'),
      `${store.object.ref} has no tenantId and ${sa.ref} no ${ESO_TENANT_ID_ANNOTATION} annotation: the provider falls back to the operator pod's AZURE_TENANT_ID, which only the Workload Identity webhook sets`,
      'set spec.provider.azurekv.tenantId to the tenant of the Terraform outputs',
    );
  }
  const subject = serviceAccountSubject(saNamespace, saName);
  const matched = checkFederation(link, subject);
  const identities = [...new Set(matched.map((m) => m.identity).filter((a): a is string => a !== undefined))].sort();
  const expected = checkOutputChain(link, identities);
  checkClientIds({ sa, annotation, spcs: [], expected }, out);
  if (identities.length > 0) {
    const objects = list(c.spec['data'])
      .map(rec)
      .map((d, i) => ({ ref: parseRemoteKey(str(rec(d['remoteRef'])['key']) ?? ''), i }))
      .filter((x) => x.ref.type !== undefined && KEY_VAULT_OBJECT_NAME.test(x.ref.name))
      .map(({ ref, i }) => ({ name: ref.name, type: ref.type!, path: `${c.specPath}.data[${i}].remoteRef.key` }));
    checkRoles(chain, identities, [{ object: c.object, keyvaultName: store.vaultName, objects, use: `read by` }]);
  }
  return { subject, clusters: matched.flatMap((m) => (m.cluster ? [m.cluster] : [])) };
}
