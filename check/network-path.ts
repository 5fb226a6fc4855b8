/**
 * The network link of the trust chain, from the Terraform JSON alone: the CSI driver's Azure
 * provider (and the delivery engines) fetch from the nodes, so a vault with public access off is
 * reachable only through a private endpoint of sub-resource `vault` whose DNS zone group writes
 * the vault's A record into the cloud's Key Vault Private Link zone.
 */
import { CLOUDS, KEY_VAULT_PRIVATE_LINK, KEY_VAULT_RESOURCE_TYPE, privateDnsZoneIdParts } from '../lib/azure';
import type { Findings } from './finding';
import { parseRef, TerraformIndex, type TfBlock } from './terraform';
import { isRecord, list, rec, show, str } from './values';

const T = {
  vault: 'azurerm_key_vault',
  endpoint: 'azurerm_private_endpoint',
  zone: 'azurerm_private_dns_zone',
  zoneLink: 'azurerm_private_dns_zone_virtual_network_link',
} as const;

/** A vault's literal resource id holds this (ARM compares it in any case). */
const VAULT_ID_SEGMENT = `/providers/${KEY_VAULT_RESOURCE_TYPE}/`.toLowerCase();

/** A private endpoint whose connection targets a Key Vault: the vault's address, or its literal id. */
interface VaultEndpoint {
  readonly block: TfBlock;
  readonly connection: Record<string, unknown>;
  readonly connectionPath: string;
  /** Address of the vault block the connection references, when it references one. */
  readonly vault: string | undefined;
}

export function checkNetworkPath(tf: TerraformIndex, out: Findings): void {
  const endpoints = vaultEndpoints(tf);
  const zone = keyVaultZoneOf(tf);
  for (const e of endpoints) {
    checkSubresource(tf, e, out);
    checkDnsZone(tf, e, zone, out);
    checkZoneLinks(tf, e, out);
  }
  checkPublicAccess(tf, endpoints, out);
}

function vaultEndpoints(tf: TerraformIndex): VaultEndpoint[] {
  const found: VaultEndpoint[] = [];
  for (const block of tf.ofType(T.endpoint, { data: false })) {
    const connection = TerraformIndex.nested(block.body, 'private_service_connection');
    if (connection === undefined) continue;
    const target = connection['private_connection_resource_id'];
    const ref = parseRef(target);
    const isVault =
      ref !== undefined ? ref.type === T.vault && ref.attr === 'id' && ref.suffix === '' : (str(target)?.toLowerCase().includes(VAULT_ID_SEGMENT) ?? false);
    if (!isVault) continue;
    const connectionPath = `${block.path}.private_service_connection${Array.isArray(block.body['private_service_connection']) ? '[0]' : ''}`;
    found.push({ block, connection, connectionPath, vault: ref?.address });
  }
  return found;
}

/**
 * The Key Vault Private Link zone of the stack's cloud: the default azurerm provider's
 * `environment` (azurerm's default is `public`); undefined for an environment this project does
 * not know, where any cloud's zone is accepted.
 */
function keyVaultZoneOf(tf: TerraformIndex): string | undefined {
  const providers = list(rec(rec(tf.json)['provider'])['azurerm']).filter(isRecord);
  const environment = str(providers.find((p) => p['alias'] === undefined)?.['environment']) ?? 'public';
  const cloud = Object.entries(CLOUDS).find(([, c]) => c.terraformEnvironment === environment.toLowerCase());
  return cloud === undefined ? undefined : KEY_VAULT_PRIVATE_LINK.dnsZones[cloud[0] as keyof typeof CLOUDS];
}

function checkSubresource(tf: TerraformIndex, e: VaultEndpoint, out: Findings): void {
  const names = list(e.connection['subresource_names']);
  const expected = KEY_VAULT_PRIVATE_LINK.subresource;
  if (names.length === 1 && str(names[0])?.toLowerCase() === expected) return;
  out.add(
    'keyvault-private-endpoint-subresource',
    tf.where(`${e.connectionPath}.subresource_names`),
    `${e.block.address} connects to ${e.vault ?? 'a Key Vault'} with subresource_names ${show(e.connection['subresource_names'])}; a Key Vault private endpoint serves only sub-resource "${expected}", so Azure refuses the connection and the nodes never reach the vault privately`,
    `set subresource_names = ["${expected}"]`,
  );
}

