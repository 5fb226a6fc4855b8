import { checkMountEvents, decodeMountFailure, eventTime, type CauseCode } from '../../verify/events';
import { at, event, ISSUER, MOUNT_PREFIX, pod } from './fixtures';

/** Realistic messages, one per known cause: the wrapped error as the kubelet reports it. */
const MESSAGES: Record<Exclude<CauseCode, 'unknown'>, string> = {
  'federated-credential-mismatch': `${MOUNT_PREFIX}FromAssertion(): http call(https://login.microsoftonline.com/00000000-0000-0000-0000-00000000aaaa/oauth2/v2.0/token)(POST) error: reply status code was 400:
{"error":"invalid_request","error_description":"AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${ISSUER}'. Assertion Subject: 'system:serviceaccount:demo:default'. Assertion Audience: 'api://AzureADTokenExchange'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation Trace ID: 1 Correlation ID: 2 Timestamp: 2026-03-01 10:00:00Z","error_codes":[70021]}`,
  'no-federated-credentials': `${MOUNT_PREFIX}{"error":"invalid_client","error_description":"AADSTS70025: The client '00000000-0000-0000-0000-00000000d001'(id-test-demo-app) has no configured federated identity credentials."}`,
  'client-not-found': `${MOUNT_PREFIX}{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier '00000000-0000-0000-0000-00000000d001' was not found in the directory 'Contoso'."}`,
  'token-expired': `${MOUNT_PREFIX}{"error":"invalid_client","error_description":"AADSTS700024: Client assertion is not within its valid time range. Current time: 2026-03-01T10:00:00Z, assertion valid from 2026-02-28T08:00:00Z, expiry time of assertion 2026-02-28T09:00:00Z."}`,
  'tenant-not-found': `${MOUNT_PREFIX}{"error":"invalid_request","error_description":"AADSTS90002: Tenant '00000000-0000-0000-0000-00000000bbbb' not found."}`,
  'forbidden-by-rbac': `${MOUNT_PREFIX}GET https://kv-test-example.vault.azure.net/secrets/DB-Password/
--------------------------------------------------------------------------------
RESPONSE 403: 403 Forbidden
ERROR CODE: Forbidden
--------------------------------------------------------------------------------
{"error":{"code":"Forbidden","message":"Caller is not authorized to perform action on resource.\\r\\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\\r\\nCaller: appid=00000000-0000-0000-0000-00000000d001;oid=2;iss=https://sts.windows.net/x/\\r\\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\\r\\nResource: '/subscriptions/x/resourcegroups/rg-test/providers/microsoft.keyvault/vaults/kv-test-example/secrets/db-password'","innererror":{"code":"ForbiddenByRbac"}}}`,
  'access-policy-denied': `${MOUNT_PREFIX}keyvault.BaseClient#GetSecret: Failure responding to request: StatusCode=403 -- Original Error: autorest/azure: Service returned an error. Status=403 Code="Forbidden" Message="The user, group or application 'appid=00000000-0000-0000-0000-00000000d001;oid=2' does not have secrets get permission on key vault 'kv-test-example;location=westeurope'." InnerError={"code":"AccessDenied"}`,
  'forbidden-by-firewall': `${MOUNT_PREFIX}RESPONSE 403: 403 Forbidden {"error":{"code":"Forbidden","message":"Client address is not authorized and caller is not a trusted service.\\r\\nClient address: 20.1.2.3\\r\\nCaller: appid=x","innererror":{"code":"ForbiddenByFirewall"}}}`,
  'forbidden-by-connection': `${MOUNT_PREFIX}RESPONSE 403: 403 Forbidden {"error":{"code":"Forbidden","message":"Public network access is disabled and request is not from a trusted service nor via an approved private link.","innererror":{"code":"ForbiddenByConnection"}}}`,
  forbidden: `${MOUNT_PREFIX}keyvault.BaseClient#GetSecret: Failure responding to request: StatusCode=403 -- Original Error: autorest/azure: Service returned an error.`,
  'object-not-found': `${MOUNT_PREFIX}RESPONSE 404: 404 Not Found {"error":{"code":"SecretNotFound","message":"A secret with (name/id) DB-Password was not found in this key vault."}}`,
  throttled: `${MOUNT_PREFIX}RESPONSE 429: 429 Too Many Requests {"error":{"code":"Throttled","message":"Request was not processed because too many requests were received."}}`,
  'readonly-not-true': 'MountVolume.SetUp failed for volume "secrets-store" : rpc error: code = InvalidArgument desc = Readonly is not true in request',
  'spc-not-found':
    'MountVolume.SetUp failed for volume "secrets-store" : rpc error: code = Unknown desc = failed to get secretproviderclass demo/demo-app-keyvault, error: SecretProviderClass.secrets-store.csi.x-k8s.io "demo-app-keyvault" not found',
  'driver-not-registered':
    'MountVolume.MountDevice failed for volume "secrets-store" : kubernetes.io/csi: attacher.MountDevice failed to create newCsiDriverClient: driver name secrets-store.csi.k8s.io not found in the list of registered CSI drivers',
  'provider-not-running':
    'MountVolume.SetUp failed for volume "secrets-store" : rpc error: code = Unknown desc = failed to mount secrets store objects for pod demo/demo-app-x, err: rpc error: code = Unknown desc = provider not found: provider "azure"',
  'vault-dns': `${MOUNT_PREFIX}Get "https://kv-typo.vault.azure.net/secrets/DB-Password/?api-version=7.4": dial tcp: lookup kv-typo.vault.azure.net on 10.0.0.10:53: no such host`,
  'missing-parameter':
    'MountVolume.SetUp failed for volume "secrets-store" : rpc error: code = Unknown desc = failed to mount secrets store objects for pod demo/demo-app-x, err: rpc error: code = Unknown desc = failed to mount objects, error: failed to parse parameters: keyvaultName is not set',
  'objects-unparseable':
    'MountVolume.SetUp failed for volume "secrets-store" : rpc error: code = Unknown desc = failed to mount objects, error: failed to yaml unmarshal objects, error: yaml: line 3: did not find expected key',
  timeout: `${MOUNT_PREFIX}context deadline exceeded`,
};

