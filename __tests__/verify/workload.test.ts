import {
  checkDeployment,
  checkMountedFiles,
  checkNamespace,
  checkPods,
  checkPodStatuses,
  checkServiceAccount,
  labelSelectorOf,
  mountedVersion,
  mountTarget,
  objectId,
  parseLsOutput,
  podsOf,
} from '../../verify/workload';
import { CERT_V, CLIENT_ID, deployment, ENV_YAML, model, namespace, pod, podStatus, serviceAccount, V1, V2 } from './fixtures';
import { fixOf } from '../support/findings';

const w = model().workloads[0];
const P1 = 'demo-app-7c9d8f6b5-q8w2n';
const P2 = 'demo-app-7c9d8f6b5-x2k4p';

describe('checkNamespace', () => {
  it('passes, fails when missing, fails when terminating', () => {
    expect(checkNamespace('demo', namespace())).toMatchObject({ severity: 'ok' });
    expect(checkNamespace('demo', undefined)).toMatchObject({ severity: 'error', message: 'namespace does not exist' });
    expect(checkNamespace('demo', namespace('demo', 'Terminating'))).toMatchObject({ severity: 'error', message: 'namespace is being deleted (Terminating)' });
  });
});

describe('checkServiceAccount', () => {
  it('passes with the client id from the outputs (case-insensitive)', () => {
    expect(checkServiceAccount(w, CLIENT_ID, serviceAccount())).toMatchObject({ severity: 'ok', where: 'demo/demo-app' });
    expect(checkServiceAccount(w, CLIENT_ID, serviceAccount(CLIENT_ID.toUpperCase()))).toMatchObject({ severity: 'ok' });
  });

  it('fails when missing, unannotated, or annotated with another client id', () => {
    expect(checkServiceAccount(w, CLIENT_ID, undefined)).toMatchObject({ severity: 'error' });
    expect(checkServiceAccount(w, CLIENT_ID, serviceAccount(null)).message).toBe(
      `annotation azure.workload.identity/client-id is missing (expected ${CLIENT_ID})`,
    );
    const other = checkServiceAccount(w, CLIENT_ID, serviceAccount('00000000-0000-0000-0000-0000000000ff'));
    expect(other).toMatchObject({ severity: 'error' });
    expect(fixOf(other)).toContain('new client id');
  });

  it('warns without outputs for the workload', () => {
    expect(checkServiceAccount(w, undefined, serviceAccount())).toMatchObject({ severity: 'warning' });
  });
});

