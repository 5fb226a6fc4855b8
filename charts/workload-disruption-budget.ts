/**
 * The PodDisruptionBudget of a workload with more than one replica.
 */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DEPLOYMENT_DEFAULTS } from '../lib/config/schema';
import { PDB_MAX_UNAVAILABLE_RULE } from '../lib/kubernetes';
import { constructError } from './construct-error';
import type { SecretsStoreDeployment } from './secrets-store-deployment';

export interface WorkloadDisruptionBudgetProps {
  /** The Deployment whose pods the budget covers; its name, namespace, selector and replicas. */
  readonly deployment: SecretsStoreDeployment;
  /**
   * Pods that may be down at once during a voluntary disruption (node drain, upgrade); 1 or more.
   * @default 1
   */
  readonly maxUnavailable?: number;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A PodDisruptionBudget named after the Deployment with `maxUnavailable` (1 by default), so a
 * node drain evicts the pods one at a time. Only for more than one replica: with one, a budget of
 * `maxUnavailable: 1` protects nothing, and one that forbids the eviction blocks every drain.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export class WorkloadDisruptionBudget extends Construct {
  /** Whether the Deployment has enough replicas for a budget (more than one). */
  static appliesTo(deployment: SecretsStoreDeployment): boolean {
    return deployment.replicas > 1;
  }

  readonly name: string;
  readonly namespace: string;
  readonly resource: kplus.k8s.KubePodDisruptionBudget;

  constructor(scope: Construct, id: string, props: WorkloadDisruptionBudgetProps) {
    super(scope, id);
    const d = props.deployment;
    const subject = `PodDisruptionBudget ${d.namespace}/${d.name}`;
    const maxUnavailable = props.maxUnavailable ?? DEPLOYMENT_DEFAULTS.podDisruptionBudget.maxUnavailable;
    if (!PDB_MAX_UNAVAILABLE_RULE.test(maxUnavailable)) throw constructError(subject, 'maxUnavailable', maxUnavailable, PDB_MAX_UNAVAILABLE_RULE.fix);
    if (!WorkloadDisruptionBudget.appliesTo(d)) {
      throw constructError(
        subject,
        'deployment',
        `${d.replicas} replicas`,
        'render a budget only for more than one replica: with one it blocks node drains or protects nothing',
      );
    }
    this.name = d.name;
    this.namespace = d.namespace;
    this.resource = new kplus.k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: {
        name: d.name,
        namespace: d.namespace,
        labels: { ...d.selector },
        ...(props.annotations && Object.keys(props.annotations).length > 0 ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        maxUnavailable: kplus.k8s.IntOrString.fromNumber(maxUnavailable),
        selector: { matchLabels: { ...d.selector } },
      },
    });
  }
}
