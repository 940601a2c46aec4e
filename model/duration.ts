// Durations in scenarios are written with units ("200ms", "5s", "1h30m") so a plan reads the way a
// runbook does; a bare number would leave the reader guessing between seconds and milliseconds.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Milliseconds for a duration string, or an error message saying why it is not one. */
export function parseDuration(text: string): number | { error: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('-')) return { error: `duration must not be negative, got "${text}"` };
  if (!new RegExp(DURATION_PATTERN).test(trimmed)) {
    return { error: `"${text}" is not a duration; write it with a unit, e.g. 200ms, 5s, 2m, 1h30m` };
  }
  let ms = 0;
  for (const m of trimmed.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(ms);
}

export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (typeof ms !== 'number') throw new Error(ms.error);
  return ms;
}

/** Human form for reports and progress: 950ms, 12.3s, 4m05s, 2h10m. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)}s`;
  if (abs < 3_600_000) {
    const m = Math.floor(abs / 60_000);
    const s = Math.floor((abs % 60_000) / 1000);
    return `${sign}${m}m${String(s).padStart(2, '0')}s`;
  }
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  return `${sign}${h}h${String(m).padStart(2, '0')}m`;
}
