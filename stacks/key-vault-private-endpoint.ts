import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import type { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { KEY_VAULT_PRIVATE_LINK, PRIVATE_DNS_ZONE_ID_RULE } from '../lib/azure';
import type { PrivateEndpointModel } from '../lib/network-model';
import { assertRule } from '../lib/rule';
import { pinAddress } from './terraform-address';

export interface KeyVaultPrivateEndpointProps {
  /** The endpoint as lib/network-model.ts derived it: names, DNS zone, link. */
  readonly endpoint: PrivateEndpointModel;
  /** The vault's resource id (a Terraform reference or an existing vault's data source). */
  readonly keyVaultId: string;
  /** Subnet of the endpoint. */
  readonly subnetId: string;
  /**
   * The VNet the zone is linked to (the cluster's, where the nodes resolve names); required when
   * the stack links the zone.
   */
  readonly virtualNetworkId?: string;
  /** Resource group of the endpoint and of a created zone. */
  readonly resourceGroupName: string;
  /** Region of the endpoint: the region of its subnet's VNet. */
  readonly location: string;
  /**
   * The provider of an existing zone's subscription, for the link.
   * @default - the default provider
   */
  readonly zoneProvider?: AzurermProvider;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The vault's private endpoint (sub-resource `vault`) with its DNS registration: the private DNS
 * zone of the cloud (created, or an existing one such as a hub's), the endpoint's zone group that
 * writes the vault's A record into it, and the zone's link to the cluster VNet so the nodes
 * resolve `<vault>.vault.azure.net` to the endpoint's private address.
 * @see https://learn.microsoft.com/azure/key-vault/general/private-link-service
 * @see https://learn.microsoft.com/azure/private-link/private-endpoint-dns
 */
export class KeyVaultPrivateEndpoint extends Construct {
  readonly endpoint: PrivateEndpoint;
  /** The zone's id (a reference to a created zone, or the existing zone's id). */
  readonly dnsZoneId: string;
  readonly dnsZone?: PrivateDnsZone;
  readonly link?: PrivateDnsZoneVirtualNetworkLink;
  /** What a consumer of the network path should depend on: the endpoint and the zone link. */
  readonly ready: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: KeyVaultPrivateEndpointProps) {
    super(scope, id);
    const e = props.endpoint;
    const zone = e.dnsZone;
    let zoneName: string;
    let zoneResourceGroup: string;
    if (zone.mode === 'create') {
      this.dnsZone = pinAddress(
        new PrivateDnsZone(this, 'zone', { name: zone.name, resourceGroupName: props.resourceGroupName, tags: { ...(props.tags ?? {}) } }),
        'key_vault',
      );
      this.dnsZoneId = this.dnsZone.id;
      zoneName = this.dnsZone.name;
      zoneResourceGroup = props.resourceGroupName;
    } else {
      assertRule(PRIVATE_DNS_ZONE_ID_RULE, zone.id, `KeyVaultPrivateEndpoint "${e.name}"`);
      this.dnsZoneId = zone.id;
      zoneName = zone.name;
      zoneResourceGroup = zone.resourceGroup;
    }

    const links = zone.mode === 'create' || zone.link;
    if (links) {
      if (props.virtualNetworkId === undefined) {
        throw new Error(`KeyVaultPrivateEndpoint "${e.name}": the DNS zone is linked to the cluster VNet, but no virtualNetworkId was given`);
      }
      this.link = pinAddress(
        new PrivateDnsZoneVirtualNetworkLink(this, 'link', {
          name: e.linkName,
          resourceGroupName: zoneResourceGroup,
          privateDnsZoneName: zoneName,
          virtualNetworkId: props.virtualNetworkId,
          // The nodes only resolve through the zone; nothing registers its own records in it.
          registrationEnabled: false,
          tags: { ...(props.tags ?? {}) },
          ...(zone.mode === 'existing' && props.zoneProvider !== undefined ? { provider: props.zoneProvider } : {}),
        }),
        'key_vault',
      );
    }

    this.endpoint = pinAddress(
      new PrivateEndpoint(this, 'endpoint', {
        name: e.name,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        subnetId: props.subnetId,
        privateServiceConnection: {
          name: e.connectionName,
          privateConnectionResourceId: props.keyVaultId,
          subresourceNames: [KEY_VAULT_PRIVATE_LINK.subresource],
          isManualConnection: false,
        },
        privateDnsZoneGroup: { name: e.zoneGroupName, privateDnsZoneIds: [this.dnsZoneId] },
        tags: { ...(props.tags ?? {}) },
      }),
      'key_vault',
    );
    this.ready = [this.endpoint, ...(this.link !== undefined ? [this.link] : [])];
  }
}
