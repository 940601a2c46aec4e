// A scenario's drills side by side: did RTO and RPO hold drill after drill, which breakdowns keep
// coming back, which steps eat the time. Pure: parsed report.json values in, a model and text out.
import { BREAKDOWN_CODES, BREAKDOWN_EFFECTS, isBreakdownEffect, type BreakdownCode, type BreakdownEffect } from '../model/breakdown.js';
import { formatDuration } from '../model/duration.js';
import type { Report } from './build.js';
import { objectiveResults, type ObjectiveResult } from './objectives.js';
import { readableTime } from './time.js';

export type Verdict = 'met' | 'MISSED' | 'not measured';

export type DrillRow = {
  drillId: string;
  startedAt: string;
  status: string;
  /** the target as that drill's scenario had it: plans are revised between drills */
  rto: { targetMs: number; actualMs: number | null; verdict: Verdict };
  /** null when the objective has no ledger, so there was no RPO to measure */
  rpo: { targetMs: number; actualMs: number | null; verdict: Verdict; lostWrites: number } | null;
  /** the level of service restored against the declared share (a report from before RLOs were measured: not measured) */
  rlo: { target: string; actualShare: number | null; verdict: Verdict };
};

export type SystemHistory = { system: string; drills: DrillRow[] };

export type BreakdownCount = { code: string; cause: string; count: number; drills: number; lostMs: number;
  effects: Record<BreakdownEffect, number> };

export type StepStats = {
  step: string; kind: string;
  /** drills in which the step ran to a measured duration */
  runs: number;
  medianMs: number; maxMs: number; slowestDrill: string;
  /** the expectation of the newest drill that declared one */
  expectedMs: number | null;
  /** drills in which the step took longer than expected */
  overruns: number;
  worstOverrunMs: number | null; worstOverrunDrill: string | null;
};

export type ScenarioHistory = {
  scenario: string;
  drills: number;
  firstAt: string;
  lastAt: string;
  systems: SystemHistory[];
  breakdowns: BreakdownCount[];
  /** by longest actual duration in any drill */
  slowestSteps: StepStats[];
  /** steps that overran their expectation at least once, by worst overrun */
  overrunSteps: StepStats[];
};

