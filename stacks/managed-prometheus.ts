import { MonitorAlertPrometheusRuleGroup } from '@cdktf/provider-azurerm/lib/monitor-alert-prometheus-rule-group';
import { MonitorDataCollectionEndpoint } from '@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint';
import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import { MonitorDataCollectionRuleAssociation } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import { MonitorWorkspace } from '@cdktf/provider-azurerm/lib/monitor-workspace';
import { Construct } from 'constructs';
import { fitName, MANAGED_PROMETHEUS } from '../lib/azure';
import { ALERT_GROUP, isoDuration, secretDeliveryAlerts, type AlertThresholds, type SecretDeliveryAlert } from '../lib/monitoring';
import { pinAddress } from './terraform-address';

export interface ManagedPrometheusProps {
  /** Cluster name: names the collection objects (`MSProm-<location>-<cluster>`, as the portal does) and scopes the rule group to its series. */
  readonly clusterName: string;
  /** The cluster's resource id (its `monitor_metrics` must be on). */
  readonly clusterId: string;
  /** The Azure Monitor workspace: created here (`name`), or an existing one's id. */
  readonly workspace: { readonly mode: 'create'; readonly name: string } | { readonly mode: 'existing'; readonly id: string };
  readonly thresholds: AlertThresholds;
  /** @default - the alerts notify nobody */
  readonly actionGroupId?: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Azure Monitor managed Prometheus for one cluster: the workspace (or an existing one), a data
 * collection endpoint and rule that forward the cluster's Prometheus metrics to it, their
 * associations with the cluster, and a Prometheus rule group with the secret-delivery alerts
 * (lib/monitoring.ts), evaluated in Azure on this cluster's series.
 * @see https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable
 * @see https://learn.microsoft.com/azure/azure-monitor/essentials/prometheus-rule-groups
 */
export class ManagedPrometheus extends Construct {
  /** The workspace's resource id. */
  readonly workspaceId: string;
  readonly workspace?: MonitorWorkspace;
  readonly endpoint: MonitorDataCollectionEndpoint;
  readonly rule: MonitorDataCollectionRule;
  readonly ruleAssociation: MonitorDataCollectionRuleAssociation;
  readonly endpointAssociation: MonitorDataCollectionRuleAssociation;
  readonly ruleGroup: MonitorAlertPrometheusRuleGroup;
  readonly alerts: readonly SecretDeliveryAlert[];

  constructor(scope: Construct, id: string, props: ManagedPrometheusProps) {
    super(scope, id);
    const tags = { ...(props.tags ?? {}) };
    if (props.workspace.mode === 'create') {
      this.workspace = pinAddress(
        new MonitorWorkspace(this, 'workspace', { name: props.workspace.name, resourceGroupName: props.resourceGroupName, location: props.location, tags }),
        'managed_prometheus',
      );
      this.workspaceId = this.workspace.id;
    } else {
      this.workspaceId = props.workspace.id;
    }
    const name = fitName(`MSProm-${props.location}-${props.clusterName}`, MANAGED_PROMETHEUS.nameMax);
    this.endpoint = pinAddress(
      new MonitorDataCollectionEndpoint(this, 'endpoint', {
        name,
        kind: MANAGED_PROMETHEUS.kind,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        tags,
      }),
      'managed_prometheus',
    );
    const destination = MANAGED_PROMETHEUS.destinationName;
    this.rule = pinAddress(
      new MonitorDataCollectionRule(this, 'rule', {
        name,
        kind: MANAGED_PROMETHEUS.kind,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        dataCollectionEndpointId: this.endpoint.id,
        dataSources: { prometheusForwarder: [{ name: MANAGED_PROMETHEUS.dataSourceName, streams: [MANAGED_PROMETHEUS.stream] }] },
        destinations: { monitorAccount: [{ name: destination, monitorAccountId: this.workspaceId }] },
        dataFlow: [{ streams: [MANAGED_PROMETHEUS.stream], destinations: [destination] }],
        description: `Managed Prometheus metrics of cluster ${props.clusterName}`,
        tags,
      }),
      'managed_prometheus',
    );
    this.ruleAssociation = pinAddress(
      new MonitorDataCollectionRuleAssociation(this, 'rule-association', {
        name,
        targetResourceId: props.clusterId,
        dataCollectionRuleId: this.rule.id,
      }),
      'managed_prometheus_rule',
    );
    this.endpointAssociation = pinAddress(
      new MonitorDataCollectionRuleAssociation(this, 'endpoint-association', {
        name: MANAGED_PROMETHEUS.endpointAssociationName,
        targetResourceId: props.clusterId,
        dataCollectionEndpointId: this.endpoint.id,
      }),
      'managed_prometheus_endpoint',
    );
    this.alerts = secretDeliveryAlerts(props.thresholds);
    this.ruleGroup = pinAddress(
      new MonitorAlertPrometheusRuleGroup(this, 'rule-group', {
        name: fitName(`${ALERT_GROUP}-${props.clusterName}`, 260),
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        clusterName: props.clusterName,
        scopes: [this.workspaceId],
        interval: 'PT1M',
        ruleGroupEnabled: true,
        description: 'Secret delivery from Key Vault (Secrets Store CSI driver and Azure provider), rendered by aks-keyvault-csi',
        rule: this.alerts.map((a) => ({
          alert: a.alert,
          expression: a.expr,
          for: isoDuration(a.for),
          severity: MANAGED_PROMETHEUS.severity[a.severity],
          enabled: true,
          labels: { severity: a.severity },
          annotations: { summary: a.summary, description: a.description },
          alertResolution: { autoResolved: true, timeToResolve: 'PT10M' },
          ...(props.actionGroupId !== undefined ? { action: [{ actionGroupId: props.actionGroupId }] } : {}),
        })),
        tags,
      }),
      'secret_delivery',
    );
  }
}
