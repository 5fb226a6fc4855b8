/**
 * Compares a live SecretProviderClass with the one the chart renders, field by field.
 * Pure: takes the rendered files (`{path, content}`) and the object as the API returns it.
 *
 * The provider trims whitespace of every parameter and parses `objects` as YAML, so values are
 * compared the way the provider reads them: a re-indented `objects` block is not drift, a
 * changed `objectAlias` is (and is reported as `spec.parameters.objects[0].objectAlias`).
 */
import { parse, parseAllDocuments } from 'yaml';
import { fail, pass, type Outcome } from './findings';
import type { RenderedFile, SecretProviderClass } from './types';

export interface Drift {
  /** Dotted path in the object, e.g. `spec.parameters.clientID`. */
  readonly path: string;
  /** Rendered value (undefined: not rendered). */
  readonly expected: unknown;
  /** Live value (undefined: absent in the cluster). */
  readonly found: unknown;
}

/** Every Kubernetes object in the rendered files, in file order. */
export function renderedObjects(files: readonly RenderedFile[]): Array<{ readonly file: string; readonly object: Record<string, unknown> }> {
  const out: Array<{ file: string; object: Record<string, unknown> }> = [];
  for (const f of files) {
    for (const doc of parseAllDocuments(f.content)) {
      const value: unknown = doc.toJS();
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) out.push({ file: f.path, object: value as Record<string, unknown> });
    }
  }
  return out;
}

/** The rendered object of a kind, name and namespace. */
export function findRendered<T>(files: readonly RenderedFile[], kind: string, namespace: string, name: string): T | undefined {
  const hit = renderedObjects(files).find(({ object }) => {
    const meta = object['metadata'] as { name?: string; namespace?: string } | undefined;
    return object['kind'] === kind && meta?.name === name && (meta?.namespace ?? namespace) === namespace;
  });
  return hit?.object as T | undefined;
}

/** Parses the provider's `objects` parameter as the provider does: `{array: [yaml, ...]}`, each element a YAML mapping. */
export function parseObjectsParameter(value: string): Array<Record<string, unknown>> | undefined {
  try {
    const outer: unknown = parse(value);
    if (outer === null || typeof outer !== 'object' || !Array.isArray((outer as { array?: unknown }).array)) return undefined;
    const out: Array<Record<string, unknown>> = [];
    for (const el of (outer as { array: unknown[] }).array) {
      const inner: unknown = typeof el === 'string' ? parse(el) : el;
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return undefined;
      const trimmed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(inner as Record<string, unknown>)) {
        // The provider trims every field and treats an empty field as unset.
        const s = scalarText(v).trim();
        if (s !== '') trimmed[k] = s;
      }
      out.push(trimmed);
    }
    return out;
  } catch {
    return undefined;
  }
}

function deepDiff(path: string, expected: unknown, found: unknown, out: Drift[]): void {
  if (isPlain(expected) && isPlain(found)) {
    for (const k of [...new Set([...Object.keys(expected), ...Object.keys(found)])].sort()) {
      deepDiff(path ? `${path}.${k}` : k, expected[k], found[k], out);
    }
    return;
  }
  if (Array.isArray(expected) && Array.isArray(found)) {
    for (let i = 0; i < Math.max(expected.length, found.length); i++) deepDiff(`${path}[${i}]`, expected[i], found[i], out);
    return;
  }
  if (JSON.stringify(expected) !== JSON.stringify(found)) out.push({ path, expected, found });
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Field-by-field differences of `spec` between the rendered and the live SecretProviderClass. */
export function diffSecretProviderClass(rendered: SecretProviderClass, live: SecretProviderClass): Drift[] {
  const out: Drift[] = [];
  const r = rendered.spec ?? {};
  const l = live.spec ?? {};
  if (r.provider !== l.provider) out.push({ path: 'spec.provider', expected: r.provider, found: l.provider });

  const rp = r.parameters ?? {};
  const lp = l.parameters ?? {};
  for (const key of [...new Set([...Object.keys(rp), ...Object.keys(lp)])].sort()) {
    const path = `spec.parameters.${key}`;
    const ev = rp[key];
    const fv = lp[key];
    if (key === 'objects' && typeof ev === 'string' && typeof fv === 'string') {
      const eo = parseObjectsParameter(ev);
      const fo = parseObjectsParameter(fv);
      if (eo && fo) {
        deepDiff(path, eo, fo, out);
        continue;
      }
      if (!fo && eo) {
        out.push({ path, expected: 'a YAML {array: [...]} the provider can parse', found: fv });
        continue;
      }
    }
    const norm = (v: unknown) => (typeof v === 'string' ? v.trim() : v);
    if (norm(ev) !== norm(fv)) out.push({ path, expected: ev, found: fv });
  }

  deepDiff('spec.secretObjects', r.secretObjects ?? [], l.secretObjects ?? [], out);
  return out;
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/**
 * The SecretProviderClass check: present, and no drift from the rendered manifest. One fail
 * finding per drifted field so the user sees each wrong value.
 */
export function checkSecretProviderClass(args: {
  readonly namespace: string;
  readonly name: string;
  readonly live: SecretProviderClass | undefined;
  /** The rendered manifest; undefined when the rendered files do not contain it. */
  readonly rendered: SecretProviderClass | undefined;
}): Outcome[] {
  const subject = `${args.namespace}/${args.name}`;
  if (!args.live) {
    return [
      fail(
        'spc',
        subject,
        'SecretProviderClass not found: pods that mount it fail with FailedMount "not found"',
        'apply the rendered manifests (dist/<env>/) through your GitOps tool; the SecretProviderClass must exist before the Deployment',
      ),
    ];
  }
  if (!args.rendered) {
    return [
      fail(
        'spc-drift',
        subject,
        'the rendered manifests contain no SecretProviderClass of this name: nothing to compare with',
        'render the environment again with the current project version',
      ),
    ];
  }
  const drift = diffSecretProviderClass(args.rendered, args.live);
  if (drift.length === 0) return [pass('spc', subject, 'SecretProviderClass exists and matches the rendered manifest')];
  return drift.map((d) =>
    fail(
      'spc-drift',
      subject,
      `${d.path}: rendered ${show(d.expected)}, live ${show(d.found)}`,
      're-apply the rendered manifests (GitOps sync); if the outputs changed, render again first. Do not edit the live object by hand',
    ),
  );
}

/** A field of an `objects` element as the provider reads it: scalars as their text, anything else as JSON; unset is "". */
function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString();
  return JSON.stringify(v) ?? '';
}
