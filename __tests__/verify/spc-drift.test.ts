import { renderEnvironment } from '../../charts/render';
import { checkSecretProviderClass, diffSecretProviderClass, findRendered, parseObjectsParameter, renderedObjects } from '../../verify/spc-drift';
import type { SecretProviderClass } from '../../verify/types';
import { liveSpc, model, outputs } from './fixtures';
import { fixOf } from '../support/findings';

const RENDERED: SecretProviderClass = {
  apiVersion: 'secrets-store.csi.x-k8s.io/v1',
  kind: 'SecretProviderClass',
  metadata: { name: 'demo-app-keyvault', namespace: 'demo' },
  spec: {
    provider: 'azure',
    parameters: {
      clientID: '00000000-0000-0000-0000-00000000d001',
      keyvaultName: 'kv-test-example',
      tenantID: '00000000-0000-0000-0000-00000000aaaa',
      usePodIdentity: 'false',
      objects:
        'array:\n  - |\n    objectName: DB-Password\n    objectType: secret\n    objectAlias: DB_PASSWORD\n  - |\n    objectName: web-tls\n    objectType: cert\n',
    },
  },
};

describe('parseObjectsParameter', () => {
  it('parses the provider format and trims fields', () => {
    expect(parseObjectsParameter(RENDERED.spec!.parameters!['objects'])).toEqual([
      { objectName: 'DB-Password', objectType: 'secret', objectAlias: 'DB_PASSWORD' },
      { objectName: 'web-tls', objectType: 'cert' },
    ]);
    expect(parseObjectsParameter('array:\n  - |\n    objectName: " a "\n    objectVersion: ""\n')).toEqual([{ objectName: 'a' }]);
  });

  it('returns undefined for what the provider cannot parse', () => {
    expect(parseObjectsParameter('array: [')).toBeUndefined();
    expect(parseObjectsParameter('objects: []')).toBeUndefined();
    expect(parseObjectsParameter('array:\n  - "- not a map"\n')).toBeUndefined();
  });
});

describe('diffSecretProviderClass', () => {
  it('finds no drift in an identical object with server-set metadata', () => {
    expect(diffSecretProviderClass(RENDERED, liveSpc(RENDERED))).toEqual([]);
  });

  it('ignores re-indentation of objects and surrounding whitespace of parameters (the provider trims)', () => {
    const live = liveSpc(RENDERED, (spec) => {
      const p = spec['parameters'] as Record<string, string>;
      p['objects'] =
        'array:\n    - |\n        objectName: DB-Password\n        objectAlias: DB_PASSWORD\n        objectType: secret\n    - |\n        objectName: web-tls\n        objectType: cert';
      p['keyvaultName'] = ' kv-test-example ';
    });
    expect(diffSecretProviderClass(RENDERED, live)).toEqual([]);
  });

  it('reports a changed clientID field by field', () => {
    const live = liveSpc(RENDERED, (spec) => {
      (spec['parameters'] as Record<string, string>)['clientID'] = '00000000-0000-0000-0000-00000000ffff';
    });
    expect(diffSecretProviderClass(RENDERED, live)).toEqual([
      { path: 'spec.parameters.clientID', expected: '00000000-0000-0000-0000-00000000d001', found: '00000000-0000-0000-0000-00000000ffff' },
    ]);
  });

  it('reports a changed alias inside objects by index and field', () => {
    const live = liveSpc(RENDERED, (spec) => {
      const p = spec['parameters'] as Record<string, string>;
      p['objects'] = p['objects'].replace('objectAlias: DB_PASSWORD', 'objectAlias: db-password');
    });
    expect(diffSecretProviderClass(RENDERED, live)).toEqual([
      { path: 'spec.parameters.objects[0].objectAlias', expected: 'DB_PASSWORD', found: 'db-password' },
    ]);
  });

  it('reports added and removed parameters, a removed object and another provider', () => {
    const live = liveSpc(RENDERED, (spec) => {
      const p = spec['parameters'] as Record<string, string>;
      delete p['tenantID'];
      p['tenantId'] = '00000000-0000-0000-0000-00000000aaaa';
      p['rotationPollInterval'] = '2m';
      p['objects'] = 'array:\n  - |\n    objectName: DB-Password\n    objectType: secret\n    objectAlias: DB_PASSWORD\n';
      spec['provider'] = 'vault';
    });
    expect(diffSecretProviderClass(RENDERED, live).map((d) => d.path)).toEqual([
      'spec.provider',
      'spec.parameters.objects[1]',
      'spec.parameters.rotationPollInterval',
      'spec.parameters.tenantID',
      'spec.parameters.tenantId',
    ]);
  });

  it('reports unparseable live objects as one drift', () => {
    const live = liveSpc(RENDERED, (spec) => {
      (spec['parameters'] as Record<string, string>)['objects'] = 'array: [';
    });
    expect(diffSecretProviderClass(RENDERED, live)).toEqual([
      { path: 'spec.parameters.objects', expected: 'a YAML {array: [...]} the provider can parse', found: 'array: [' },
    ]);
  });

  it('reports secretObjects drift by path', () => {
    const rendered: SecretProviderClass = {
      ...RENDERED,
      spec: { ...RENDERED.spec, secretObjects: [{ secretName: 'tls', type: 'kubernetes.io/tls', data: [{ objectName: 'web-tls', key: 'tls.crt' }] }] },
    };
    const live = liveSpc(rendered, (spec) => {
      const so = spec['secretObjects'] as Array<Record<string, unknown>>;
      delete so[0]['type'];
    });
    expect(diffSecretProviderClass(rendered, live)).toEqual([{ path: 'spec.secretObjects[0].type', expected: 'kubernetes.io/tls', found: undefined }]);
  });
});

