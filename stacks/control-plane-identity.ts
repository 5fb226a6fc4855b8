import type { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct } from 'constructs';
import { AKS_SUBNET_ROLE, USER_ASSIGNED_IDENTITY_NAME_RULE } from '../lib/azure';
import { assertRule } from '../lib/rule';
import { pinAddress } from './terraform-address';

export interface ControlPlaneIdentityProps {
  /** Identity name (lib/network-model.ts `controlPlaneIdentityName`). */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The node subnet the cluster joins its nodes to (a reference or an existing subnet's id). */
  readonly nodeSubnetId: string;
  /**
   * The provider of the subnet's subscription, for the role assignment.
   * @default - the default provider
   */
  readonly subnetProvider?: AzurermProvider;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The identity of the cluster's control plane when it runs in a VNet of ours: user-assigned, so
 * its role on the node subnet exists before the cluster does (a system-assigned identity gets
 * its principal only with the cluster, after AKS first needs the subnet). Network Contributor,
 * scoped to the node subnet only.
 * @see https://learn.microsoft.com/azure/aks/use-managed-identity#add-role-assignment-for-control-plane-identity
 */
export class ControlPlaneIdentity extends Construct {
  readonly id: string;
  readonly principalId: string;
  readonly identity: UserAssignedIdentity;
  /** The role on the node subnet: the cluster depends on it. */
  readonly subnetRole: RoleAssignment;

  constructor(scope: Construct, id: string, props: ControlPlaneIdentityProps) {
    super(scope, id);
    assertRule(USER_ASSIGNED_IDENTITY_NAME_RULE, props.name, 'ControlPlaneIdentity');
    // `control_plane` holds "_", which no workload name (a DNS label) does: no clash with `azurerm_user_assigned_identity.<workload>`.
    this.identity = pinAddress(
      new UserAssignedIdentity(this, 'identity', {
        name: props.name,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        tags: { ...(props.tags ?? {}) },
      }),
      'control_plane',
    );
    this.id = this.identity.id;
    this.principalId = this.identity.principalId;
    this.subnetRole = pinAddress(
      new RoleAssignment(this, 'node-subnet', {
        scope: props.nodeSubnetId,
        roleDefinitionName: AKS_SUBNET_ROLE,
        principalId: this.identity.principalId,
        principalType: 'ServicePrincipal',
        ...(props.subnetProvider !== undefined ? { provider: props.subnetProvider } : {}),
      }),
      'control_plane_node_subnet',
    );
  }
}
