// The report's summary (each impairment and the cause) and its objectives (target against actual, and
// why a figure was missed or not measured), laid out for report/document.ts. Pure.
import { formatDuration as d } from '../model/duration.js';
import type { DrillRecord, StepResult } from '../model/record.js';
import { allSteps } from '../model/spec.js';
import type { Report } from './build.js';
import { code, list, lit, table, text, verdict, type Block } from './markup.js';
import { ledgerOf, percent, type ObjectiveResult } from './objectives.js';
import { iso } from './time.js';

/** An instant as the report shows it: readable, and relative to t0. */
export type At = (iso: string | null) => string;

/**
 * The fault whose effect is the disaster: the step marked `t0: true`, else the fault whose effect set
 * t0 (the first to take effect). A background fault that ran before it is context, not the cause.
 */
function causeOf(record: DrillRecord): { step: StepResult | undefined; declared: string | undefined } {
  const declared = allSteps(record.spec.steps).find((s) => s.kind === 'fault' && s.t0 === true)?.id;
  if (declared !== undefined) return { step: record.steps.find((s) => s.id === declared && s.effectAt !== undefined), declared };
  return { step: record.t0 === null ? undefined : record.steps.find((s) => s.kind === 'fault' && s.effectAt === record.t0), declared };
}

function causeText(record: DrillRecord, at: At): string {
  const { step, declared } = causeOf(record);
  const detail = (s: StepResult) => {
    const e = record.timeline.find((x) => x.type === 'fault.injected' && x.step === s.id);
    return `${code(s.id)}${s.title ? ` ${lit(s.title)}` : ''} (${lit(e?.detail ?? s.kind)})`;
  };
  const before = record.steps.filter((s) => s.kind === 'fault' && s !== step && s.effectAt !== undefined && (step?.effectAt === undefined || s.effectAt <= step.effectAt));
  const context = before.length ? ` Already in place: ${before.map((s) => `${detail(s)} from ${at(iso(s.effectAt))}`).join(', ')}.` : '';
  if (step && record.t0 !== null) return `Cause: ${detail(step)}, effective at ${at(iso(record.t0))}.${context}`;
  if (declared !== undefined) return `Cause: none: the drill ended before ${code(declared)}, the step marked t0, took effect.${context}`;
  return 'Cause: no fault took effect in this drill.';
}

export function summaryBlocks(r: Report, at: At): Block[] {
  const { record } = r;
  const { spec, t0 } = record;
  const symptoms = (probe: string) => {
    const down = (record.availability[probe] ?? []).find((run) => !run.ok && (t0 === null || run.lastAt >= t0));
    return down ? lit(down.error ?? 'no answer') : '—';
  };
  const unseen = (o: ObjectiveResult) => (o.rto.met === false ? 'not restored' : 'not measured');
  return [
    table(['Impairment (system)', 'Occurred', 'Service restored', 'Data restored', 'Outage', 'Symptoms', 'Scope'], r.objectives.map((o) => {
      const probe = spec.objectives.find((x) => x.system === o.system)?.availability ?? '';
      const target = spec.probes[probe]?.target;
      return [lit(o.system), at(o.rto.detectedAt ?? r.t0), o.rto.restoredAt ? at(o.rto.restoredAt) : unseen(o),
        o.rto.dataRestoredAt ? at(o.rto.dataRestoredAt) : 'not measured', d(o.rto.actualMs), symptoms(probe),
        target ? `${code(`${target.container}:${target.port}`)} as users reach it` : '—'];
    })),
    text(causeText(record, at)),
  ];
}

function objectiveNotes(o: ObjectiveResult, at: At): string[] {
  const s = lit(o.system);
  const notes: string[] = [];
  if (o.note) notes.push(`${s}: ${lit(o.note)}`);
  if (o.from) notes.push(`${s}: a planned disruption, measured from the start of step ${code(o.from)} rather than t0; only writes not already lost before it count against its RPO.`);
  if (o.rto.met !== true && o.rto.reason) notes.push(`${s}: RTO ${o.rto.met === null ? 'not measured' : 'missed'}: ${lit(o.rto.reason)}.`);
  if (o.rto.detectedAt && o.rto.restoredAt) notes.push(`${s}: outage seen by users at ${at(o.rto.detectedAt)}, service restored at ${at(o.rto.restoredAt)}.`);
  if (o.rto.dataRestoredAt && o.rto.dataBy) {
    const lag = o.rto.toServiceMs !== null && o.rto.toDataMs !== null && o.rto.toDataMs > o.rto.toServiceMs ? `, ${d(o.rto.toDataMs - o.rto.toServiceMs)} after the service answered` : '';
    notes.push(`${s}: data shown back by ${lit(o.rto.dataBy)} at ${at(o.rto.dataRestoredAt)}${lag}; the RTO is judged on the later of service and data.`);
  } else if (o.rto.dataReason) notes.push(`${s}: RTO to data not measured: ${lit(o.rto.dataReason)}; the RTO is judged on RTO to service alone.`);
  if (o.rto.phases) {
    const p = o.rto.phases;
    notes.push(`${s}: RTO by phase: detect ${d(p.detect)}, decide ${d(p.decide)}, recover ${d(p.recover)}, verify ${d(p.verify)}${p.between > 0 ? `, between steps ${d(p.between)}` : ''}.`);
  }
  if (o.rto.consumedBy.length) notes.push(`${s}: the recovery time went to ${o.rto.consumedBy.slice(0, 5).map((c) => `${code(c.step)} ${d(c.ms)}`).join(', ')}.`);
  if (o.rpo.met === null && o.rpo.reason) notes.push(`${s}: RPO not measured: ${lit(o.rpo.reason)}.`);
  if (o.rpo.unacknowledgedPresent || o.rpo.holes) notes.push(`${s}: ${o.rpo.unacknowledgedPresent} writes present though never acknowledged; ${o.rpo.holes} lost from inside the surviving history.`);
  const l = o.rlo;
  if (l.actualShare !== null) {
    const writes = l.writes && l.writes.sent > 0 ? `, ${l.writes.acknowledged} of ${l.writes.sent} writes acknowledged${l.writes.acknowledged === 0 ? ' (read-only)' : ''}` : '';
    notes.push(`${s}: RLO ${percent(l.actualShare)} of service from the restoration on: ${l.healthySamples} of ${l.samples} availability samples healthy${writes}.`);
  } else if (l.reason && (l.targetShare === null || o.rto.met === true)) notes.push(`${s}: RLO not measured: ${lit(l.reason)}.`);
  return notes;
}

export function objectivesBlocks(r: Report, at: At): Block[] {
  const notes = r.objectives.flatMap((o) => objectiveNotes(o, at));
  return [
    table(['System', 'RTO target', 'RTO to service', 'RTO to data', 'RTO', 'RPO target', 'RPO actual', 'RPO', 'RLO target', 'RLO actual', 'RLO', 'Acknowledged writes', 'Lost writes'],
      r.objectives.map((o) => [lit(o.system), d(o.rto.targetMs), d(o.rto.toServiceMs), d(o.rto.toDataMs), verdict(o.rto.met),
        d(o.rpo.targetMs), d(o.rpo.actualMs), ledgerOf(r.record, o.system) === undefined ? 'no ledger' : verdict(o.rpo.met),
        lit(o.rlo.target), percent(o.rlo.actualShare), verdict(o.rlo.met), String(o.rpo.acknowledgedWrites), String(o.rpo.lostWrites)]),
      [1, 2, 3, 5, 6, 9, 11, 12]),
    ...(notes.length ? [list(notes)] : []),
  ];
}
