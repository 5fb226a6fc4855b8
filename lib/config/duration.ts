/**
 * Go `time.ParseDuration` syntax, as the AKS add-on's `secret_rotation_interval` takes it:
 * a sequence of decimal numbers, each with an optional fraction and a unit (ns, us, µs, ms, s, m, h).
 * We accept only positive durations without a sign.
 */
export const GO_DURATION = /^(\d+(\.\d*)?(ns|us|µs|ms|s|m|h)|\.\d+(ns|us|µs|ms|s|m|h))+$/;
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

export function isGoDuration(value: string): boolean {
  return GO_DURATION.test(value);
}

/** Seconds in a Go duration string; throws on anything `isGoDuration` rejects. */
export function durationSeconds(value: string): number {
  if (!isGoDuration(value)) {
    throw new Error(`not a Go duration: ${JSON.stringify(value)}`);
  }
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
  }
  return total;
}

/** Seconds as the shortest Go-style duration: 120 → `2m`, 90 → `1m30s`, 0 → `0s`. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round((seconds % 60) * 1000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