export type History = { scenarios: ScenarioHistory[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The value as a Report, or why it is not one. Only what the history reads is checked: a report.json
 * from an older release still counts as long as it has these.
 */
export function asReport(value: unknown): Report | string {
  if (!isObject(value)) return 'not a JSON object';
  const missing = ['drillId', 'scenario', 'startedAt'].filter((k) => typeof value[k] !== 'string');
  if (missing.length > 0) return `not a drill report (no ${missing.join(', ')})`;
  if (Number.isNaN(Date.parse(value.startedAt as string))) return `not a drill report (startedAt ${JSON.stringify(value.startedAt)} is not a time)`;
  if (!Array.isArray(value.objectives) || !Array.isArray(value.steps)) return 'not a drill report (no objectives or steps)';
  if (typeof value.status !== 'string') return 'not a drill report (no status)';
  const target = (m: unknown) => isObject(m) && typeof m.targetMs === 'number';
  const objectivesOk = value.objectives.every((o) => isObject(o) && typeof o.system === 'string' && target(o.rto) && target(o.rpo));
  if (!objectivesOk) return 'not a drill report (an objective without system, rto or rpo target)';
  if (!value.steps.every((s) => isObject(s) && typeof s.id === 'string' && typeof s.kind === 'string')) return 'not a drill report (a step without id or kind)';
  if (value.breakdowns !== undefined && !(Array.isArray(value.breakdowns) && value.breakdowns.every((b) => isObject(b) && typeof b.code === 'string'))) {
    return 'not a drill report (breakdowns is not a list of coded breakdowns)';
  }
  return value as unknown as Report;
}

/** A scenario file names its scenario; a bare name is taken as one. */
export const looksLikeScenarioName = (arg: string) => /^[a-z0-9][a-z0-9-]*$/.test(arg);

const verdict = (met: boolean | null | undefined): Verdict => (met === true ? 'met' : met === false ? 'MISSED' : 'not measured');

const byTime = (a: Report, b: Report) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.drillId.localeCompare(b.drillId);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

/**
 * A drill's objectives as today's checker measures them from the record its report embeds, so a year
 * of drills is judged one way (an abort an older release called a miss is not measured); the report's
 * own figures when its record cannot be measured.
 */
function objectivesOf(r: Report): ObjectiveResult[] {
  if (!r.record?.spec?.objectives) return r.objectives;
  try {
    return objectiveResults(r.record);
  } catch {
    return r.objectives;
  }
}

function systemsOf(reports: Report[]): SystemHistory[] {
  const systems = new Map<string, DrillRow[]>();
  for (const r of reports) {
    for (const o of objectivesOf(r)) {
      // Without the record we cannot tell "no ledger" from "ledger never read back"; assume a ledger.
      const specs = r.record?.spec?.objectives;
      const spec = Array.isArray(specs) ? specs.find((x) => x?.system === o.system) : undefined;
      const hasLedger = spec ? spec.ledger !== undefined : true;
      const row: DrillRow = {
        drillId: r.drillId, startedAt: r.startedAt, status: r.status,
        rto: { targetMs: o.rto.targetMs, actualMs: o.rto.actualMs ?? null, verdict: verdict(o.rto.met) },
        rpo: hasLedger ? { targetMs: o.rpo.targetMs, actualMs: o.rpo.actualMs ?? null, verdict: verdict(o.rpo.met), lostWrites: o.rpo.lostWrites ?? 0 } : null,
        rlo: typeof o.rlo === 'object' ? { target: o.rlo.target, actualShare: o.rlo.actualShare, verdict: verdict(o.rlo.met) } : { target: String(o.rlo ?? ''), actualShare: null, verdict: 'not measured' },
      };
      systems.set(o.system, [...(systems.get(o.system) ?? []), row]);
    }
  }
  return [...systems].map(([system, drills]) => ({ system, drills }));
}

function breakdownsOf(reports: Report[]): BreakdownCount[] {
  const counts = new Map<string, BreakdownCount & { seen: Set<string> }>();
  for (const r of reports) {
    for (const b of r.breakdowns ?? []) {
      const c = counts.get(b.code) ?? { code: b.code, cause: b.cause ?? BREAKDOWN_CODES[b.code as BreakdownCode] ?? b.code,
        count: 0, drills: 0, lostMs: 0, effects: Object.fromEntries(BREAKDOWN_EFFECTS.map((e) => [e, 0])) as Record<BreakdownEffect, number>, seen: new Set<string>() };
      c.count++;
      c.seen.add(r.drillId);
      c.drills = c.seen.size;
      c.lostMs += b.lostMs ?? 0;
      if (isBreakdownEffect(b.effect)) c.effects[b.effect]++;
      counts.set(b.code, c);
    }
  }
  return [...counts.values()]
    .map(({ seen: _, ...c }) => c)
    .sort((a, b) => b.count - a.count || b.lostMs - a.lostMs || a.code.localeCompare(b.code));
}

function stepStats(reports: Report[]): StepStats[] {
  const runs = new Map<string, { kind: string; drillId: string; durationMs: number; expectedMs: number | null; overrunMs: number | null }[]>();
  for (const r of reports) {
    for (const s of r.steps) {
      if (typeof s.durationMs !== 'number') continue;
      const expectedMs = typeof s.expectedMs === 'number' ? s.expectedMs : null;
      const overrunMs = typeof s.overrunMs === 'number' ? s.overrunMs : expectedMs === null ? null : s.durationMs - expectedMs;
      runs.set(s.id, [...(runs.get(s.id) ?? []), { kind: s.kind, drillId: r.drillId, durationMs: s.durationMs, expectedMs, overrunMs }]);
    }
  }
  return [...runs].map(([step, rs]): StepStats => {
    // Ties go to the newest drill: it is the one a reader can still do something about.
    const slowest = rs.reduce((a, b) => (b.durationMs >= a.durationMs ? b : a));
    const over = rs.filter((x) => x.overrunMs !== null && x.overrunMs > 0);
    const worst = over.reduce<(typeof over)[number] | null>((a, b) => (a === null || b.overrunMs! >= a.overrunMs! ? b : a), null);
    return {
      step, kind: rs[rs.length - 1]!.kind, runs: rs.length,
      medianMs: median(rs.map((x) => x.durationMs)), maxMs: slowest.durationMs, slowestDrill: slowest.drillId,
      expectedMs: [...rs].reverse().find((x) => x.expectedMs !== null)?.expectedMs ?? null,
      overruns: over.length, worstOverrunMs: worst?.overrunMs ?? null, worstOverrunDrill: worst?.drillId ?? null,
    };
  });
}

/**
 * The history of every scenario among `reports` (or only `scenario`), drills oldest first.
 * `limit` bounds the slowest and overrunning step lists.
 */
export function buildHistory(reports: Report[], opts: { scenario?: string; limit?: number } = {}): History {
  const limit = opts.limit ?? 5;
  const byScenario = new Map<string, Report[]>();
  for (const r of reports) {
    if (opts.scenario !== undefined && r.scenario !== opts.scenario) continue;
    byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r]);
  }
  const scenarios = [...byScenario].sort(([a], [b]) => a.localeCompare(b)).map(([scenario, rs]): ScenarioHistory => {
    const drills = [...rs].sort(byTime);
    const steps = stepStats(drills);
    return {
      scenario, drills: drills.length, firstAt: drills[0]!.startedAt, lastAt: drills[drills.length - 1]!.startedAt,
      systems: systemsOf(drills),
      breakdowns: breakdownsOf(drills),
      slowestSteps: [...steps].sort((a, b) => b.maxMs - a.maxMs || a.step.localeCompare(b.step)).slice(0, limit),
      overrunSteps: steps.filter((s) => s.overruns > 0)
        .sort((a, b) => b.worstOverrunMs! - a.worstOverrunMs! || a.step.localeCompare(b.step)).slice(0, limit),
    };
  });
  return { scenarios };
}


