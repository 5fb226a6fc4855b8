/**
 * Monitoring objects among the manifests (issue 15): a PodMonitor that selects the add-on's
 * driver or provider pods must scrape their metrics port, and a PrometheusRule must read series
 * the driver and provider export (the old docs' `total_*` names never reach the wire).
 */
import { ADDON_APP_LABEL, ADDON_METRICS, exportedSeriesNames, OLD_DOC_SERIES, type AddonComponent } from '../lib/csi-driver';
import { SCRAPE_UP_SERIES, scrapeJob, seriesIn } from '../lib/monitoring';
import type { Findings } from './finding';
import type { ManifestIndex } from './manifests';
import { list, rec, str } from './values';

const COMPONENTS = (Object.keys(ADDON_METRICS) as AddonComponent[]).map((key) => ({ key, ...ADDON_METRICS[key] }));

/** PodMonitors (either API group) selecting an add-on component: each endpoint scrapes its port. */
function checkPodMonitors(mf: ManifestIndex, out: Findings): void {
  for (const pm of mf.ofKind('PodMonitor')) {
    const spec = rec(pm.body['spec']);
    const app = str(rec(rec(spec['selector'])['matchLabels'])[ADDON_APP_LABEL]);
    const component = COMPONENTS.find((c) => c.appLabel === app);
    if (component === undefined) continue;
    list(spec['podMetricsEndpoints']).forEach((e, i) => {
      const endpoint = rec(e);
      const number = endpoint['portNumber'] ?? endpoint['targetPort'];
      if (typeof number === 'number' && number !== component.port) {
        out.add(
          'pod-monitor-port',
          pm.where(`spec.podMetricsEndpoints[${i}]`),
          `${pm.ref} scrapes port ${number} of the ${component.component} pods (app=${component.appLabel}), which serve metrics on ${component.port}`,
          `set portNumber: ${component.port}`,
        );
      }
    });
  }
}

/** PrometheusRules: no old-docs name anywhere, and only exported series under an add-on job. */
function checkPrometheusRules(mf: ManifestIndex, out: Findings): void {
  const exported = exportedSeriesNames();
  const jobs = COMPONENTS.map((c) => scrapeJob(c.key));
  for (const pr of mf.ofKind('PrometheusRule')) {
    list(rec(pr.body['spec'])['groups']).forEach((g, gi) => {
      list(rec(g)['rules']).forEach((r, ri) => {
        const expr = str(rec(r)['expr']);
        if (expr === undefined) return;
        const addonJob = jobs.some((j) => expr.includes(`job="${j}"`));
        for (const series of seriesIn(expr)) {
          const renamed = OLD_DOC_SERIES[series];
          if (renamed === undefined && !(addonJob && series !== SCRAPE_UP_SERIES && !exported.has(series))) continue;
          out.add(
            'prometheus-rule-series',
            pr.where(`spec.groups[${gi}].rules[${ri}].expr`),
            `${pr.ref}: "${series}" is not a series the Secrets Store CSI driver or its Azure provider exports: the rule never fires`,
            renamed !== undefined ? `use ${renamed} (the OpenTelemetry exporter appends _total to counters)` : `use one of ${[...exported].sort().join(', ')}`,
          );
        }
      });
    });
  }
}

export function checkMonitoring(mf: ManifestIndex, out: Findings): void {
  checkPodMonitors(mf, out);
  checkPrometheusRules(mf, out);
}