describe('decodeMountFailure', () => {
  it.each(Object.entries(MESSAGES))('decodes %s', (code, message) => {
    const cause = decodeMountFailure(message);
    expect(cause.code).toBe(code);
    expect(cause.summary.length).toBeGreaterThan(10);
    expect(cause.fix.length).toBeGreaterThan(10);
  });

  it('names the subject that does not match the environment', () => {
    const cause = decodeMountFailure(MESSAGES['federated-credential-mismatch'], {
      expectedSubject: 'system:serviceaccount:demo:demo-app',
      expectedIssuer: ISSUER,
    });
    expect(cause.summary).toContain(
      'the pod\'s token subject is "system:serviceaccount:demo:default" but the environment expects "system:serviceaccount:demo:demo-app"',
    );
    expect(cause.summary).toContain(`token issuer "${ISSUER}"`);
  });

  it('names an issuer that differs from the outputs (missing trailing slash)', () => {
    const cause = decodeMountFailure(MESSAGES['federated-credential-mismatch'], { expectedIssuer: ISSUER.replace(/\/$/, '') });
    expect(cause.summary).toContain('but the outputs say the cluster issuer is');
    expect(cause.fix).toContain('trailing slash');
  });

  it('decodes AADSTS700213 as the same federated-credential mismatch', () => {
    expect(
      decodeMountFailure("AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:demo:x'").code,
    ).toBe('federated-credential-mismatch');
  });

  it('reports an unexpected audience', () => {
    const msg =
      "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'a'. Assertion Subject: 'b'. Assertion Audience: 'api://AKSIdentityBinding'.";
    expect(decodeMountFailure(msg).summary).toContain('audience "api://AKSIdentityBinding" is not api://AzureADTokenExchange');
  });

  it('quotes the denied action, the client address and the missing object', () => {
    expect(decodeMountFailure(MESSAGES['forbidden-by-rbac']).summary).toContain('Microsoft.KeyVault/vaults/secrets/getSecret/action');
    expect(decodeMountFailure(MESSAGES['forbidden-by-firewall']).summary).toContain('from 20.1.2.3');
    expect(decodeMountFailure(MESSAGES['object-not-found'], { vaultName: 'kv-test-example' }).summary).toContain('vault "kv-test-example": DB-Password');
    expect(decodeMountFailure(MESSAGES['spc-not-found']).summary).toContain('"demo-app-keyvault"');
    expect(decodeMountFailure(MESSAGES['vault-dns']).summary).toContain('kv-typo.vault.azure.net');
    expect(decodeMountFailure(MESSAGES['missing-parameter']).summary).toContain('keyvaultName');
  });

  it('clips unknown messages and points at the logs', () => {
    const cause = decodeMountFailure(`something new ${'x'.repeat(500)}`);
    expect(cause.code).toBe('unknown');
    expect(cause.summary.length).toBeLessThan(260);
    expect(cause.fix).toContain('kubectl describe pod');
  });
});

