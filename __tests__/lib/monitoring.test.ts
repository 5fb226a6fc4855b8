import { ADDON_METRICS, exportedSeriesNames } from '../../lib/csi-driver';
import { isoDuration, secretDeliveryAlerts, seriesIn, unknownSeries } from '../../lib/monitoring';

const alerts = secretDeliveryAlerts({ alertFor: '5m', keyVaultLatencySeconds: 2 });

// kubernetes-sigs/secrets-store-csi-driver v1.6.0 pkg/secrets-store/stats_reporter.go (NewStatsReporter) and
// pkg/metrics/prometheus_exporter.go (OpenTelemetry exporter: _total on counters, no unit suffix);
// Azure/secrets-store-csi-driver-provider-azure pkg/metrics/stats_reporter.go.
test('the exported series: driver counters with _total, histograms with _bucket/_sum/_count, never the total_* names of the old docs', () => {
  const names = exportedSeriesNames();
  expect(names.has('node_publish_error_total')).toBe(true);
  expect(names.has('k8s_secret_duration_sec_bucket')).toBe(true);
  expect(names.has('keyvault_request_count')).toBe(true);
  expect(names.has('total_node_publish_error')).toBe(false);
  expect(names.has('sync_k8s_secret_duration_sec_bucket')).toBe(false);
  expect(names.size).toBe(ADDON_METRICS.driver.counters.length + 3 * (ADDON_METRICS.driver.histograms.length + ADDON_METRICS.provider.histograms.length));
});

test.each(alerts.map((a) => [a.alert, a.expr]))('%s reads only exported series (or up)', (_alert, expr) => {
  expect(seriesIn(expr).length).toBeGreaterThan(0);
  expect(unknownSeries(expr)).toEqual([]);
});

test('unknownSeries can fail: the old docs name', () => {
  expect(unknownSeries('increase(total_node_publish_error{job="x"}[5m]) > 0')).toEqual(['total_node_publish_error']);
});

test('every alert names the metric it reads in its summary, and has a fix', () => {
  for (const a of alerts) {
    const base = seriesIn(a.expr).map((s) => s.replace(/_(bucket|count|sum)$/, ''));
    expect([a.alert, base.some((s) => a.summary.includes(s))]).toEqual([a.alert, true]);
    expect(a.description).toMatch(/Fix: /);
  }
});

test('error counters alert on a series that just appeared too (a driver pod exports a series only after its first error)', () => {
  const mount = alerts.find((a) => a.alert === 'SecretsStoreMountErrors')!;
  expect(mount.expr).toContain('unless node_publish_error_total{job="secrets-store-csi-driver"} offset 5m');
});

test('alert names are unique', () => {
  expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
});

test('isoDuration converts one-unit durations and refuses others', () => {
  expect(['30s', '5m', '1h'].map(isoDuration)).toEqual(['PT30S', 'PT5M', 'PT1H']);
  expect(() => isoDuration('1m30s')).toThrow(/not a one-unit Prometheus duration/);
});
