/**
 * The schema and cross-field rules of the delivery engines (issue 16): a field an engine would
 * ignore or reject is refused at load time, naming the value and the fix. The facts behind each
 * refusal: lib/delivery.ts, lib/secret-sync.ts, lib/external-secrets.ts (each with its upstream
 * source: kubernetes-sigs/secrets-store-sync-controller, external-secrets/external-secrets
 * providers/v1/azure/keyvault/keyvault.go).
 */
import { MAX_FEDERATED_CREDENTIALS_PER_IDENTITY } from '../../../lib/azure';
import { unsupportedField } from '../../../lib/delivery';
import { ESO_PROPERTY_RULE, ESO_PROPERTY_TYPE_RULE } from '../../../lib/external-secrets';
import { load, minimalVariant, problemsOf, type Doc } from '../../support/config';

/** The problems of the minimal file after `edit`, as [path, received, message]. */
function problems(edit: (d: Doc) => void): [string, string | undefined, string][] {
  const source = minimalVariant(edit);
  try {
    load(source);
    return [];
  } catch {
    return problemsOf(source).map((p) => [p.path, p.received, p.message]);
  }
}

const json = { name: 'db', type: 'secret', properties: [{ property: 'username', key: 'db-username' }] };
const shared = (over: Doc = {}): Doc => ({
  engine: 'external-secrets',
  secrets: [{ secretName: 'shared', namespaces: ['apps'], objects: [{ name: 'token', type: 'secret' }] }],
  ...over,
});

describe('object fields an engine cannot honour (lib/delivery.ts unsupportedField)', () => {
  test('fails JSON properties with engine csi: the driver mounts a secret whole', () => {
    expect(problems((d) => (d.workloads[0].objects = [json]))).toStrictEqual([
      ['workloads[0].objects[0].properties', JSON.stringify(json.properties), unsupportedField('csi', 'properties')!],
    ]);
  });

  test('fails JSON properties with engine secret-sync: the controller copies provider files whole', () => {
    expect(
      problems((d) => {
        d.workloads[0].delivery = { engine: 'secret-sync' };
        d.workloads[0].objects = [json];
      }),
    ).toStrictEqual([['workloads[0].objects[0].properties', JSON.stringify(json.properties), unsupportedField('secret-sync', 'properties')!]]);
  });

  test('fails versionHistory above 1 with secret-sync and external-secrets (a Secret holds one version per key); 1 is accepted', () => {
    for (const engine of ['secret-sync', 'external-secrets'] as const) {
      const edit = (n: number) => (d: Doc) => {
        d.workloads[0].delivery = { engine };
        d.workloads[0].objects[0].versionHistory = n;
      };
      expect(problems(edit(2))).toStrictEqual([['workloads[0].objects[0].versionHistory', '2', unsupportedField(engine, 'versionHistory', 2)!]]);
      expect(problems(edit(1))).toStrictEqual([]);
    }
  });

  test('fails format with external-secrets (ESO returns the stored content type); secret-sync accepts it', () => {
    const edit = (engine: string) => (d: Doc) => {
      d.workloads[0].delivery = { engine };
      d.workloads[0].objects[0].format = 'pem';
    };
    expect(problems(edit('external-secrets'))).toStrictEqual([['workloads[0].objects[0].format', '"pem"', unsupportedField('external-secrets', 'format')!]]);
    expect(problems(edit('secret-sync'))).toStrictEqual([]);
  });

  test('fails encoding hex with external-secrets (its decodingStrategy knows base64); base64 is accepted', () => {
    const edit = (encoding: string) => (d: Doc) => {
      d.workloads[0].delivery = { engine: 'external-secrets' };
      d.workloads[0].objects[0].encoding = encoding;
    };
    expect(problems(edit('hex'))).toStrictEqual([['workloads[0].objects[0].encoding', '"hex"', unsupportedField('external-secrets', 'encoding', 'hex')!]]);
    expect(problems(edit('base64'))).toStrictEqual([]);
  });
});

describe('JSON properties (external-secrets remoteRef.property)', () => {
  const eso = (object: Doc) => (d: Doc) => {
    d.workloads[0].delivery = { engine: 'external-secrets' };
    d.workloads[0].objects = [object];
  };

  test('accepts properties with engine external-secrets: one key per JSON field', () => {
    expect(problems(eso(json))).toStrictEqual([]);
    expect(load(minimalVariant(eso(json))).workloads[0].objects[0].properties).toStrictEqual(json.properties);
  });

  test('fails properties on a cert (ESO returns the DER certificate and ignores property)', () => {
    expect(problems(eso({ ...json, type: 'cert' }))).toStrictEqual([
      ['workloads[0].objects[0].properties', JSON.stringify(json.properties), ESO_PROPERTY_TYPE_RULE.fix],
    ]);
  });

  test('fails a blank property (it finds no JSON field: "property not found")', () => {
    expect(problems(eso({ ...json, properties: [{ property: ' ', key: 'db-username' }] }))).toStrictEqual([
      ['workloads[0].objects[0].properties[0].property', '" "', ESO_PROPERTY_RULE.fix],
    ]);
  });

  test('fails alias beside properties: the fields are delivered under their own keys', () => {
    const [p] = problems(eso({ ...json, alias: 'db.json' }));
    expect(p.slice(0, 2)).toStrictEqual(['workloads[0].objects[0].alias', '"db.json"']);
    expect(p[2]).toContain('remove alias (or properties)');
  });
});

