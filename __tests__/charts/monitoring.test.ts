/**
 * `monitoring` in the rendered folder (issue 15): PodMonitors for the add-on's driver and provider
 * pods, and with the Prometheus operator a PrometheusRule, each validated against its vendored CRD.
 */
import { readFileSync } from 'node:fs';
import { Chart, Testing } from 'cdk8s';
import { AddOnPodMonitor } from '../../charts/add-on-pod-monitor';
import { renderEnvironment } from '../../charts';
import { ADDON_METRICS } from '../../lib/csi-driver';
import { secretDeliveryAlerts, unknownSeries } from '../../lib/monitoring';
import { crdValidator } from '../support/crd';
import { exampleModel, exampleOutputs, modelFromYaml, objectsOf, outputsFor, type RenderedObject } from './fixtures';

const OPERATOR_CRDS = {
  PodMonitor: ['imports/crds/monitoring.coreos.com_podmonitors.yaml', 'v1'],
  PrometheusRule: ['imports/crds/monitoring.coreos.com_prometheusrules.yaml', 'v1'],
} as const;
const MANAGED_CRD = ['imports/crds/azmonitoring.coreos.com_podmonitors.yaml', 'v1'] as const;

/** environments/dev.yaml with `monitoring` appended. */
function devWith(monitoring: string): RenderedObject[] {
  const source = `${readFileSync('environments/dev.yaml', 'utf8')}\nmonitoring:\n${monitoring}`;
  const model = modelFromYaml('dev', source);
  return objectsOf(renderEnvironment(model, outputsFor(model)));
}

const strip = ({ file: _file, ...o }: RenderedObject) => o;