/** The zone names a zone group's ids point at: a zone block's literal name, or the last segment of a literal zone id. */
function zoneName(tf: TerraformIndex, id: unknown): string | undefined {
  const ref = parseRef(id);
  if (ref !== undefined) {
    if (ref.type !== T.zone || ref.attr !== 'id' || ref.suffix !== '') return undefined;
    const name = str(tf.get(ref.address)?.body['name']);
    return name === undefined || name.includes('${') ? undefined : name;
  }
  const literal = str(id);
  return literal === undefined ? undefined : privateDnsZoneIdParts(literal)?.name;
}

function checkDnsZone(tf: TerraformIndex, e: VaultEndpoint, expected: string | undefined, out: Findings): void {
  const zones: readonly string[] = expected !== undefined ? [expected] : Object.values(KEY_VAULT_PRIVATE_LINK.dnsZones);
  const want = zones.join(' or ');
  const group = TerraformIndex.nested(e.block.body, 'private_dns_zone_group');
  const why = "so the vault's name keeps resolving to its public address inside the VNet and the nodes never use the endpoint";
  if (group === undefined) {
    out.add(
      'keyvault-private-dns-zone',
      tf.where(`${e.block.path}.private_dns_zone_group`),
      `${e.block.address} has no private_dns_zone_group: no A record for the vault is written in ${want}, ${why}`,
      `add private_dns_zone_group { private_dns_zone_ids = [<id of the ${want} zone linked to the cluster VNet>] } (keyVault.privateEndpoint.dnsZone)`,
    );
    return;
  }
  const ids = list(group['private_dns_zone_ids']);
  const names = ids.map((id) => zoneName(tf, id));
  // A zone whose name the check cannot read (a reference it cannot follow) is given the benefit of the doubt.
  if (names.some((n) => n === undefined || zones.includes(n.toLowerCase()))) return;
  out.add(
    'keyvault-private-dns-zone',
    tf.where(`${e.block.path}.private_dns_zone_group.private_dns_zone_ids`),
    `${e.block.address} registers the vault in ${names.length > 0 ? `zone(s) ${names.map((n) => `"${n ?? ''}"`).join(', ')}` : 'no zone (private_dns_zone_ids is empty)'}, not in ${want}, ${why}`,
    `set private_dns_zone_ids to the id of the ${want} zone (keyVault.privateEndpoint.dnsZone)`,
  );
}

/**
 * Each zone this stack creates for the endpoint is linked to a VNet: an unlinked zone answers
 * no one, so the nodes resolve the vault's public address. An existing zone (a literal id) is
 * linked by its owner, e.g. a hub, which this stack cannot see.
 */
function checkZoneLinks(tf: TerraformIndex, e: VaultEndpoint, out: Findings): void {
  const group = TerraformIndex.nested(e.block.body, 'private_dns_zone_group');
  const links = tf.ofType(T.zoneLink, { data: false });
  for (const id of list(group?.['private_dns_zone_ids'])) {
    const ref = parseRef(id);
    if (ref === undefined || ref.data || ref.type !== T.zone || ref.attr !== 'id' || ref.suffix !== '') continue;
    const zone = tf.get(ref.address);
    if (zone === undefined) continue;
    const name = str(zone.body['name']);
    const linked = links.some((l) => {
      const zoneName = l.body['private_dns_zone_name'];
      const r = parseRef(zoneName);
      return r !== undefined ? r.address === zone.address && r.attr === 'name' && r.suffix === '' : name !== undefined && str(zoneName) === name;
    });
    if (linked) continue;
    out.add(
      'keyvault-private-dns-zone-link',
      tf.where(zone.path),
      `${zone.address}, the zone ${e.block.address} registers the vault in, has no ${T.zoneLink}: no VNet resolves through it, so the nodes keep resolving the vault's public address and never use the endpoint`,
      `link the zone to the cluster VNet: ${T.zoneLink} { private_dns_zone_name = "\${${zone.address}.name}", virtual_network_id = <cluster VNet id> }`,
    );
  }
}

function checkPublicAccess(tf: TerraformIndex, endpoints: readonly VaultEndpoint[], out: Findings): void {
  for (const vault of tf.ofType(T.vault, { data: false })) {
    if (vault.body['public_network_access_enabled'] !== false) continue;
    if (endpoints.some((e) => e.vault === vault.address)) continue;
    out.add(
      'keyvault-public-access-without-path',
      tf.where(`${vault.path}.public_network_access_enabled`),
      `${vault.address} has public_network_access_enabled false and no private endpoint in ${tf.file} connects to it: Key Vault refuses every request that does not come through a private endpoint, so no mount gets a secret`,
      `add a private endpoint of sub-resource "${KEY_VAULT_PRIVATE_LINK.subresource}" (keyVault.privateEndpoint), or turn public access on (keyVault.publicNetworkAccess: true) with a firewall`,
    );
  }
}