describe('shared secrets', () => {
  test('accepts a shared secret with the defaults', () => {
    expect(problems((d) => (d.sharedSecrets = shared()))).toStrictEqual([]);
  });

  test('fails a namespace listed twice', () => {
    const [p] = problems((d) => (d.sharedSecrets = shared({ secrets: [{ ...shared().secrets[0], namespaces: ['apps', 'apps'] }] })));
    expect(p).toStrictEqual(['sharedSecrets.secrets[0].namespaces[1]', '"apps"', 'namespace listed twice: list it once']);
  });

  test('fails two shared secrets with one secretName', () => {
    const one = shared().secrets[0];
    const [p] = problems((d) => (d.sharedSecrets = shared({ secrets: [one, one] })));
    expect(p).toStrictEqual([
      'sharedSecrets.secrets[1].secretName',
      '"shared"',
      'already a shared secret of sharedSecrets.secrets[0]: give each its own secretName',
    ]);
  });

  test('fails filePermission on a shared object: nothing of this project mounts the Secret', () => {
    const secret = { ...shared().secrets[0], objects: [{ name: 'token', type: 'secret', filePermission: '0440' }] };
    const [p] = problems((d) => (d.sharedSecrets = shared({ secrets: [secret] })));
    expect(p.slice(0, 2)).toStrictEqual(['sharedSecrets.secrets[0].objects[0].filePermission', '"0440"']);
    expect(p[2]).toContain('remove filePermission');
  });

  test("fails a shared ServiceAccount that is a workload's (one ServiceAccount carries one client id)", () => {
    const [p] = problems((d) => (d.sharedSecrets = { ...shared({ engine: 'secret-sync' }), serviceAccount: 'app' }));
    expect(p.slice(0, 2)).toStrictEqual(['sharedSecrets.serviceAccount', '"app"']);
    expect(p[2]).toBe(
      "ServiceAccount apps/app is workloads[0]'s; one ServiceAccount can carry only one client id: give the shared secrets another serviceAccount",
    );
  });

  test(`fails secret-sync shared secrets in more than ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} namespaces (one federated credential each, ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} per identity)`, () => {
    const namespaces = Array.from({ length: MAX_FEDERATED_CREDENTIALS_PER_IDENTITY + 1 }, (_, i) => `ns-${i}`);
    const secret = { ...shared().secrets[0], namespaces };
    const found = problems((d) => (d.sharedSecrets = shared({ engine: 'secret-sync', secrets: [secret] })));
    expect(found.map((p) => p[0])).toContain('sharedSecrets.engine');
    expect(found.find((p) => p[0] === 'sharedSecrets.engine')![2]).toContain('use engine "external-secrets" (one ServiceAccount) or fewer namespaces');
    expect(problems((d) => (d.sharedSecrets = shared({ secrets: [secret] })))).toStrictEqual([]);
  });

  test('fails a shared Secret that a workload engine writes too (one name per namespace)', () => {
    const found = problems((d) => {
      d.workloads[0].delivery = { engine: 'external-secrets' };
      d.sharedSecrets = shared({ secrets: [{ ...shared().secrets[0], secretName: 'app-keyvault' }] });
    });
    expect(found).toHaveLength(1);
    expect(found[0][1]).toBe('"app-keyvault"');
    expect(found[0][2]).toMatch(/^Secret apps\/app-keyvault is already written by .+: use another name$/);
  });
});

describe('the Secret an engine writes', () => {
  test('fails a file name that is no Secret key when an engine writes it into a Secret (the CSI mount accepts it)', () => {
    const edit = (engine: string) => (d: Doc) => {
      d.workloads[0].delivery = { engine };
      d.workloads[0].objects[0].alias = 'db password';
    };
    expect(problems(edit('csi'))).toStrictEqual([]);
    const [p] = problems(edit('secret-sync'));
    expect(p.slice(0, 2)).toStrictEqual(['workloads[0].objects[0].alias', '"db password"']);
    expect(p[2]).toContain('(it is a key of the Kubernetes Secret the secret-sync engine writes)');
  });

  test('fails subPath with an engine too: a subPath mount of a Secret volume is never updated', () => {
    const [p] = problems((d) => {
      d.workloads[0].delivery = { engine: 'external-secrets' };
      d.workloads[0].deployment.subPath = 'db-password';
    });
    expect(p[0]).toBe('workloads[0].deployment.subPath');
    expect(p[2]).toMatch(/^a subPath mount of a .+ is never rotated: remove subPath and read the file under mountPath$/);
  });
});
