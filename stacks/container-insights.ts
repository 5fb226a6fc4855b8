import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import { MonitorDataCollectionRuleAssociation } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import { Construct } from 'constructs';
import { CONTAINER_INSIGHTS, fitName } from '../lib/azure';
import { pinAddress } from './terraform-address';

export interface ContainerInsightsProps {
  /** Cluster name (names the rule, as the CLI does: `MSCI-<location>-<cluster>`). */
  readonly clusterName: string;
  /** The cluster's resource id. */
  readonly clusterId: string;
  readonly workspaceId: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * What Container Insights with managed-identity auth needs besides the add-on: a data collection
 * rule (the ContainerInsights extension's default streams, to the workspace) associated with the
 * cluster. The CLI and the portal create it; without it the agent runs and sends nothing.
 * @see https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable
 */
export class ContainerInsights extends Construct {
  readonly rule: MonitorDataCollectionRule;
  readonly association: MonitorDataCollectionRuleAssociation;

  constructor(scope: Construct, id: string, props: ContainerInsightsProps) {
    super(scope, id);
    const destination = 'workspace';
    this.rule = pinAddress(
      new MonitorDataCollectionRule(this, 'rule', {
        name: fitName(`MSCI-${props.location}-${props.clusterName}`, CONTAINER_INSIGHTS.ruleNameMax),
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        dataSources: {
          extension: [
            {
              name: CONTAINER_INSIGHTS.associationName,
              extensionName: CONTAINER_INSIGHTS.extensionName,
              streams: [CONTAINER_INSIGHTS.stream],
              extensionJson: JSON.stringify({ dataCollectionSettings: { interval: '1m', namespaceFilteringMode: 'Off', enableContainerLogV2: true } }),
            },
          ],
        },
        destinations: { logAnalytics: [{ name: destination, workspaceResourceId: props.workspaceId }] },
        dataFlow: [{ streams: [CONTAINER_INSIGHTS.stream], destinations: [destination] }],
        tags: { ...(props.tags ?? {}) },
      }),
      'container_insights',
    );
    this.association = pinAddress(
      new MonitorDataCollectionRuleAssociation(this, 'association', {
        name: CONTAINER_INSIGHTS.associationName,
        targetResourceId: props.clusterId,
        dataCollectionRuleId: this.rule.id,
      }),
      'container_insights',
    );
  }
}
