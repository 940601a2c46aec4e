// Durations in scenarios are written with units ("200ms", "5s", "1h30m") so a plan reads the way a
// runbook does; a bare number would leave the reader guessing between seconds and milliseconds.
import { z } from 'zod';
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Milliseconds for a duration string, or an error message saying why it is not one. */
export function parseDuration(text: string): number | { error: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('-')) return { error: `duration must not be negative, got "${shown(text)}"` };
  if (!new RegExp(DURATION_PATTERN).test(trimmed)) {
    return { error: `"${shown(text)}" is not a duration; write it with a unit, e.g. 200ms, 5s, 2m, 1h30m` };
  }
  let ms = 0;
  for (const m of trimmed.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  // `1` and 400 zeros is a number JavaScript calls Infinity: no timer, and no report, can use it.
  if (!Number.isFinite(ms)) return { error: `"${shown(text)}" is too large to be a duration` };
  return Math.round(ms);
}

/** A 400-digit duration is echoed by its head and its length, not in full. */
function shown(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 20)}… (${text.length} characters)`;
}

/**
 * The longest a timer can wait: Node's setTimeout holds a signed 32-bit count of milliseconds
 * (24.8 days) and fires at once on anything longer, so a longer timeout would end immediately.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The plan's own horizon, for figures no timer waits on (objectives, backup intervals): a year. */
export const MAX_PLAN_MS = 366 * 86_400_000;

/** What a duration field accepts, in milliseconds (both ends included), and what its ceiling is. */
export type DurationBounds = { min: number; max: number; ceiling: string };

const TIMERS = "a drill's timers can wait (24.8 days, 24d20h31m23.647s)";
/** Something the drill waits for and gives up on (a timeout, an interval): 0 would end or spin at once. */
export const TIMER: DurationBounds = { min: 1, max: MAX_TIMER_MS, ceiling: TIMERS };
/** A pause or a tolerance: 0 is allowed (no pause), up to what a timer can still count. */
export const PAUSE: DurationBounds = { min: 0, max: MAX_TIMER_MS, ceiling: TIMERS };
/** A target or a plan figure: no timer runs it down, but it is still a length of time within a plan. */
export const TARGET: DurationBounds = { min: 0, max: MAX_PLAN_MS, ceiling: "a plan's year (366d)" };

/** Why a duration does not fit its field, or null when it does. */
export function durationProblem(text: string, bounds: DurationBounds): string | null {
  const ms = parseDuration(text);
  if (typeof ms !== 'number') return ms.error;
  if (ms < bounds.min) {
    return bounds.min === 1
      ? `must be more than 0, got "${shown(text)}": a timeout or interval of 0 ends, or spins, before anything can happen`
      : `must be at least ${formatDuration(bounds.min)}, got "${shown(text)}"`;
  }
  if (ms > bounds.max) return `"${shown(text)}" is longer than ${bounds.ceiling}`;
  return null;
}

/**
 * A duration field of the scenario: text with a unit, within its bounds. Every problem is one issue
 * tagged with the field's least value, so validation can tell it from a structural error (and still
 * cross-check the rest of the plan).
 */
export function durationSchema(bounds: DurationBounds, opts: { signed?: boolean } = {}) {
  return z.string({
    error: (iss) => (iss.input === undefined ? undefined : typeof iss.input === 'number'
      ? `a duration needs a unit: write ${iss.input}s or ${iss.input}ms, not ${iss.input}` : 'write a duration with a unit, e.g. 200ms, 5s, 2m, 1h30m'),
  })
    .meta({ pattern: opts.signed ? DURATION_PATTERN.replace('^', '^-?') : DURATION_PATTERN })
    .superRefine((text, ctx) => {
      const magnitude = opts.signed ? text.trim().replace(/^-/, '') : text;
      const problem = /^\s*-?\s*\d/.test(magnitude) ? durationProblem(magnitude, bounds) : `write a duration with a unit, e.g. 200ms, 5s, 2m, 1h30m (got "${shown(text)}")`;
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, params: { durationMin: bounds.min } });
    });
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
