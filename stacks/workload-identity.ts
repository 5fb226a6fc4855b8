import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { durationSeconds } from '../lib/config/duration';
import {
  FEDERATED_CREDENTIAL_NAME_RULE,
  keyVaultObjectScopePath,
  MAX_FEDERATED_CREDENTIALS_PER_IDENTITY,
  roleAssignmentKey,
  TIME_SLEEP_DURATION_RULE,
  timeSleepDurationFix,
  USER_ASSIGNED_IDENTITY_NAME_RULE,
  WORKLOAD_IDENTITY_AUDIENCE,
} from '../lib/azure';
import { type IdentityModel, type RoleGrant } from '../lib/model';
import { assertRule } from '../lib/rule';
import type { AksCluster } from './aks-cluster';
import type { KeyVaultStore } from './key-vault-store';
import { pinAddress } from './terraform-address';

export interface WorkloadIdentityProps {
  /** The identity as `lib/model.ts` derived it: name, federated credentials, role grants. */
  readonly identity: IdentityModel;
  /** Resource group of the identity (a Terraform reference, so the group exists first). */
  readonly resourceGroupName: string;
  readonly location: string;
  /** The cluster whose OIDC issuer the federated credentials trust. */
  readonly cluster: Pick<AksCluster, 'oidcIssuerUrl'>;
  /** The vault the role assignments are scoped to (the vault or objects in it), and the provider of its subscription. */
  readonly keyVault: Pick<KeyVaultStore, 'id' | 'provider'>;
  /**
   * The other vaults of the environment (`additionalVaults`), by declared name: a grant whose
   * `vault` names one is scoped to it.
   * @default - none: every grant is on `keyVault`
   */
  readonly additionalVaults?: ReadonlyMap<string, Pick<KeyVaultStore, 'id' | 'provider'>>;
  /**
   * Wait after the role assignments and federated credentials, so the first mount does not
   * fail with 403 or AADSTS70021 while Azure propagates them; "0s" disables the wait.
   * The schema resolves the default (`30s`).
   * @see https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected
   */
  readonly propagationWait: string;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A user-assigned identity that pods use through Workload Identity: one federated credential
 * per ServiceAccount (created one after another: Azure answers 409 to concurrent credential
 * writes on one identity), Key Vault data-plane roles granted to its principal id, and an
 * optional propagation wait.
 * @see https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster
 */
export class WorkloadIdentity extends Construct {
  /** Azure resource id of the identity. */
  readonly id: string;
  /** Azure name of the identity (from the model). */
  readonly name: string;
  /** Client (application) id: what the SecretProviderClass `clientID` and the ServiceAccount annotation carry. */
  readonly clientId: string;
  /** Object id of the identity's service principal: what role assignments grant to. */
  readonly principalId: string;
  readonly resource: UserAssignedIdentity;
  /** Federated credentials in creation order (each depends on the one before). */
  readonly federatedCredentials: readonly FederatedIdentityCredential[];
  readonly roleAssignments: readonly RoleAssignment[];
  /** The propagation wait, unless disabled with "0s". */
  readonly propagation?: Sleep;
  /** What a consumer of this identity should depend on: the wait, or else the grants and credentials. */
  readonly ready: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    const model = props.identity;
    validate(model, props.propagationWait);

    this.name = model.name;
    this.resource = pinAddress(
      new UserAssignedIdentity(this, 'identity', {
        name: model.name,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        tags: { ...(props.tags ?? {}) },
      }),
      model.key,
    );
    this.id = this.resource.id;
    this.clientId = this.resource.clientId;
    this.principalId = this.resource.principalId;

    this.federatedCredentials = this.buildCredentials(props);
    this.roleAssignments = this.buildRoleAssignments(props);

    const grantsAndCredentials = [...this.roleAssignments, ...this.federatedCredentials];
    if (durationSeconds(props.propagationWait) > 0) {
      this.propagation = this.buildPropagation(props, grantsAndCredentials);
      this.ready = [this.propagation];
    } else {
      this.ready = grantsAndCredentials;
    }
  }

  /** One federated credential per ServiceAccount, each depending on the one before. */
  private buildCredentials(props: WorkloadIdentityProps): FederatedIdentityCredential[] {
    const credentials: FederatedIdentityCredential[] = [];
    for (const c of props.identity.credentials) {
      const previous = credentials[credentials.length - 1];
      credentials.push(
        pinAddress(
          new FederatedIdentityCredential(this, `credential-${c.workload}`, {
            name: c.name,
            parentId: this.resource.id,
            resourceGroupName: props.resourceGroupName,
            audience: [WORKLOAD_IDENTITY_AUDIENCE],
            issuer: props.cluster.oidcIssuerUrl,
            subject: c.subject,
            ...(previous !== undefined ? { dependsOn: [previous] } : {}),
          }),
          c.workload,
        ),
      );
    }
    return credentials;
  }

