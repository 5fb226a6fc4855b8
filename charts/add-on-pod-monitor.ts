/**
 * A PodMonitor for one component of the AKS secrets-store add-on (the driver or the Azure
 * provider): its pods in kube-system, by their `app` label, scraped on the metrics port by number.
 */
import { Construct } from 'constructs';
import { PodMonitor as ManagedPodMonitor, PodMonitorSpecPodMetricsEndpointsRelabelingsAction as ManagedAction } from '../imports/azmonitoring.coreos.com';
import {
  PodMonitor as OperatorPodMonitor,
  PodMonitorSpecPodMetricsEndpointsRelabelingsAction as OperatorAction,
} from '../imports/podmonitors-monitoring.coreos.com';
import { MANAGED_PROMETHEUS } from '../lib/azure';
import { ADDON_APP_LABEL, ADDON_METRICS, type AddonComponent } from '../lib/csi-driver';
import { PROMETHEUS_OPERATOR } from '../lib/kubernetes';
import { PROMETHEUS_DURATION_RULE, scrapeJob } from '../lib/monitoring';
import { constructError } from './construct-error';

/** Which Prometheus reads the PodMonitor: the Prometheus operator's, or Azure Monitor managed Prometheus's agent. */
export type PrometheusFlavour = 'operator' | 'azure-managed';

/** Namespace of the add-on's pods (the AKS add-on installs them there). */
export const ADDON_POD_NAMESPACE = 'kube-system';

export interface AddOnPodMonitorProps {
  readonly component: AddonComponent;
  readonly flavour: PrometheusFlavour;
  /** Scrape interval (a Prometheus duration with one unit). */
  readonly interval: string;
  /**
   * Labels on the PodMonitor (the Prometheus operator's `podMonitorSelector` matches them).
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * `secrets-store-csi-driver-metrics` or `secrets-store-provider-azure-metrics` in kube-system.
 * The port is named by number (`portNumber`): the upstream manifests call it `metrics`, but the
 * AKS add-on's manifests are not public. The relabeling sets `job` to the pods' `app` label, so
 * the alerts (lib/monitoring.ts) select the same job in both flavours.
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor
 * @see https://learn.microsoft.com/azure/azure-monitor/containers/prometheus-metrics-scrape-crd
 */
export class AddOnPodMonitor extends Construct {
  readonly name: string;
  readonly namespace = ADDON_POD_NAMESPACE;
  readonly selector: Readonly<Record<string, string>>;
  readonly port: number;
  readonly resource: OperatorPodMonitor | ManagedPodMonitor;

  constructor(scope: Construct, id: string, props: AddOnPodMonitorProps) {
    super(scope, id);
    const endpoint = ADDON_METRICS[props.component];
    this.name = `${endpoint.appLabel}-metrics`;
    if (!PROMETHEUS_DURATION_RULE.test(props.interval)) {
      throw constructError(`PodMonitor ${this.namespace}/${this.name}`, 'interval', props.interval, PROMETHEUS_DURATION_RULE.fix);
    }
    this.selector = { [ADDON_APP_LABEL]: endpoint.appLabel };
    this.port = endpoint.port;
    const metadata = {
      name: this.name,
      namespace: this.namespace,
      ...(props.labels !== undefined && Object.keys(props.labels).length > 0 ? { labels: { ...props.labels } } : {}),
    };
    const selector = { matchLabels: { ...this.selector } };
    const namespaceSelector = { matchNames: [this.namespace] };
    const endpointBase = { portNumber: endpoint.port, path: endpoint.path, interval: props.interval };
    const job = { targetLabel: 'job', replacement: scrapeJob(props.component) };
    this.resource =
      props.flavour === 'operator'
        ? new OperatorPodMonitor(this, 'Resource', {
            metadata,
            spec: { selector, namespaceSelector, podMetricsEndpoints: [{ ...endpointBase, relabelings: [{ action: OperatorAction.REPLACE, ...job }] }] },
          })
        : new ManagedPodMonitor(this, 'Resource', {
            metadata,
            spec: { selector, namespaceSelector, podMetricsEndpoints: [{ ...endpointBase, relabelings: [{ action: ManagedAction.REPLACE, ...job }] }] },
          });
    // Keep the API versions in one home (lib/); the generated classes carry the same.
    const expected = props.flavour === 'operator' ? PROMETHEUS_OPERATOR.apiVersion : MANAGED_PROMETHEUS.podMonitorApiVersion;
    if (this.resource.apiVersion !== expected)
      throw new Error(`AddOnPodMonitor: imports/ generated ${this.resource.apiVersion}, lib/ says ${expected} (regenerate imports/)`);
  }
}