/** Columns padded to their widest cell; the last column is not padded so lines carry no trailing blanks. */
function table(head: string[], rows: string[][], indent = '    '): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => indent + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function renderScenario(h: ScenarioHistory): string[] {
  const span = h.drills === 1 ? readableTime(h.firstAt) : `${readableTime(h.firstAt)} to ${readableTime(h.lastAt)}`;
  const out = [`${h.scenario}: ${h.drills} drill${h.drills === 1 ? '' : 's'}, ${span}`];
  for (const s of h.systems) {
    const missed = s.drills.filter((d) => d.rto.verdict === 'MISSED' || d.rpo?.verdict === 'MISSED').length;
    out.push('', `  ${s.system}: ${missed === 0 ? 'no objective missed' : `objectives missed in ${missed} of ${s.drills.length} drills`}`);
    out.push(...table(['drill', 'started', 'status', 'RTO actual', 'target', 'RTO', 'RPO actual', 'target', 'RPO', 'lost writes'],
      s.drills.map((d) => [d.drillId, readableTime(d.startedAt), d.status,
        formatDuration(d.rto.actualMs), formatDuration(d.rto.targetMs), d.rto.verdict,
        ...(d.rpo ? [formatDuration(d.rpo.actualMs), formatDuration(d.rpo.targetMs), d.rpo.verdict, String(d.rpo.lostWrites)] : ['no ledger'])])));
  }
  out.push('', '  breakdowns by code:');
  if (h.breakdowns.length === 0) out.push('    none recorded');
  else {
    out.push(...table(['code', 'count', 'drills', 'time lost', 'enlarged', 'prolonged', 'cause'],
      h.breakdowns.map((b) => [b.code, String(b.count), String(b.drills), formatDuration(b.lostMs), String(b.effects.enlarged), String(b.effects.prolonged), b.cause])));
  }
  out.push('', '  slowest steps (by actual duration):');
  out.push(...table(['step', 'kind', 'runs', 'median', 'max', 'expected', 'slowest in'],
    h.slowestSteps.map((s) => [s.step, s.kind, String(s.runs), formatDuration(s.medianMs), formatDuration(s.maxMs), formatDuration(s.expectedMs), s.slowestDrill])));
  out.push('', '  steps over their expected time (by worst overrun):');
  if (h.overrunSteps.length === 0) out.push('    none overran');
  else {
    out.push(...table(['step', 'kind', 'expected', 'overran', 'worst overrun', 'worst in'],
      h.overrunSteps.map((s) => [s.step, s.kind, formatDuration(s.expectedMs), `${s.overruns} of ${s.runs}`, `+${formatDuration(s.worstOverrunMs)}`, s.worstOverrunDrill ?? ''])));
  }
  return out;
}

/** The history as text for a terminal: one block per scenario. */
export function renderHistory(history: History): string {
  return history.scenarios.map((s) => renderScenario(s).join('\n')).join('\n\n') + '\n';
}