describe('checkSecretProviderClass', () => {
  const base = { namespace: 'demo', name: 'demo-app-keyvault', rendered: RENDERED };

  it('passes without drift', () => {
    expect(checkSecretProviderClass({ ...base, live: liveSpc(RENDERED) })).toEqual([
      { severity: 'ok', rule: 'spc', where: 'demo/demo-app-keyvault', message: 'SecretProviderClass exists and matches the rendered manifest' },
    ]);
  });

  it('fails when missing', () => {
    const f = checkSecretProviderClass({ ...base, live: undefined });
    expect(f[0]).toMatchObject({ severity: 'error', rule: 'spc' });
    expect(fixOf(f[0])).toContain('before the Deployment');
  });

  it('fails when the rendered manifests lack it', () => {
    expect(checkSecretProviderClass({ ...base, rendered: undefined, live: liveSpc(RENDERED) })[0]).toMatchObject({ severity: 'error', rule: 'spc-drift' });
  });

  it('fails once per drifted field', () => {
    const live = liveSpc(RENDERED, (spec) => {
      const p = spec['parameters'] as Record<string, string>;
      p['clientID'] = 'x';
      p['keyvaultName'] = 'y';
    });
    const f = checkSecretProviderClass({ ...base, live });
    expect(f.map((x) => x.message)).toEqual([
      'spec.parameters.clientID: rendered "00000000-0000-0000-0000-00000000d001", live "x"',
      'spec.parameters.keyvaultName: rendered "kv-test-example", live "y"',
    ]);
    expect(f.every((x) => x.severity === 'error' && x.rule === 'spc-drift')).toBe(true);
  });

  it('shows an absent value as (absent)', () => {
    const live = liveSpc(RENDERED, (spec) => {
      delete (spec['parameters'] as Record<string, string>)['usePodIdentity'];
    });
    expect(checkSecretProviderClass({ ...base, live })[0].message).toBe('spec.parameters.usePodIdentity: rendered "false", live (absent)');
  });
});

describe('rendered manifests', () => {
  it('finds objects in multi-document files', () => {
    const files = [
      {
        path: 'all.yaml',
        content:
          '# header\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n---\napiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n  name: a\n  namespace: demo\nspec:\n  provider: azure\n',
      },
    ];
    expect(renderedObjects(files).map((o) => o.object['kind'])).toEqual(['Namespace', 'SecretProviderClass']);
    expect(findRendered<SecretProviderClass>(files, 'SecretProviderClass', 'demo', 'a')?.spec?.provider).toBe('azure');
    expect(findRendered(files, 'SecretProviderClass', 'other', 'a')).toBeUndefined();
  });

  it('matches what charts/render.ts renders: a live copy of it shows no drift', () => {
    const m = model();
    const files = renderEnvironment(m, outputs());
    const rendered = findRendered<SecretProviderClass>(files, 'SecretProviderClass', 'demo', m.workloads[0].secretProviderClass);
    expect(rendered?.spec?.parameters?.['clientID']).toBe('00000000-0000-0000-0000-00000000d001');
    expect(checkSecretProviderClass({ namespace: 'demo', name: 'demo-app-keyvault', rendered, live: liveSpc(rendered!) })[0].severity).toBe('ok');
  });
});