  /** The model's role grants, to the identity's principal id, on the vault or an object in it. */
  private buildRoleAssignments(props: WorkloadIdentityProps): RoleAssignment[] {
    const model = props.identity;
    return model.roles.map((grant) => {
      const vault = grant.vault === undefined ? props.keyVault : props.additionalVaults?.get(grant.vault);
      if (vault === undefined) {
        throw new Error(
          `WorkloadIdentity "${model.name}": a role is granted on vault "${grant.vault}", which is not among additionalVaults (${[...(props.additionalVaults?.keys() ?? [])].join(', ') || 'none'}): pass the vault in additionalVaults`,
        );
      }
      return pinAddress(
        new RoleAssignment(this, roleConstructId(grant), {
          scope: grant.scope === 'vault' ? vault.id : `${vault.id}${keyVaultObjectScopePath(grant.scope)}`,
          roleDefinitionName: grant.role,
          // The object id, never the client id.
          principalId: this.resource.principalId,
          // Stated so Azure does not look the new principal up in Entra ID (avoids
          // PrincipalNotFound while the identity replicates).
          principalType: 'ServicePrincipal',
          // An existing vault in another subscription: granted through that subscription's provider.
          ...(vault.provider !== undefined ? { provider: vault.provider } : {}),
        }),
        model.key,
        roleConstructId(grant).replace(/^role-/, ''),
      );
    });
  }

  /** The wait after the grants and credentials, replaced whenever one of them changes. */
  private buildPropagation(props: WorkloadIdentityProps, grantsAndCredentials: readonly ITerraformDependable[]): Sleep {
    return pinAddress(
      new Sleep(this, 'propagation', {
        createDuration: props.propagationWait,
        dependsOn: [...grantsAndCredentials],
        // A changed grant or credential replaces the sleep, so later changes wait too.
        triggers: {
          role_assignments: Fn.join(
            ',',
            this.roleAssignments.map((r) => r.id),
          ),
          federated_credentials: Fn.join(
            ',',
            this.federatedCredentials.map((c) => c.id),
          ),
        },
      }),
      props.identity.key,
    );
  }
}

/**
 * `role-<role>` or `role-<type>-<object>`; on an additional vault `role-<vault>_...`. The
 * environment's vault keeps its ids; `_` is in no vault or object name, so no two ids meet.
 */
function roleConstructId(grant: RoleGrant): string {
  const role = grant.role.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const vault = grant.vault !== undefined ? `${grant.vault.toLowerCase()}_` : '';
  return grant.scope === 'vault' ? `role-${vault}${role}` : `role-${vault}${grant.scope.type}-${grant.scope.name}`;
}

function validate(model: IdentityModel, propagationWait: string): void {
  const where = `WorkloadIdentity "${model.name}"`;
  assertRule(USER_ASSIGNED_IDENTITY_NAME_RULE, model.name, where);
  for (const c of model.credentials) assertRule(FEDERATED_CREDENTIAL_NAME_RULE, c.name, where);
  if (model.credentials.length === 0) {
    throw new Error(`${where}: no federated credential: an identity no ServiceAccount can use grants nothing; give it at least one workload`);
  }
  if (model.credentials.length > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY) {
    throw new Error(
      `${where}: ${model.credentials.length} federated credentials; Azure allows ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} per identity: use identity mode "per-workload" or split the environment`,
    );
  }
  const names = new Set<string>();
  for (const c of model.credentials) {
    if (names.has(c.name)) {
      throw new Error(`${where}: federated credential name "${c.name}" is used twice: each ServiceAccount needs its own credential`);
    }
    names.add(c.name);
  }
  if (model.roles.length === 0) {
    throw new Error(`${where}: no role grant: the identity could not read any Key Vault object`);
  }
  const grants = new Map<string, RoleGrant>();
  for (const grant of model.roles) {
    const scopePath = grant.scope === 'vault' ? '' : keyVaultObjectScopePath(grant.scope);
    const key = roleAssignmentKey({ principal: model.name, role: grant.role, scopeBase: grant.vault?.toLowerCase() ?? 'vault', scopePath });
    const first = grants.get(key);
    if (first !== undefined) {
      throw new Error(
        `${where}: "${grant.role}" is granted twice at ${scopePath || 'the vault'} (Key Vault object names are case-insensitive); Azure refuses the second with 409 RoleAssignmentExists: grant it once`,
      );
    }
    grants.set(key, grant);
  }
  if (!TIME_SLEEP_DURATION_RULE.test(propagationWait)) {
    throw new Error(`${where}: propagationWait "${propagationWait}": ${timeSleepDurationFix(propagationWait)}`);
  }
}
