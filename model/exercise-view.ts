// What each side of an exercise sees. A participant's view is built field by field from what a real
// team would have (its monitoring, its own answers, the runbook step once the incident is declared),
// never by removing fields from the facilitator's: a field added to the record later stays hidden.
import type { DrillRecord, SampleRun, WaitingStep } from './record.js';
import { isPeopleKind } from './spec.js';
import type { ExerciseRecord, Inject } from './exercise-types.js';

export type Symptom = { probe: string; state: 'ok' | 'failing' | 'no samples yet'; since: number | null; error?: string };
export type Alert = { at: number; probe: string; text: string };
/** The team is not told how long the runbook expects the step to take. */
export type WaitingForTeam = Omit<WaitingStep, 'expectedMs'>;

/** The sealed choice and what became of it: shown to everyone once the facilitator reveals. */
export type Reveal = {
  scenario: string;
  scenarioFile?: string;
  pool: string;
  seed: number;
  momentPlannedMs: number;
  momentAt: number | null;
  t0: number | null;
  faults: { step: string; title?: string; type: string; target: string; effectAt: number | null; healedAt: number | null }[];
  injects: { at: number; by: string; inject: Inject; detail: string }[];
};

export type ParticipantView = {
  role: 'participant';
  exercise: string;
  you: string;
  roles: string[];
  /** false once an inject has made you unavailable: everything you send is refused */
  available: boolean;
  status: 'running' | 'paused' | 'ended';
  startedAt: number;
  symptoms: Symptom[];
  alerts: Alert[];
  detected: { at: number; by: string } | null;
  declared: { at: number; by: string } | null;
  /** the runbook step waiting for the team: shown once the incident is declared */
  waiting: WaitingForTeam | null;
  answered: { step: string; status: string; by?: string; at?: number }[];
  breakdowns: { step: string; code: string; by: string; at: number }[];
  revealed: Reveal | null;
};

export function reveal(record: DrillRecord, ex: ExerciseRecord): Reveal {
  const c = ex.choice;
  return {
    scenario: c.scenario, ...(c.scenarioFile !== undefined && { scenarioFile: c.scenarioFile }),
    pool: `${c.poolIndex + 1} of ${c.poolSize}`, seed: c.seed, momentPlannedMs: c.momentMs, momentAt: ex.momentAt ?? null, t0: record.t0,
    faults: c.faults.flatMap((f) => f.targets.map((target) => {
      const fr = record.faults?.find((x) => x.step === f.step && x.target === target);
      const step = record.steps.find((s) => s.id === f.step);
      return { step: f.step, ...(f.title !== undefined && { title: f.title }), type: f.type, target, effectAt: fr?.effectAt ?? step?.effectAt ?? null, healedAt: fr?.healedAt ?? null };
    })),
    injects: ex.injects,
  };
}

/** The availability probes' state now, as the team's monitoring shows it. */
function symptoms(record: DrillRecord, probes: string[]): Symptom[] {
  return probes.map((probe) => {
    const last = record.availability[probe]?.at(-1);
    if (!last) return { probe, state: 'no samples yet', since: null };
    return { probe, state: last.ok ? 'ok' : 'failing', since: last.firstAt, ...(last.error !== undefined && { error: last.error }) };
  });
}

/** An alert when a probe that had been healthy starts failing, and when it recovers. */
function alerts(record: DrillRecord, probes: string[]): Alert[] {
  const out: Alert[] = [];
  for (const probe of probes) {
    const runs: SampleRun[] = record.availability[probe] ?? [];
    const armed = runs.findIndex((r) => r.ok);
    if (armed < 0) continue;
    for (const r of runs.slice(armed + 1)) out.push({ at: r.firstAt, probe, text: r.ok ? `${probe} recovered` : `${probe} failing${r.error ? `: ${r.error}` : ''}` });
  }
  return out.sort((a, b) => a.at - b.at).slice(-20);
}

export function participantView(input: {
  record: DrillRecord; ex: ExerciseRecord; name: string; paused: boolean;
  waiting: WaitingForTeam | null;
}): ParticipantView {
  const { record, ex, name } = input;
  const probes = Object.entries(record.spec.probes).filter(([, p]) => p.kind === 'availability').map(([n]) => n);
  const declared = ex.declared ? { at: ex.declared.at, by: ex.declared.by } : null;
  return {
    role: 'participant',
    exercise: ex.exerciseId,
    you: name,
    roles: record.spec.participants?.[name] ?? [],
    available: !ex.unavailable.includes(name),
    status: record.status !== 'running' ? 'ended' : input.paused ? 'paused' : 'running',
    startedAt: record.startedAt,
    symptoms: symptoms(record, probes),
    alerts: alerts(record, probes),
    detected: ex.detected ? { at: ex.detected.at, by: ex.detected.by } : null,
    declared,
    waiting: declared && input.waiting ? { id: input.waiting.id, kind: input.waiting.kind, text: input.waiting.text, ...(input.waiting.role !== undefined && { role: input.waiting.role }), since: input.waiting.since } : null,
    answered: record.steps.filter((s) => isPeopleKind(s.kind) && (s.status === 'completed' || s.status === 'skipped') && s.confirmedBy !== undefined)
      .map((s) => ({ step: s.id, status: s.status, by: s.confirmedBy!, ...(s.confirmedAt !== undefined && { at: s.confirmedAt }) })),
    breakdowns: record.breakdowns.filter((b) => b.source === 'participant').map((b) => ({ step: b.step, code: b.code, by: b.by, at: b.reportedAt })),
    revealed: ex.revealedAt !== undefined ? reveal(record, ex) : null,
  };
}
