/**
 * verify's `pod-monitor` and `scrape-targets` checks (issue 15), on plain data, and through the
 * command with the in-memory cluster.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderEnvironment } from '../../charts/render';
import type { ClusterReader } from '../../verify/cluster';
import { verifyCommand } from '../../verify/command';
import { checkPodMonitor, checkScrapeTargets, expectedPodMonitors, type ExpectedPodMonitor } from '../../verify/monitoring';
import { captureReporter } from '../support/reporter';
import { exampleModel, exampleOutputs } from '../support/models';
import {
  addonPod,
  deployment,
  driverDaemonSet,
  MONITORED_ENV_YAML,
  model,
  namespace,
  outputs,
  pod,
  podStatus,
  providerDaemonSet,
  serviceAccount,
} from './fixtures';

const DRIVER: ExpectedPodMonitor = {
  apiVersion: 'monitoring.coreos.com/v1',
  namespace: 'kube-system',
  name: 'secrets-store-csi-driver-metrics',
  selector: { app: 'secrets-store-csi-driver' },
  port: 8095,
  job: 'secrets-store-csi-driver',
};
const live = { apiVersion: DRIVER.apiVersion, kind: 'PodMonitor', metadata: { name: DRIVER.name, namespace: DRIVER.namespace } };

describe('expectedPodMonitors', () => {
  test('reads the rendered PodMonitors of the prod example: group, selector, port by number, job', () => {
    expect(expectedPodMonitors(renderEnvironment(exampleModel('prod'), exampleOutputs('prod')))).toEqual([
      { ...DRIVER, apiVersion: 'azmonitoring.coreos.com/v1' },
      {
        apiVersion: 'azmonitoring.coreos.com/v1',
        namespace: 'kube-system',
        name: 'secrets-store-provider-azure-metrics',
        selector: { app: 'secrets-store-provider-azure' },
        port: 8898,
        job: 'secrets-store-provider-azure',
      },
    ]);
  });

  test('none without monitoring (dev)', () => {
    expect(expectedPodMonitors(renderEnvironment(exampleModel('dev'), exampleOutputs('dev')))).toEqual([]);
  });
});

describe('checkPodMonitor', () => {
  test('passes: it exists and selects running pods that declare the port', () => {
    const out = checkPodMonitor(DRIVER, live, [addonPod('a', 'secrets-store-csi-driver', 8095), addonPod('b', 'secrets-store-csi-driver', 8095)]);
    expect(out).toEqual([
      {
        severity: 'ok',
        rule: 'pod-monitor',
        where: 'kube-system/secrets-store-csi-driver-metrics',
        message: 'exists and selects 2 running pods that declare port 8095',
      },
    ]);
  });

  test('fails when the PodMonitor is not in the cluster (or its CRD is not installed)', () => {
    const [f] = checkPodMonitor(DRIVER, undefined, [addonPod('a', 'secrets-store-csi-driver', 8095)]);
    expect(f).toMatchObject({ severity: 'error', rule: 'pod-monitor' });
    expect(f.message).toBe(
      "PodMonitor (monitoring.coreos.com/v1) not found: the add-on's secrets-store-csi-driver pods are not scraped and the alerts on them never fire",
    );
  });

  test('fails when no running pod matches its selector (the add-on is off)', () => {
    const [f] = checkPodMonitor(DRIVER, live, [addonPod('a', 'secrets-store-csi-driver', 8095, 'Pending')]);
    expect(f).toMatchObject({ severity: 'error', message: 'no running pod in kube-system matches app=secrets-store-csi-driver: nothing is scraped' });
  });

  // prometheus-operator: portNumber becomes a keep relabeling on __meta_kubernetes_pod_container_port_number.
  test('fails when matching pods do not declare the port (portNumber selects declared ports only)', () => {
    const [f] = checkPodMonitor(DRIVER, live, [addonPod('a', 'secrets-store-csi-driver', 8095), addonPod('b', 'secrets-store-csi-driver')]);
    expect(f).toMatchObject({ severity: 'error', rule: 'pod-monitor' });
    expect(f.message).toMatch(/^1\/2 pods matching app=secrets-store-csi-driver declare no container port 8095 \(e\.g\. b\)/);
  });
});

describe('checkScrapeTargets', () => {
  const pods = [addonPod('a', 'secrets-store-csi-driver', 8095), addonPod('b', 'secrets-store-csi-driver', 8095)];
  const url = 'http://localhost:9090';

  test('passes when every pod has an up series of 1', () => {
    expect(
      checkScrapeTargets(
        DRIVER,
        pods,
        [
          { pod: 'a', value: 1 },
          { pod: 'b', value: 1 },
        ],
        url,
      )[0],
    ).toMatchObject({ severity: 'ok', rule: 'scrape-targets' });
  });

  test('fails without any up series: the PodMonitor is not picked up (namespace or label selector of the Prometheus)', () => {
    const [f] = checkScrapeTargets(DRIVER, pods, [], url);
    expect(f).toMatchObject({
      severity: 'error',
      message: 'Prometheus at http://localhost:9090 has no up{job="secrets-store-csi-driver"} series: the PodMonitor is not picked up',
    });
  });

  test('fails when a target is down', () => {
    const [f] = checkScrapeTargets(
      DRIVER,
      pods,
      [
        { pod: 'a', value: 1 },
        { pod: 'b', value: 0 },
      ],
      url,
    );
    expect(f).toMatchObject({ severity: 'error', message: '1/2 targets of job secrets-store-csi-driver are down (b): their scrapes fail' });
  });

  test('warns when fewer targets than running pods', () => {
    expect(checkScrapeTargets(DRIVER, pods, [{ pod: 'a', value: 1 }], url)[0]).toMatchObject({ severity: 'warning', rule: 'scrape-targets' });
  });
});

describe('verify with monitoring (in-memory cluster)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'verify-monitoring-'));
  const config = path.join(dir, 'test.yaml');
  const outputsFile = path.join(dir, 'test.outputs.json');
  writeFileSync(config, MONITORED_ENV_YAML);
  writeFileSync(outputsFile, JSON.stringify({ aks_keyvault_csi: { value: outputs(), type: ['object', {}], sensitive: false } }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rendered = renderEnvironment(model(MONITORED_ENV_YAML), outputs());
  const spc = rendered.find((f) => f.path.startsWith('secretproviderclass-'))!.object;
  const cluster = (podMonitors: readonly string[]): ClusterReader => ({
    server: 'https://aks-test.hcp.westeurope.azmk8s.io:443',
    context: 'aks-test',
    listDaemonSets: async () => [driverDaemonSet(), providerDaemonSet()],
    readNamespace: async () => namespace(),
    readServiceAccount: async () => serviceAccount(),
    readDeployment: async () => deployment(),
    listDeployments: async () => [],
    listPods: async (ns, selector) =>
      ns !== 'kube-system'
        ? [pod('demo-app-7c9d8f6b5-q8w2n'), pod('demo-app-7c9d8f6b5-x2k4p')]
        : selector === 'app=secrets-store-csi-driver'
          ? [addonPod('d1', 'secrets-store-csi-driver', 8095)]
          : [addonPod('p1', 'secrets-store-provider-azure', 8898)],
    listEvents: async () => [],
    readSecretProviderClass: async () => spc as never,
    listPodStatuses: async () => [podStatus('demo-app-7c9d8f6b5-q8w2n'), podStatus('demo-app-7c9d8f6b5-x2k4p')],
    exec: async () => ({ stdout: '', stderr: '', ok: true }),
    readCustomObject: async (apiVersion, plural, ns, name) =>
      apiVersion === 'monitoring.coreos.com/v1' && plural === 'podmonitors' && ns === 'kube-system' && podMonitors.includes(name)
        ? { metadata: { name } }
        : undefined,
  });
  const run = async (podMonitors: readonly string[], prometheusUrl?: string, up: Record<string, number> = {}) => {
    const c = captureReporter({ json: true });
    const queries: string[] = [];
    const code = await verifyCommand({ env: 'test', config, outputs: outputsFile, exec: false, ...(prometheusUrl ? { prometheusUrl } : {}) }, c.reporter, {
      connect: async () => cluster(podMonitors),
      queryPrometheus: async (_url, q) => (queries.push(q), q in up ? [{ value: up[q] }] : []),
    });
    const doc = JSON.parse(c.out()) as { findings: { rule: string; severity: string; where: string }[] };
    return {
      code,
      queries,
      found: doc.findings.filter((f) => f.rule === 'pod-monitor' || f.rule === 'scrape-targets').map((f) => `${f.rule} ${f.severity} ${f.where}`),
    };
  };

  test('both PodMonitors present: two passes, and no Prometheus query without --prometheus-url', async () => {
    const r = await run(['secrets-store-csi-driver-metrics', 'secrets-store-provider-azure-metrics']);
    expect(r.found).toEqual(['pod-monitor ok kube-system/secrets-store-csi-driver-metrics', 'pod-monitor ok kube-system/secrets-store-provider-azure-metrics']);
    expect(r.queries).toEqual([]);
  });

  test('a missing PodMonitor fails the run (exit 1)', async () => {
    const r = await run(['secrets-store-csi-driver-metrics']);
    expect(r.code).toBe(1);
    expect(r.found).toContain('pod-monitor error kube-system/secrets-store-provider-azure-metrics');
  });

  test('with --prometheus-url: up{job=...} per PodMonitor; a job Prometheus does not know fails', async () => {
    const r = await run(['secrets-store-csi-driver-metrics', 'secrets-store-provider-azure-metrics'], 'http://localhost:9090', {
      'up{job="secrets-store-csi-driver"}': 1,
    });
    expect(r.queries).toEqual(['up{job="secrets-store-csi-driver"}', 'up{job="secrets-store-provider-azure"}']);
    expect(r.found).toEqual([
      'pod-monitor ok kube-system/secrets-store-csi-driver-metrics',
      'scrape-targets ok kube-system/secrets-store-csi-driver-metrics',
      'pod-monitor ok kube-system/secrets-store-provider-azure-metrics',
      'scrape-targets error kube-system/secrets-store-provider-azure-metrics',
    ]);
  });
});
