/**
 * The alerts on secret delivery (lib/monitoring.ts) as a Prometheus operator PrometheusRule in
 * kube-system, beside the PodMonitors of the pods they watch.
 */
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/prometheusrules-monitoring.coreos.com';
import { ALERT_GROUP, secretDeliveryAlerts, type AlertThresholds, type SecretDeliveryAlert } from '../lib/monitoring';
import { ADDON_POD_NAMESPACE } from './add-on-pod-monitor';

export interface SecretDeliveryPrometheusRuleProps {
  readonly thresholds: AlertThresholds;
  /**
   * Labels on the PrometheusRule (the Prometheus operator's `ruleSelector` matches them).
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * `secrets-store-csi-alerts` in kube-system: one group, `secrets-store-csi`, with every alert of
 * `secretDeliveryAlerts`; each carries `severity` as a label and `summary`/`description` as
 * annotations (the Alertmanager conventions of kube-prometheus-stack).
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusRule
 */
export class SecretDeliveryPrometheusRule extends Construct {
  readonly name = `${ALERT_GROUP}-alerts`;
  readonly namespace = ADDON_POD_NAMESPACE;
  readonly alerts: readonly SecretDeliveryAlert[];
  readonly resource: PrometheusRule;

  constructor(scope: Construct, id: string, props: SecretDeliveryPrometheusRuleProps) {
    super(scope, id);
    this.alerts = secretDeliveryAlerts(props.thresholds);
    this.resource = new PrometheusRule(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        ...(props.labels !== undefined && Object.keys(props.labels).length > 0 ? { labels: { ...props.labels } } : {}),
      },
      spec: {
        groups: [
          {
            name: ALERT_GROUP,
            rules: this.alerts.map((a) => ({
              alert: a.alert,
              expr: PrometheusRuleSpecGroupsRulesExpr.fromString(a.expr),
              for: a.for,
              labels: { severity: a.severity },
              annotations: { summary: a.summary, description: a.description },
            })),
          },
        ],
      },
    });
  }
}
