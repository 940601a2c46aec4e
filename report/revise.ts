// A drill's findings, turned into a revised plan: the scenario's own YAML document edited in place, so
// its comments and layout survive. Pure: scenario text + report → revised text and what changed.
//  - expected durations become what was measured (the measured value and drill id in a comment), for
//    steps whose time is real: automated steps that declare one, and people's steps people answered;
//  - breakdowns become `findings` on the steps they hit, and follow-ups with an owner and a due date;
//  - a missed objective gets a finding naming the step that consumed its budget.
import { Document, isMap, isSeq, parseDocument, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';

export type Revision = { text: string; changes: string[] };

const PEOPLE_KINDS = new Set(['manual', 'gate', 'notify']);
const DAY = 86_400_000;

/** Measured durations are rounded the way a runbook states them. */
function planDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(1, Math.round(ms / 10) * 10)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) { const s = Math.round(ms / 1000); return s % 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s / 60}m`; }
  const m = Math.round(ms / 60_000);
  return m % 60 ? `${Math.floor(m / 60)}h${m % 60}m` : `${m / 60}h`;
}

function seqAt(doc: Document, key: string): YAMLSeq | null {
  const node = doc.get(key, true);
  return isSeq(node) ? node : null;
}

function appendTo(doc: Document, map: YAMLMap, key: string, items: object[]) {
  const existing = map.get(key, true);
  if (isSeq(existing)) for (const item of items) existing.add(doc.createNode(item));
  else map.set(key, doc.createNode(items));
}

const STRINGIFY = { lineWidth: 0, flowCollectionPadding: false } as const;

/**
 * The original text with only the touched nodes rewritten (in block style, at their own indentation)
 * and new top-level entries appended: every line the revision does not concern stays byte for byte.
 */
function splice(text: string, touched: Set<Node>, appended: Record<string, unknown>): string {
  let out = text;
  const nodes = [...touched].filter((n) => n.range).sort((a, b) => b.range![0] - a.range![0]);
  for (const node of nodes) {
    const [start, end] = node.range!;
    const column = start - (out.lastIndexOf('\n', start - 1) + 1);
    const single = new Document();
    single.contents = node;
    const body = single.toString(STRINGIFY).replace(/\n$/, '').split('\n').map((l, i) => (i === 0 || l === '' ? l : ' '.repeat(column) + l)).join('\n');
    // A block node's range runs on to the next item's indentation: keep that whitespace as it was.
    const tail = /\s*$/.exec(out.slice(start, end))![0];
    out = out.slice(0, start) + body + tail + out.slice(end);
  }
  if (Object.keys(appended).length) out = out.replace(/\n*$/, '\n') + new Document(appended).toString(STRINGIFY);
  return out;
}

export function reviseScenario(scenarioText: string, report: Report, opts: { owner?: string; dueDays?: number } = {}): Revision {
  const doc = parseDocument(scenarioText);
  if (doc.errors.length) throw new Error(`the scenario does not parse: ${doc.errors[0]!.message}`);
  const changes: string[] = [];
  const touched = new Set<Node>();
  const appended: Record<string, unknown> = {};
  const drill = report.drillId;
  const steps = seqAt(doc, 'steps');
  if (!steps) throw new Error('the scenario has no steps list');
  const stepNodes = new Map<string, YAMLMap>();
  for (const item of steps.items) if (isMap(item)) stepNodes.set(String(item.get('id')), item as YAMLMap);

  for (const s of report.steps) {
    const node = stepNodes.get(s.id);
    if (!node || s.status !== 'completed' || s.durationMs === undefined) continue;
    if (PEOPLE_KINDS.has(s.kind) && (s.confirmedBy === undefined || s.confirmedBy === 'auto')) continue; // the unattended operator's time says nothing of people's
    const next = planDuration(s.durationMs);
    const before = node.get('expected');
    if (before === next) continue;
    if (before === undefined && !PEOPLE_KINDS.has(s.kind)) continue; // automation with no runbook estimate needs none
    node.flow = false; // a comment needs a line of its own
    touched.add(node);
    node.set('expected', doc.createNode(next));
    const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === 'expected' || p.key === 'expected');
    if (pair?.value && typeof pair.value === 'object') {
      (pair.value as { comment?: string }).comment = ` measured ${d(s.durationMs)} in drill ${drill}${before !== undefined ? ` (was ${String(before)})` : ''}`;
    }
    changes.push(`${s.id}: expected ${before ?? '(none)'} → ${next} (measured ${d(s.durationMs)})`);
  }

  // A second revision from the same drill must not carry its findings twice.
  const carried = [...stepNodes.values(), ...(seqAt(doc, 'objectives')?.items ?? [])].some((n) => {
    const f = isMap(n) ? n.get('findings', true) : null;
    return isSeq(f) && f.items.some((i) => isMap(i) && i.get('drill') === drill);
  }) || (seqAt(doc, 'followUps')?.items ?? []).some((n) => isMap(n) && n.get('from') === drill);
  if (carried) {
    changes.push(`the findings of drill ${drill} are already in the plan; only durations were revised`);
    return { text: splice(scenarioText, touched, appended), changes };
  }

  const byStep = new Map<string, Report['breakdowns']>();
  for (const b of report.breakdowns) byStep.set(b.step, [...(byStep.get(b.step) ?? []), b]);
  for (const [stepId, found] of byStep) {
    const node = stepNodes.get(stepId);
    if (!node) continue;
    node.flow = false;
    touched.add(node);
    appendTo(doc, node, 'findings', found.map((b) => ({ drill, code: b.code, effect: b.effect, note: b.note, ...(b.lostMs !== null && b.lostMs > 0 && { lost: planDuration(b.lostMs) }) })));
    changes.push(`${stepId}: ${found.length} breakdown${found.length > 1 ? 's' : ''} recorded as findings`);
  }

  const objectives = seqAt(doc, 'objectives');
  const missed: { system: string; what: 'rto' | 'rpo'; note: string }[] = [];
  for (const o of report.objectives) {
    const node = objectives?.items.find((n) => isMap(n) && n.get('system') === o.system) as YAMLMap | undefined;
    if (!node) continue;
    const notes: string[] = [];
    if (o.rto.met === false) {
      const top = o.rto.consumedBy[0];
      notes.push(`RTO missed: ${d(o.rto.actualMs)} against ${d(o.rto.targetMs)}${top ? `; step ${top.step} consumed ${d(top.ms)} of it` : ''}`);
      missed.push({ system: o.system, what: 'rto', note: notes.at(-1)! });
    }
    if (o.rpo.met === false) {
      notes.push(`RPO missed: ${d(o.rpo.actualMs)} against ${d(o.rpo.targetMs)}, ${o.rpo.lostWrites} acknowledged writes lost`);
      missed.push({ system: o.system, what: 'rpo', note: notes.at(-1)! });
    }
    if (!notes.length) continue;
    node.flow = false;
    touched.add(node);
    appendTo(doc, node, 'findings', notes.map((note) => ({ drill, note })));
    changes.push(`objective ${o.system}: ${notes.join('; ')}`);
  }

  // Each breakdown and each missed objective is a measure to take before the next drill, which checks it.
  const due = new Date(Date.parse(report.endedAt ?? report.startedAt) + (opts.dueDays ?? 30) * DAY).toISOString().slice(0, 10);
  const existing = new Set((seqAt(doc, 'followUps')?.items ?? []).map((n) => (isMap(n) ? String(n.get('id')) : '')));
  // An id already taken by an earlier drill's follow-up gets this drill's id appended.
  const idFor = (base: string) => (existing.has(base) ? `${base}-${drill}`.toLowerCase().replace(/[^a-z0-9-]/g, '-') : base);
  const candidates: ({ id: string } & Record<string, unknown>)[] = [
    ...report.breakdowns.map((b) => ({ id: idFor(`${b.step}-${b.code}`), finding: `${b.cause}: ${b.note}`, step: b.step, code: b.code, owner: opts.owner ?? b.by, due, status: 'open', from: drill })),
    ...missed.map((m) => ({ id: idFor(`${m.system}-${m.what}`), finding: m.note, objective: m.system, owner: opts.owner ?? 'plan-owner', due, status: 'open', from: drill })),
  ];
  const followUps = candidates.filter((f, i) => candidates.findIndex((g) => g.id === f.id) === i);
  if (followUps.length) {
    const node = doc.get('followUps', true);
    if (isSeq(node)) {
      for (const f of followUps) node.add(doc.createNode(f));
      touched.add(node);
    } else appended.followUps = followUps;
    changes.push(`${followUps.length} follow-up${followUps.length > 1 ? 's' : ''} due ${due}`);
  }
  return { text: splice(scenarioText, touched, appended), changes };
}
