/** The commented environment file that `init NAME` writes. */

/** A valid starting point for environment `name`; `schemaRef` is the JSON Schema path relative to the file. */
export function scaffoldEnvironment(name: string, schemaRef: string): string {
  const vault = `kv-${name}-${'change-me'}`.slice(0, 24).replace(/-+$/, '');
  return `# yaml-language-server: $schema=${schemaRef}
#
# Environment "${name}". Every field is checked when you run "aks-keyvault-csi synth";
# defaults are shown as comments. Reference: environments/environment.schema.json.

azure:
  location: westeurope                 # Azure region
  resourceGroup:
    name: rg-${name}
    create: true                       # false: use an existing group by name
  # subscriptionId: 00000000-0000-0000-0000-000000000000   # default: the Azure CLI's subscription
  # cloud: public                      # public | usgovernment | china
  tags:
    environment: ${name}

cluster:
  # mode: create                       # or "existing" with name and resourceGroup
  name: aks-${name}
  # kubernetesVersion: "1.32"          # default: the AKS default
  # systemNodePool: { vmSize: Standard_D2s_v5, nodeCount: 2 }
  # networkPlugin: azure               # azure | kubenet | none
  secretsProvider:
    rotation:
      enabled: true                    # rotation of mounted files without pod restarts
      interval: 2m                     # the add-on's poll interval (a Go duration)

keyVault:
  # mode: create                       # or "existing" with name and resourceGroup
  name: ${vault}                 # globally unique: 3-24 letters, digits, hyphens
  # sku: standard
  # purgeProtection: true              # cannot be turned off once on
  # softDeleteRetentionDays: 90        # 7-90, set once
  # networkAcls: { defaultAction: Allow, bypass: AzureServices, ipRules: [], virtualNetworkSubnetIds: [] }

# identity:
#   mode: per-workload                 # or "shared" (max 20 workloads: Azure's federated credential limit)
#   roleScope: vault                   # or "object": one role assignment per Key Vault object
#   role: least-privilege              # "administrator" grants Key Vault Administrator (not recommended)
#   propagationWait: 30s               # wait after role assignments for Azure to propagate them (one unit: "90s", not "1m30s")

workloads:
  - name: my-app
    namespace: my-app
    # serviceAccount: my-app           # default: the workload name
    objects:
      - name: my-secret                # the Key Vault secret's name
        type: secret                   # secret | key | cert
        # alias: MY_SECRET             # file name in the mount (default: the object name)
    deployment:
      image: ghcr.io/example/my-app:1.0.0
      # replicas: 2
      # mountPath: /mnt/secrets-store  # read the files here; they change on rotation

# state:
#   backend: local                     # or azurerm with resourceGroup, storageAccount, container, key
`;
}