describe('eventTime', () => {
  it('prefers lastTimestamp, then series, eventTime, firstTimestamp, creation', () => {
    const e = event({ pod: 'p', message: 'm', seconds: 10 });
    expect(eventTime(e)).toBe(at(10).getTime());
    expect(eventTime({ ...e, lastTimestamp: undefined, series: { count: 3, lastObservedTime: at(20) } })).toBe(at(20).getTime());
    expect(eventTime({ ...e, lastTimestamp: undefined, eventTime: at(30) })).toBe(at(30).getTime());
    expect(eventTime({ ...e, lastTimestamp: undefined, firstTimestamp: undefined, metadata: { creationTimestamp: at(40) } })).toBe(at(40).getTime());
    expect(eventTime({ ...e, lastTimestamp: '2026-03-01T10:00:50Z' as unknown as Date })).toBe(at(50).getTime());
    expect(eventTime({ involvedObject: {}, metadata: {} })).toBeUndefined();
  });
});

describe('checkMountEvents', () => {
  const NOW = at(600).getTime();
  const scope = (pods = [pod('demo-app-7c9d8f6b5-x2k4p', 'creating'), pod('demo-app-7c9d8f6b5-q8w2n', 'ready')]) => ({
    namespace: 'demo',
    deployment: 'demo-app',
    pods,
    now: NOW,
    context: { expectedSubject: 'system:serviceaccount:demo:demo-app' },
  });

  it('fails for a pod that is not ready, grouping repeats with their count', () => {
    const f = checkMountEvents(
      [
        event({ pod: 'demo-app-7c9d8f6b5-x2k4p', message: MESSAGES['forbidden-by-rbac'], seconds: 100, count: 4 }),
        event({ pod: 'demo-app-7c9d8f6b5-x2k4p', message: MESSAGES['forbidden-by-rbac'], seconds: 200, count: 2 }),
      ],
      scope(),
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', rule: 'mount-event', where: 'demo/demo-app-7c9d8f6b5-x2k4p' });
    expect(f[0].message).toMatch(/^FailedMount \(6 times\): Key Vault denied the identity by RBAC/);
    expect(f[0].fix).toContain('principal id');
  });

  it('warns about a past failure of a pod that is ready now (e.g. propagation)', () => {
    const f = checkMountEvents([event({ pod: 'demo-app-7c9d8f6b5-q8w2n', message: MESSAGES['federated-credential-mismatch'], seconds: 100 })], scope());
    expect(f[0]).toMatchObject({ severity: 'warning' });
    expect(f[0].message).toContain('earlier, the pod is ready now');
  });

  it('warns about pods of the Deployment that no longer exist', () => {
    const f = checkMountEvents([event({ pod: 'demo-app-5f4d3c2b1-old11', message: MESSAGES['spc-not-found'], seconds: 100 })], scope());
    expect(f[0]).toMatchObject({ severity: 'warning', where: 'demo/demo-app-5f4d3c2b1-old11' });
    expect(f[0].message).toContain('no longer exists');
  });

  it('fails a rotation failure on a running pod without a later rotation-complete event', () => {
    const f = checkMountEvents(
      [
        event({
          pod: 'demo-app-7c9d8f6b5-q8w2n',
          reason: 'MountRotationFailed',
          message: `failed to rotate objects for pod demo/demo-app-7c9d8f6b5-q8w2n, err: ${MESSAGES.throttled}`,
          seconds: 300,
        }),
      ],
      scope(),
    );
    expect(f[0]).toMatchObject({ severity: 'error' });
    expect(f[0].message).toContain('keeps the old content');
    expect(f[0].message).toContain('throttled');
  });

  it('only warns about a rotation failure followed by a successful rotation', () => {
    const f = checkMountEvents(
      [
        event({ pod: 'demo-app-7c9d8f6b5-q8w2n', reason: 'MountRotationFailed', message: MESSAGES.timeout, seconds: 300 }),
        event({
          pod: 'demo-app-7c9d8f6b5-q8w2n',
          reason: 'MountRotationComplete',
          type: 'Normal',
          message: 'successfully rotated mounted contents for spc demo/demo-app-keyvault',
          seconds: 420,
        }),
      ],
      scope(),
    );
    expect(f).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  it('ignores old events, other reasons, other namespaces, other workloads and non-pod objects', () => {
    const f = checkMountEvents(
      [
        event({ pod: 'demo-app-7c9d8f6b5-x2k4p', message: MESSAGES.forbidden, seconds: -3600 }),
        event({ pod: 'demo-app-7c9d8f6b5-x2k4p', reason: 'Scheduled', type: 'Normal', message: 'Successfully assigned', seconds: 100 }),
        event({ pod: 'demo-app-7c9d8f6b5-x2k4p', message: MESSAGES.forbidden, seconds: 100, namespace: 'other' }),
        event({ pod: 'payments-api-1-abc', message: MESSAGES.forbidden, seconds: 100 }),
        {
          ...event({ pod: 'demo-app', message: MESSAGES.forbidden, seconds: 100 }),
          involvedObject: { kind: 'Deployment', name: 'demo-app', namespace: 'demo' },
        },
      ],
      scope(),
    );
    expect(f).toEqual([]);
  });

  it('honours an explicit since (the rotation test start)', () => {
    const e = event({ pod: 'demo-app-7c9d8f6b5-x2k4p', message: MESSAGES.forbidden, seconds: 100 });
    expect(checkMountEvents([e], { ...scope(), since: at(101).getTime() })).toEqual([]);
    expect(checkMountEvents([e], { ...scope(), since: at(100).getTime() })).toHaveLength(1);
  });

  it('keeps events without any timestamp', () => {
    const e = {
      ...event({ pod: 'demo-app-7c9d8f6b5-x2k4p', message: MESSAGES.forbidden }),
      lastTimestamp: undefined,
      firstTimestamp: undefined,
      metadata: { namespace: 'demo' },
    };
    expect(checkMountEvents([e], scope())).toHaveLength(1);
  });

  it('reports one finding per pod and cause, sorted', () => {
    const f = checkMountEvents(
      [
        event({ pod: 'demo-app-7c9d8f6b5-x2k4p', message: MESSAGES.throttled, seconds: 100 }),
        event({ pod: 'demo-app-7c9d8f6b5-x2k4p', message: MESSAGES['forbidden-by-firewall'], seconds: 110 }),
        event({ pod: 'demo-app-7c9d8f6b5-q8w2n', message: MESSAGES.throttled, seconds: 120 }),
      ],
      scope(),
    );
    expect(f.map((x) => `${x.where} ${x.severity}`)).toEqual([
      'demo/demo-app-7c9d8f6b5-q8w2n warning',
      'demo/demo-app-7c9d8f6b5-x2k4p error',
      'demo/demo-app-7c9d8f6b5-x2k4p error',
    ]);
  });
});

describe('checkMountEvents by rotation model (secrets-store-csi-driver v1.5.6 pkg/rotation/reconciler.go; v1.6.0 pkg/secrets-store/nodeserver.go)', () => {
  const NOW = at(600).getTime();
  const READY = 'demo-app-7c9d8f6b5-q8w2n';
  const scope = (model?: 'poll' | 'republish') => ({
    namespace: 'demo',
    deployment: 'demo-app',
    pods: [pod(READY, 'ready', { readyAt: at(50) })],
    now: NOW,
    ...(model ? { model } : {}),
  });
  const rotationFailed = event({ pod: READY, reason: 'MountRotationFailed', message: MESSAGES.throttled, seconds: 300 });
  const afterReady = event({ pod: READY, message: MESSAGES.throttled, seconds: 300 });
  const beforeReady = event({ pod: READY, message: MESSAGES['forbidden-by-rbac'], seconds: 20 });

  it('driver ≥ 1.6 records no rotation events: any left from an older driver are ignored', () => {
    expect(checkMountEvents([rotationFailed], scope('republish'))).toStrictEqual([]);
    expect(checkMountEvents([rotationFailed], scope('poll'))[0]).toMatchObject({ severity: 'error' });
  });

  it('driver ≥ 1.6: a FailedMount after the pod became ready is a failed refresh on republish (fail)', () => {
    const [f] = checkMountEvents([afterReady], scope('republish'));
    expect(f).toMatchObject({ severity: 'error', rule: 'mount-event', where: `demo/${READY}` });
    expect(f.message).toMatch(
      /^FailedMount after the pod became ready: a refresh on kubelet's republish failed and the pod keeps the old content: Key Vault throttled/,
    );
  });

  it('a FailedMount before the pod became ready is a first-mount failure since recovered (warn), on every model', () => {
    for (const model of ['poll', 'republish', undefined] as const) {
      expect(checkMountEvents([beforeReady], scope(model))[0]).toMatchObject({ severity: 'warning' });
    }
  });

  it('driver ≤ 1.5 does not republish: a FailedMount on a ready pod is not a failed rotation', () => {
    expect(checkMountEvents([afterReady], scope('poll'))[0]).toMatchObject({ severity: 'warning' });
  });

  it('an unknown driver version reads the signals of both models', () => {
    expect(checkMountEvents([afterReady], scope())[0]).toMatchObject({ severity: 'error' });
    expect(checkMountEvents([rotationFailed], scope())[0]).toMatchObject({ severity: 'error' });
  });

  it('without the Ready transition time a FailedMount on a ready pod stays a warning', () => {
    expect(checkMountEvents([afterReady], { ...scope('republish'), pods: [pod(READY)] })[0]).toMatchObject({ severity: 'warning' });
  });
});
