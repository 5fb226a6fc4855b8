/**
 * Fixtures of the chart tests: an environment with a certificate, and rendered objects read back.
 * The example models and outputs are the shared helpers of ../support, re-exported here.
 */
import { parse } from 'yaml';
import type { OutputFile } from '../../lib/write';

export { EXAMPLES, exampleModel, exampleOutputs, modelFromYaml } from '../support/models';
export { outputsFor } from '../support/outputs';

/** A workload with a certificate, a synced TLS Secret used in env, Reloader, a US Gov cloud and Flux. */
export const CERT_ENV_YAML = `
azure:
  location: usgovvirginia
  cloud: usgovernment
  resourceGroup: { name: rg-cert }
cluster:
  name: aks-cert
keyVault:
  name: kv-cert-example
workloads:
  - name: ingress
    namespace: edge
    serviceAccount: ingress-sa
    objects:
      - { name: edge-tls, type: cert, alias: tls.crt }
      - { name: edge-tls, type: secret, alias: tls.key, filePermission: "0440" }
      - { name: api-token, type: secret, alias: API_TOKEN, versionHistory: 3 }
      - { name: signing-key, type: key, version: 0123456789abcdef0123456789abcdef }
    secretObjects:
      - secretName: edge-tls
        type: kubernetes.io/tls
        data:
          - { objectName: tls.crt, key: tls.crt }
          - { objectName: tls.key, key: tls.key }
      - secretName: api
        type: Opaque
        data:
          - { objectName: API_TOKEN/0, key: token }  # versionHistory 3 writes API_TOKEN/0..2, no API_TOKEN
    deployment:
      image: ghcr.io/example/ingress:1.0.0
      command: ["/bin/ingress"]
      args: ["--tls-dir", "/etc/tls"]
      replicas: 3
      mountPath: /etc/tls
      env:
        - { name: MODE, value: "strict" }
      envFromSyncedSecret:
        - { name: API_TOKEN, secretName: api, key: token }
      restartOnRotation: true
      workloadIdentityLabel: false
      resources: { cpuRequest: "0.25", cpuLimit: "1", memoryRequest: 1Gi, memoryLimit: 1536Mi }
      securityContext: { runAsUser: 20000, runAsGroup: 20001 }
      labels: { team: edge }
      annotations: { prometheus.io/scrape: "true" }
output:
  gitops:
    tool: flux
    sourceRef: platform
  reloader: {}
`;

/** Objects parsed back from rendered files (the kustomization and bootstrap files excluded). */
export interface RenderedObject {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

export function objectsOf(files: readonly OutputFile[]): RenderedObject[] {
  return files.filter((f) => f.path !== 'kustomization.yaml').map((f) => ({ file: f.path, ...(parse(f.content) as object) }) as RenderedObject);
}

export function objectOf(files: readonly OutputFile[], path: string): any {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no rendered file ${path}; have ${files.map((x) => x.path).join(', ')}`);
  return parse(f.content);
}
