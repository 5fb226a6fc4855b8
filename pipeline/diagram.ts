/**
 * A Mermaid diagram of an environment's trust chain, for reviewers: pod → ServiceAccount →
 * federated credential → identity → role → vault and objects. Written next to the manifests as
 * TRUST.md so Git hosts render it beside the YAML it explains.
 */
import type { EnvironmentModel, RoleGrant } from '../lib/model';
import type { OutputsContract } from '../lib/outputs/contract';
import { WORKLOAD_IDENTITY_AUDIENCE } from '../lib/azure';
import { markdownText, mermaidLabel } from '../lib/text';

export const TRUST_FILE = 'TRUST.md';

/**
 * Mermaid node ids: one short id per logical node (`fc:<ns>/<sa>`, ...), given in order of
 * first use. Deriving ids from names would merge nodes whose names differ only in characters
 * Mermaid ids cannot hold (`db-password` and `db_password`).
 */
function nodeIds(): (...parts: string[]) => string {
  const ids = new Map<string, string>();
  return (...parts) => {
    const key = parts.join('\u0000');
    let found = ids.get(key);
    if (found === undefined) {
      found = `${parts[0]}${ids.size}`;
      ids.set(key, found);
    }
    return found;
  };
}

function scopeText(grant: RoleGrant, vault: string): string {
  return grant.scope === 'vault' ? `scope: vault ${vault}` : `scope: ${grant.scope.type} ${grant.scope.name}`;
}

/**
 * The TRUST.md document for one environment. Deterministic: same inputs, same bytes.
 *
 * Every value from the environment or the outputs file reaches the document through
 * `mermaidLabel` (diagram) or `markdownText` (heading and table), never directly: a name
 * cannot close the Mermaid fence, add a node, an edge, a cell or HTML, or hide characters.
 */
export function trustDiagram(model: EnvironmentModel, outputs?: OutputsContract): string {
  const cfg = model.config;
  const vault = cfg.keyVault.name;
  const rotation = cfg.cluster.secretsProvider.rotation;
  const id = nodeIds();
  const lines: string[] = [];
  lines.push('flowchart LR');
  lines.push(`  issuer[${mermaidLabel(`AKS ${cfg.cluster.name}`, 'OIDC issuer', outputs?.oidcIssuerUrl ?? '(from Terraform output)')}]`);
  lines.push(`  kv[(${mermaidLabel(`Key Vault ${vault}`, 'RBAC authorization')})]`);
  lines.push(`  addon{{${mermaidLabel('secrets-store CSI driver', rotation.enabled ? `rotation every ${rotation.interval}` : 'rotation OFF')}}}`);

  for (const identity of model.identities) {
    const clientId = identity.workloads.map((w) => outputs?.workloads[w]?.clientId).find((c) => c !== undefined);
    const idNode = id('id', identity.key);
    lines.push(`  ${idNode}[${mermaidLabel(`Managed identity ${identity.name}`, clientId ? `client id ${clientId}` : 'client id: after deploy')}]`);
    identity.roles.forEach((grant, i) => {
      const roleNode = id('role', identity.key, String(i));
      lines.push(`  ${idNode} -->|role| ${roleNode}[${mermaidLabel(grant.role, scopeText(grant, vault))}]`);
      lines.push(`  ${roleNode} --> kv`);
    });
    for (const cred of identity.credentials) {
      const fcNode = id('fc', cred.namespace, cred.serviceAccount);
      lines.push(`  ${fcNode}[${mermaidLabel(`Federated credential ${cred.name}`, `subject ${cred.subject}`, `audience ${WORKLOAD_IDENTITY_AUDIENCE}`)}]`);
      lines.push(`  issuer -->|issuer| ${fcNode}`);
      lines.push(`  ${fcNode} -->|trusts| ${idNode}`);
    }
  }

  for (const w of model.workloads) {
    const ns = id('ns', w.namespace);
    const pod = id('pod', w.namespace, w.deployment);
    const sa = id('sa', w.namespace, w.serviceAccount);
    const spc = id('spc', w.namespace, w.secretProviderClass);
    lines.push(`  subgraph ${ns}[${mermaidLabel(`namespace ${w.namespace}`)}]`);
    lines.push(`    ${pod}([${mermaidLabel(`Deployment ${w.deployment}`, `mount ${w.config.deployment.mountPath} (read-only)`)}])`);
    lines.push(`    ${sa}[${mermaidLabel(`ServiceAccount ${w.serviceAccount}`)}]`);
    lines.push(`    ${spc}[${mermaidLabel(`SecretProviderClass ${w.secretProviderClass}`)}]`);
    lines.push('  end');
    lines.push(`  ${pod} -->|runs as| ${sa}`);
    lines.push(`  ${pod} -->|mounts| ${spc}`);
    lines.push(`  ${sa} -->|token| ${id('fc', w.namespace, w.serviceAccount)}`);
    lines.push(`  ${spc} -.->|clientID| ${id('id', w.identityKey)}`);
    lines.push(`  addon -.-> ${spc}`);
    for (const o of w.objects) {
      const obj = id('obj', w.name, o.type, o.name, o.fileName);
      const pinned = o.config.version !== undefined ? ' (pinned: not rotated)' : '';
      lines.push(`  kv --> ${obj}[/${mermaidLabel(`${o.type} ${o.name}`, `file ${o.fileName}${pinned}`)}/]`);
      lines.push(`  ${obj} -.->|file| ${pod}`);
    }
  }

  const rows = model.workloads.map((w) => {
    const identity = model.identities.find((i) => i.key === w.identityKey);
    const roles = identity?.roles.map((g) => `${g.role} (${g.scope === 'vault' ? 'vault' : `${g.scope.type} ${g.scope.name}`})`) ?? [];
    const cells = [
      `${w.namespace}/${w.deployment}`,
      w.serviceAccount,
      w.subject,
      identity?.name ?? '',
    ].map(markdownText);
    const objects = w.objects.map((o) => `${markdownText(`${o.type} ${o.name}`)} → ${markdownText(o.fileName)}`);
    return `| ${[...cells, roles.map(markdownText).join('<br/>'), objects.join('<br/>')].join(' | ')} |`;
  });

  return [
    `# Trust chain: ${markdownText(model.name)}`,
    '',
    'Generated by `aks-keyvault-csi`; do not edit. Each arrow is a link that `aks-keyvault-csi check` verifies.',
    '',
    '```mermaid',
    ...lines,
    '```',
    '',
    '| workload | ServiceAccount | federated subject | identity | roles | objects → files |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
