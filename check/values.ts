/** Narrowing helpers for untyped JSON/YAML: the check reads files, so nothing is trusted. */

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function rec(v: unknown): Json {
  return isRecord(v) ? v : {};
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Renders a value for a message; a missing value reads "(not set)", never "undefined". */
export function show(v: unknown): string {
  if (v === undefined) return '(not set)';
  const s = JSON.stringify(v);
  // JSON has no form for a function or a symbol: name its kind.
  if (s === undefined) return `(${typeof v})`;
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
}

/** YAML/Kubernetes booleans may be real booleans or the strings "true"/"false". */
export function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true');
}
