import { ADDON_METRICS, exportedSeriesNames } from '../../lib/csi-driver';
import { errorWindow, isoDuration, secretDeliveryAlerts, seriesIn, unknownSeries } from '../../lib/monitoring';

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

// A persistent failure recurs once per kubelet volume retry (backoff capped at 2m:
// kubernetes pkg/util/goroutinemap/exponentialbackoff maxDurationBeforeRetry), per republish
// (60-90 s, pod_workers.go) or per rotation interval, whichever is longest.
describe('the error alerts look back over at least two recurrences of a persistent failure', () => {
  const windowOf = (alert: string, rotationIntervalSeconds?: number) => {
    const a = secretDeliveryAlerts({
      alertFor: '5m',
      keyVaultLatencySeconds: 2,
      ...(rotationIntervalSeconds !== undefined ? { rotationIntervalSeconds } : {}),
    }).find((x) => x.alert === alert);
    return { for: a?.for, windows: [...new Set([...(a?.expr ?? '').matchAll(/\[(\w+)\]|offset (\w+)/g)].map((m) => m[1] ?? m[2]))] };
  };

  test('the AKS default rotation interval (2m): two kubelet retries (4m) fit in alertFor, the window stays 5m', () => {
    expect(errorWindow({ alertFor: '5m', keyVaultLatencySeconds: 2, rotationIntervalSeconds: 120 })).toBe('5m');
    expect(windowOf('SecretsStoreRotationErrors', 120)).toEqual({ for: '5m', windows: ['5m'] });
  });

  test.each(['SecretsStoreMountErrors', 'SecretsStoreRotationErrors', 'KeyVaultRequestErrors'])(
    '%s: rotation every 10m looks back 20m (a 5m window would see a failure every 10m half of the time, and "for: 5m" would never elapse); for stays alertFor',
    (alert) => {
      expect(windowOf(alert, 600)).toEqual({ for: '5m', windows: ['20m'] });
    },
  );

  test('a short alertFor is raised to two kubelet retries (4m), never below', () => {
    expect(errorWindow({ alertFor: '1m', keyVaultLatencySeconds: 2 })).toBe('4m');
    expect(errorWindow({ alertFor: '1h', keyVaultLatencySeconds: 2, rotationIntervalSeconds: 600 })).toBe('1h');
  });

  test('the latency and scrape alerts keep alertFor as their window', () => {
    const latency = secretDeliveryAlerts({ alertFor: '5m', keyVaultLatencySeconds: 2, rotationIntervalSeconds: 600 }).find(
      (a) => a.alert === 'KeyVaultRequestLatencyHigh',
    );
    expect(latency?.expr).toContain('[5m]');
  });
});