describe('checkDeployment', () => {
  it('passes when available', () => {
    expect(checkDeployment(w, deployment())).toEqual([
      { severity: 'ok', rule: 'deployment', where: 'demo/demo-app', message: 'Deployment available: 2/2 replicas ready' },
    ]);
  });

  it('fails when missing', () => {
    expect(checkDeployment(w, undefined)).toEqual([expect.objectContaining({ severity: 'error', message: 'Deployment does not exist' })]);
  });

  it('fails when pods run as another ServiceAccount', () => {
    const f = checkDeployment(w, deployment({ serviceAccountName: 'default' }));
    expect(f[0]).toMatchObject({ severity: 'error' });
    expect(f[0].message).toContain('AADSTS70021');
  });

  it('fails without the CSI volume of the SecretProviderClass', () => {
    const f = checkDeployment(w, deployment({ spc: 'other-keyvault' }));
    expect(f[0].message).toBe('no secrets-store.csi.k8s.io volume with secretProviderClass "demo-app-keyvault" (found "other-keyvault")');
  });

  it('fails on a writable CSI volume and on a subPath mount', () => {
    expect(checkDeployment(w, deployment({ readOnly: false }))[0].message).toContain('Readonly is not true in request');
    expect(checkDeployment(w, deployment({ subPath: 'DB_PASSWORD' }))[0].message).toContain('never rotated');
  });

  it('warns when scaled to zero', () => {
    expect(checkDeployment(w, deployment({ replicas: 0 }))).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  it('fails when unavailable or stuck', () => {
    expect(checkDeployment(w, deployment({ ready: 1, available: false }))[0].message).toBe(
      'not available: 1/2 replicas ready (Deployment does not have minimum availability.)',
    );
    expect(checkDeployment(w, deployment({ ready: 0, progressDeadline: true }))[0].message).toContain('ProgressDeadlineExceeded');
  });
});

describe('pods', () => {
  it('selects pods by the Deployment selector, without terminating pods', () => {
    const pods = [pod(P1), pod(P2, 'ready', { deleting: true }), pod('other', 'ready', { labels: { app: 'other' } })];
    expect(podsOf(deployment(), pods).map((p) => p.metadata?.name)).toEqual([P1]);
    expect(podsOf(undefined, pods)).toEqual([]);
    expect(labelSelectorOf(deployment())).toBe('app.kubernetes.io/name=demo-app');
    expect(labelSelectorOf(undefined)).toBeUndefined();
  });

  it('passes ready pods and explains the others', () => {
    const f = checkPods(w, 2, [
      pod(P2, 'creating'),
      pod(P1),
      pod('demo-app-c', 'crashloop'),
      pod('demo-app-d', 'running-unready'),
      pod('demo-app-e', 'pending'),
    ]);
    expect(f.map((x) => `${x.severity} ${x.where} ${x.message}`)).toEqual(
      [
        'error demo/demo-app-7c9d8f6b5-x2k4p Pending, ContainerCreating',
        'ok demo/demo-app-7c9d8f6b5-q8w2n Running and Ready',
        'error demo/demo-app-c Running, CrashLoopBackOff: back-off 5m0s restarting failed container=demo-app',
        'error demo/demo-app-d Running but not Ready',
        'error demo/demo-app-e Pending, not started',
      ].sort((a, b) => a.split(' ')[1].localeCompare(b.split(' ')[1])),
    );
    expect(fixOf(f.find((x) => x.where.endsWith(P2)))).toContain('CSI mount');
  });

  it('fails without pods only when replicas are expected', () => {
    expect(checkPods(w, 2, [])[0]).toMatchObject({ severity: 'error', message: 'no pods found for the Deployment' });
    expect(checkPods(w, 0, [])).toEqual([]);
  });

  it('finds the container and path that mount the volume', () => {
    expect(mountTarget(pod(P1), 'demo-app-keyvault')).toEqual({ container: 'demo-app', mountPath: '/mnt/secrets-store' });
    expect(mountTarget(pod(P1), 'other')).toBeUndefined();
  });
});

describe('SecretProviderClassPodStatus', () => {
  it('reads versions by <type>/<name>, including version-history ids', () => {
    expect(objectId(w.objects[0])).toBe('secret/DB-Password');
    expect(mountedVersion(podStatus(P1), w.objects[0])).toBe(V1);
    expect(mountedVersion(podStatus(P1, { objects: [{ id: 'secret/DB-Password/0', version: V2 }] }), w.objects[0])).toBe(V2);
    expect(mountedVersion(podStatus(P1, { objects: [{ id: 'secret/DB-Password', version: '' }] }), w.objects[0])).toBeUndefined();
    expect(mountedVersion(undefined, w.objects[0])).toBeUndefined();
  });

  it('passes when every configured object is mounted with a version', () => {
    const f = checkPodStatuses(w, [pod(P1), pod(P2)], [podStatus(P1), podStatus(P2)]);
    expect(f.map((x) => x.severity)).toEqual(['ok', 'ok']);
    expect(f[0].message).toBe(`all 2 objects mounted: DB_PASSWORD@${V1.slice(0, 8)}, web-tls@${CERT_V.slice(0, 8)}`);
  });

  it('skips pods that are not ready (checkPods reports them)', () => {
    expect(checkPodStatuses(w, [pod(P1, 'creating')], [])).toEqual([]);
  });

  it('fails without a status, when not mounted, or with a missing object', () => {
    expect(checkPodStatuses(w, [pod(P1)], [podStatus(P1, { spc: 'other' })])[0].message).toContain('no SecretProviderClassPodStatus');
    expect(checkPodStatuses(w, [pod(P1)], [podStatus(P1, { mounted: false })])[0].message).toContain('not mounted');
    const missing = checkPodStatuses(w, [pod(P1)], [podStatus(P1, { objects: [{ id: 'secret/DB-Password', version: V1 }] })]);
    expect(missing[0].message).toContain('without cert/web-tls');
  });

  it('fails when a pinned object is at another version', () => {
    const pinned = model(ENV_YAML.replace('        alias: DB_PASSWORD', `        alias: DB_PASSWORD\n        version: "${V2}"`)).workloads[0];
    const f = checkPodStatuses(pinned, [pod(P1)], [podStatus(P1)]);
    expect(f[0]).toMatchObject({ severity: 'error', message: `secret/DB-Password is at ${V1}, pinned ${V2}` });
  });

  it('warns when pods see different versions of an object', () => {
    const f = checkPodStatuses(
      w,
      [pod(P1), pod(P2)],
      [
        podStatus(P1),
        podStatus(P2, {
          objects: [
            { id: 'secret/DB-Password', version: V2 },
            { id: 'cert/web-tls', version: CERT_V },
          ],
        }),
      ],
    );
    expect(f.map((x) => x.severity)).toEqual(['ok', 'ok', 'warning']);
    expect(f[2].message).toBe(`pods see different versions of secret/DB-Password: ${V1.slice(0, 8)} in ${P1}; ${V2.slice(0, 8)} in ${P2}`);
  });

  it('says how long a version spread is normal, and where a failed refresh shows, per rotation model', () => {
    const statuses = [
      podStatus(P1),
      podStatus(P2, {
        objects: [
          { id: 'secret/DB-Password', version: V2 },
          { id: 'cert/web-tls', version: CERT_V },
        ],
      }),
    ];
    const fix = (rotation?: Parameters<typeof checkPodStatuses>[3]) => fixOf(checkPodStatuses(w, [pod(P1), pod(P2)], statuses, rotation)[2]);
    expect(fix({ model: 'poll', intervalSeconds: 120 })).toBe(
      'normal for up to one rotation interval (2m) after a new version; if it persists, a pod fails to rotate: see mount-event findings (MountRotationFailed)',
    );
    expect(fix({ model: 'republish', intervalSeconds: 120 })).toMatch(
      /^normal for up to 3m30s after a new version \(driver ≥ 1\.6 refreshes at kubelet's republish once a mount is older than 2m\); if it persists, a pod fails to refresh, which driver ≥ 1\.6 records in no event: the driver logs "failed to mount secrets store object content" with isRemountRequest=true/,
    );
    expect(fix()).toContain('MountRotationFailed on driver ≤ 1.5); driver ≥ 1.6 records no event');
  });
});

describe('mounted files (--exec)', () => {
  it('parses ls -1A without the atomic-writer entries', () => {
    expect(parseLsOutput('..2026_03_01_10_00_00.123\n..data\nweb-tls\nDB_PASSWORD\n\n')).toEqual(['DB_PASSWORD', 'web-tls']);
  });

  it('passes, fails on a missing file, warns on an extra file', () => {
    expect(checkMountedFiles(w, P1, ['DB_PASSWORD', 'web-tls'])).toMatchObject({ severity: 'ok', where: `demo/${P1}:/mnt/secrets-store` });
    expect(checkMountedFiles(w, P1, ['web-tls']).message).toBe('missing "DB_PASSWORD" (found "web-tls")');
    expect(checkMountedFiles(w, P1, []).message).toBe('missing "DB_PASSWORD", "web-tls" (found nothing)');
    expect(checkMountedFiles(w, P1, ['DB_PASSWORD', 'web-tls', 'old-secret'])).toMatchObject({ severity: 'warning' });
  });
});
