/**
 * A Flux Kustomization that applies one rendered environment folder.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GITOPS_DEFAULTS } from '../lib/config/schema';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, FLUX_DURATION_RULE, GITOPS_PATH_RULE } from '../lib/kubernetes';
import { constructError } from './construct-error';

export interface FluxKustomizationProps {
  readonly name: string;
  /** @default - `GITOPS_DEFAULTS.flux.namespace`, the environment schema's default */
  readonly namespace?: string;
  /** Name of the Flux GitRepository holding the rendered folder. */
  readonly sourceRef: string;
  /** Path of the rendered folder inside the repository (Flux wants `./`-prefixed paths). */
  readonly path: string;
  /** Reconcile interval, in the syntax of the Kustomization CRD (`10m`, `1h`, `1m30s`). @default - `GITOPS_DEFAULTS.flux.interval`, the environment schema's default */
  readonly interval?: string;
  /** Delete objects removed from the folder. @default true */
  readonly prune?: boolean;
  /**
   * Apply to a remote cluster: the name of the Secret, in the Kustomization's namespace, holding
   * its kubeconfig (key `value`).
   * @default - the cluster Flux runs in
   * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#kubeconfig-remote-clusters
   */
  readonly kubeConfigSecret?: string;
}

/**
 * `kustomize.toolkit.fluxcd.io/v1` Kustomization. Flux applies Namespaces first and everything
 * else in one server-side apply; the rendered kustomization.yaml keeps the SecretProviderClass
 * ahead of the Deployment, and the kubelet retries a mount that raced it.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
export class FluxKustomization extends Construct {
  readonly name: string;
  readonly namespace: string;
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: FluxKustomizationProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace ?? GITOPS_DEFAULTS.flux.namespace;
    const subject = `Kustomization ${this.namespace}/${this.name}`;
    const interval = props.interval ?? GITOPS_DEFAULTS.flux.interval;
    if (!DNS1123_SUBDOMAIN.test(this.name)) throw constructError(subject, 'name', this.name, 'use a DNS-1123 name');
    if (!DNS1123_LABEL.test(this.namespace)) throw constructError(subject, 'namespace', this.namespace, 'use a DNS-1123 label');
    if (!DNS1123_SUBDOMAIN.test(props.sourceRef)) throw constructError(subject, 'sourceRef', props.sourceRef, 'use the name of a Flux GitRepository');
    if (!FLUX_DURATION_RULE.test(interval)) throw constructError(subject, 'interval', interval, FLUX_DURATION_RULE.fix);
    if (!GITOPS_PATH_RULE.test(props.path)) throw constructError(subject, 'path', props.path, GITOPS_PATH_RULE.fix);
    if (props.kubeConfigSecret !== undefined && !DNS1123_SUBDOMAIN.test(props.kubeConfigSecret)) {
      throw constructError(subject, 'kubeConfigSecret', props.kubeConfigSecret, 'use the name of a Secret (a DNS-1123 name)');
    }
    const path = props.path.startsWith('./') ? props.path : `./${props.path}`;

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        interval,
        path,
        prune: props.prune ?? true,
        sourceRef: { kind: 'GitRepository', name: props.sourceRef },
        ...(props.kubeConfigSecret !== undefined ? { kubeConfig: { secretRef: { name: props.kubeConfigSecret } } } : {}),
      },
    });
  }
}
