import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { Construct } from 'constructs';
import { LOG_ANALYTICS_RETENTION_DAYS, LOG_ANALYTICS_WORKSPACE_ID_RULE, LOG_ANALYTICS_WORKSPACE_NAME_RULE } from '../lib/azure';
import type { LogAnalyticsConfig } from '../lib/config/schema';
import { assertRule } from '../lib/rule';
import { pinAddress } from './terraform-address';

export interface LogAnalyticsProps {
  /** Create a workspace (name, retention) or use an existing one (id). */
  readonly workspace: LogAnalyticsConfig;
  /** Resource group of a created workspace. */
  readonly resourceGroupName: string;
  readonly location: string;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The Log Analytics workspace the cluster's Container Insights and Defender, and the vault's
 * audit log, report to: a new PerGB2018 workspace, or an existing one by id.
 * @see https://learn.microsoft.com/azure/azure-monitor/logs/log-analytics-workspace-overview
 */
export class LogAnalytics extends Construct {
  /** The workspace's resource id (a reference, or the existing id). */
  readonly workspaceId: string;
  readonly workspace?: LogAnalyticsWorkspace;

  constructor(scope: Construct, id: string, props: LogAnalyticsProps) {
    super(scope, id);
    const w = props.workspace;
    if (w.mode === 'existing') {
      assertRule(LOG_ANALYTICS_WORKSPACE_ID_RULE, w.id, 'LogAnalytics');
      this.workspaceId = w.id;
      return;
    }
    assertRule(LOG_ANALYTICS_WORKSPACE_NAME_RULE, w.name, 'LogAnalytics');
    if (!Number.isInteger(w.retentionDays) || w.retentionDays < LOG_ANALYTICS_RETENTION_DAYS.min || w.retentionDays > LOG_ANALYTICS_RETENTION_DAYS.max) {
      throw new Error(
        `LogAnalytics "${w.name}": retentionDays ${w.retentionDays}: use ${LOG_ANALYTICS_RETENTION_DAYS.min} to ${LOG_ANALYTICS_RETENTION_DAYS.max}`,
      );
    }
    this.workspace = pinAddress(
      new LogAnalyticsWorkspace(this, 'workspace', {
        name: w.name,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        sku: 'PerGB2018',
        retentionInDays: w.retentionDays,
        tags: { ...(props.tags ?? {}) },
      }),
      'this',
    );
    this.workspaceId = this.workspace.id;
  }
}
