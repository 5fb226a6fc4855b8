/** Shared test helper: an outputs contract that matches a model, as `cdktf deploy` would report it. */
import { CLOUDS, cloudOfCsiName, keyVaultUri } from '../../lib/azure';
import type { EnvironmentModel } from '../../lib/model';
import { CONTRACT_VERSION, type OutputsContract } from '../../lib/outputs/contract';

/** Obviously fake GUIDs (client ids end in 1, 2, ...); the vault URI of the model's cloud. */
export function outputsFor(model: EnvironmentModel, tenantId = '00000000-0000-0000-0000-00000000aaaa'): OutputsContract {
  const clientIds = new Map(model.identities.map((identity, i) => [identity.key, `00000000-0000-0000-0000-${String(i + 1).padStart(12, '0')}`]));
  const identityNames = new Map(model.identities.map((identity) => [identity.key, identity.name]));
  return {
    contractVersion: CONTRACT_VERSION,
    environment: model.name,
    tenantId,
    cloudName: model.csiCloudName,
    keyVault: { name: model.config.keyVault.name, uri: keyVaultUri(model.config.keyVault.name, cloudOfCsiName(model.csiCloudName) ?? CLOUDS.public) },
    oidcIssuerUrl: 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/00000000-0000-0000-0000-000000000000/',
    workloads: Object.fromEntries(
      model.workloads.map((w) => [
        w.name,
        { clientId: clientIds.get(w.identityKey)!, identityName: identityNames.get(w.identityKey)!, namespace: w.namespace, serviceAccount: w.serviceAccount },
      ]),
    ),
    ...(model.sharedSecrets !== undefined
      ? {
          sharedSecrets: {
            clientId: clientIds.get(model.sharedSecrets.identityKey)!,
            identityName: identityNames.get(model.sharedSecrets.identityKey)!,
            serviceAccount: model.sharedSecrets.serviceAccount,
            namespaces: [...model.sharedSecrets.serviceAccountNamespaces],
          },
        }
      : {}),
    ...((model.config.additionalVaults ?? []).length > 0
      ? {
          additionalVaults: (model.config.additionalVaults ?? []).map((v) => ({
            name: v.name,
            uri: keyVaultUri(v.name, cloudOfCsiName(model.csiCloudName) ?? CLOUDS.public),
          })),
        }
      : {}),
  };
}