describe('operator flavour (monitoring.coreos.com)', () => {
  const objects = devWith('  prometheus: operator\n');
  const podMonitors = objects.filter((o) => o.kind === 'PodMonitor');
  const rule = objects.find((o) => o.kind === 'PrometheusRule') as any;

  test('two PodMonitors and one PrometheusRule in kube-system, labelled for kube-prometheus-stack by default', () => {
    expect(podMonitors.map((o) => `${o.apiVersion} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'monitoring.coreos.com/v1 kube-system/secrets-store-csi-driver-metrics',
      'monitoring.coreos.com/v1 kube-system/secrets-store-provider-azure-metrics',
    ]);
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toEqual({ name: 'secrets-store-csi-alerts', namespace: 'kube-system', labels: { release: 'kube-prometheus-stack' } });
    for (const m of podMonitors) expect(m.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
  });

  test.each([...Object.entries(OPERATOR_CRDS)])('every %s validates against the vendored CRD (prometheus-operator 0.93)', (kind, [file, version]) => {
    const validate = crdValidator(file, version);
    const ofKind = objects.filter((o) => o.kind === kind);
    expect(ofKind.length).toBeGreaterThan(0);
    for (const o of ofKind) expect(validate(strip(o)) ? [] : validate.errors).toEqual([]);
  });

  test('the validators can fail: a port number as a string, an expression as a list', () => {
    const pm = structuredClone(strip(podMonitors[0])) as any;
    pm.spec.podMetricsEndpoints[0].portNumber = '8095';
    expect(crdValidator(...OPERATOR_CRDS.PodMonitor)(pm)).toBe(false);
    const pr = structuredClone(strip(rule)) as any;
    pr.spec.groups[0].rules[0].expr = ['up'];
    expect(crdValidator(...OPERATOR_CRDS.PrometheusRule)(pr)).toBe(false);
  });

  test("each PodMonitor selects the add-on's app label in kube-system and scrapes its port by number, with job set to that label (driver :8095, provider :8898)", () => {
    expect(podMonitors.map((o: any) => o.spec)).toEqual(
      [ADDON_METRICS.driver, ADDON_METRICS.provider].map((e) => ({
        selector: { matchLabels: { app: e.appLabel } },
        namespaceSelector: { matchNames: ['kube-system'] },
        podMetricsEndpoints: [
          { portNumber: e.port, path: '/metrics', interval: '30s', relabelings: [{ action: 'replace', targetLabel: 'job', replacement: e.appLabel }] },
        ],
      })),
    );
  });

  test('the PrometheusRule carries every alert of lib/monitoring.ts, with severity label, summary and description', () => {
    const alerts = secretDeliveryAlerts({ alertFor: '5m', keyVaultLatencySeconds: 2 });
    expect(rule.spec.groups).toHaveLength(1);
    expect(rule.spec.groups[0].name).toBe('secrets-store-csi');
    expect(rule.spec.groups[0].rules).toEqual(
      alerts.map((a) => ({
        alert: a.alert,
        expr: a.expr,
        for: '5m',
        labels: { severity: a.severity },
        annotations: { summary: a.summary, description: a.description },
      })),
    );
  });

  test('every rendered expression reads only series the driver and provider export (kubernetes-sigs/secrets-store-csi-driver pkg/secrets-store/stats_reporter.go; Azure/secrets-store-csi-driver-provider-azure pkg/metrics/stats_reporter.go)', () => {
    for (const r of rule.spec.groups[0].rules) expect([r.alert, unknownSeries(r.expr)]).toEqual([r.alert, []]);
  });

  test('selectorLabels, scrapeInterval, alertFor and keyVaultLatencySeconds reach the objects', () => {
    const custom = devWith(
      '  prometheus: operator\n  selectorLabels: { prometheus: platform }\n  scrapeInterval: 1m\n  alertFor: 15m\n  keyVaultLatencySeconds: 5\n',
    );
    const pm = custom.find((o) => o.kind === 'PodMonitor') as any;
    expect(pm.metadata.labels).toEqual({ prometheus: 'platform' });
    expect(pm.spec.podMetricsEndpoints[0].interval).toBe('1m');
    const rules = (custom.find((o) => o.kind === 'PrometheusRule') as any).spec.groups[0].rules;
    expect(new Set(rules.map((r: any) => r.for))).toEqual(new Set(['15m']));
    expect(rules.find((r: any) => r.alert === 'KeyVaultRequestLatencyHigh').expr).toMatch(/\) > 5$/);
  });
});

describe('azure-managed flavour (azmonitoring.coreos.com): the prod example', () => {
  const objects = objectsOf(renderEnvironment(exampleModel('prod'), exampleOutputs('prod')));
  const podMonitors = objects.filter((o) => o.kind === 'PodMonitor');

  test('two azmonitoring.coreos.com/v1 PodMonitors without selector labels, and no PrometheusRule (the alerts live in Azure)', () => {
    expect(podMonitors.map((o) => `${o.apiVersion} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'azmonitoring.coreos.com/v1 kube-system/secrets-store-csi-driver-metrics',
      'azmonitoring.coreos.com/v1 kube-system/secrets-store-provider-azure-metrics',
    ]);
    for (const m of podMonitors) expect(m.metadata.labels).toBeUndefined();
    expect(objects.some((o) => o.kind === 'PrometheusRule')).toBe(false);
  });

  test('every PodMonitor validates against the vendored Azure/prometheus-collector CRD, which can fail', () => {
    const validate = crdValidator(...MANAGED_CRD);
    for (const o of podMonitors) expect(validate(strip(o)) ? [] : validate.errors).toEqual([]);
    const bad = structuredClone(strip(podMonitors[0])) as any;
    bad.spec.podMetricsEndpoints[0].relabelings[0].action = 'rewrite';
    expect(validate(bad)).toBe(false);
  });
});

describe('AddOnPodMonitor as a library construct', () => {
  test('fails an interval with two units, naming the value and the fix (prometheus/common model/time.go ParseDuration; one unit for ISO 8601)', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new AddOnPodMonitor(chart, 'pm', { component: 'driver', flavour: 'operator', interval: '1m30s' })).toThrow(
      'PodMonitor kube-system/secrets-store-csi-driver-metrics: interval "1m30s": use a whole number and one unit of s, m or h, such as "30s", "5m" or "1h"',
    );
  });
});

test("the PrometheusRule's error windows follow the environment's rotation interval (10m: 20m), from the environment file to the YAML", () => {
  const source = readFileSync('environments/dev.yaml', 'utf8').replace(/interval: 30s\b/, 'interval: 10m');
  expect(source).toContain('interval: 10m');
  const model = modelFromYaml('dev', `${source}\nmonitoring:\n  prometheus: operator\n`);
  const rule = objectsOf(renderEnvironment(model, outputsFor(model))).find((o) => o.kind === 'PrometheusRule') as unknown as {
    spec: { groups: { rules: { alert: string; expr: string }[] }[] };
  };
  const rotation = rule.spec.groups[0].rules.find((r) => r.alert === 'SecretsStoreRotationErrors');
  expect(rotation?.expr).toContain('rotation_reconcile_error_total{job="secrets-store-csi-driver"}[20m]');
  expect(rotation?.expr).toContain('offset 20m');
});
