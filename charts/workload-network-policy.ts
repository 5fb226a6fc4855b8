/**
 * The NetworkPolicy of a workload's pods: all ingress denied except to the ports the container
 * declares; egress left open.
 */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DEPLOYMENT_DEFAULTS } from '../lib/config/schema';
import { DNS1123_LABEL_RULE, LABEL_KEY_RULE, LABEL_VALUE_RULE, NAMESPACE_NAME_LABEL } from '../lib/kubernetes';
import { constructError } from './construct-error';
import type { SecretsStoreDeployment } from './secrets-store-deployment';

export interface WorkloadNetworkPolicyProps {
  /** The Deployment whose pods the policy selects; its name, namespace, selector and ports. */
  readonly deployment: SecretsStoreDeployment;
  /**
   * Namespaces whose pods may reach the declared ports.
   * @default - pods of every namespace of the cluster
   */
  readonly allowFromNamespaces?: readonly string[];
  /**
   * Labels the pods that may reach the declared ports must carry (in `allowFromNamespaces`, else
   * in any namespace).
   * @default - any pod
   */
  readonly allowFromPodLabels?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A NetworkPolicy named after the Deployment, selecting its pods, with `policyTypes: [Ingress]`
 * only: ingress is denied except to the declared ports (from pods of the cluster, or of the listed
 * namespaces and labels); egress is not restricted. The CSI driver's provider fetches the objects
 * on the node, so the pods need no egress to Key Vault, and an egress policy would cut the app's
 * own traffic. With no declared port the pods accept no ingress at all.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class WorkloadNetworkPolicy extends Construct {
  readonly name: string;
  readonly namespace: string;
  readonly resource: kplus.k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: WorkloadNetworkPolicyProps) {
    super(scope, id);
    const d = props.deployment;
    const subject = `NetworkPolicy ${d.namespace}/${d.name}`;
    const namespaces = props.allowFromNamespaces ?? DEPLOYMENT_DEFAULTS.networkPolicy.allowFromNamespaces;
    const podLabels = props.allowFromPodLabels ?? DEPLOYMENT_DEFAULTS.networkPolicy.allowFromPodLabels;
    namespaces.forEach((n, i) => {
      if (!DNS1123_LABEL_RULE.test(n)) throw constructError(subject, `allowFromNamespaces[${i}]`, n, DNS1123_LABEL_RULE.fix);
    });
    for (const [key, value] of Object.entries(podLabels)) {
      if (!LABEL_KEY_RULE.test(key)) throw constructError(subject, `allowFromPodLabels.${key}`, key, LABEL_KEY_RULE.fix);
      if (!LABEL_VALUE_RULE.test(value)) throw constructError(subject, `allowFromPodLabels.${key}`, value, LABEL_VALUE_RULE.fix);
    }
    this.name = d.name;
    this.namespace = d.namespace;

    // An empty namespaceSelector selects every namespace; a peer with both selectors needs both.
    const podSelector = Object.keys(podLabels).length > 0 ? { podSelector: { matchLabels: { ...podLabels } } } : {};
    const from =
      namespaces.length > 0
        ? [...new Set(namespaces)].sort().map((n) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: n } }, ...podSelector }))
        : [{ namespaceSelector: {}, ...podSelector }];
    const ports = d.ports.map((p) => ({ port: kplus.k8s.IntOrString.fromNumber(p.containerPort), protocol: p.protocol ?? 'TCP' }));

    this.resource = new kplus.k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: {
        name: d.name,
        namespace: d.namespace,
        labels: { ...d.selector },
        ...(props.annotations && Object.keys(props.annotations).length > 0 ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        podSelector: { matchLabels: { ...d.selector } },
        policyTypes: ['Ingress'],
        ingress: ports.length > 0 ? [{ from, ports }] : [],
      },
    });
  }
}
