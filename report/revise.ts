// A drill's findings, turned into a revised plan: the scenario's own YAML document edited in place, so
// its comments and layout survive. Pure: scenario text + report → revised text and what changed.
// What to change is decided by proposals.ts (the report shows the same proposals); this applies them.
import { Document, isMap, isSeq, parseDocument, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';
import { proposeRevisions } from './proposals.js';

export type Revision = { text: string; changes: string[] };

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
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const nodes = [...touched].filter((n) => n.range).sort((a, b) => b.range![0] - a.range![0]);
  for (const node of nodes) {
    const [start, end] = node.range!;
    const column = start - (out.lastIndexOf('\n', start - 1) + 1);
    // The node's own comments lie outside its range and stay where they are in the text.
    const { comment, commentBefore } = node as { comment?: string | null; commentBefore?: string | null };
    Object.assign(node, { comment: null, commentBefore: null });
    const single = new Document();
    single.contents = node;
    const body = single.toString(STRINGIFY).replace(/\n$/, '').split('\n').map((l, i) => (i === 0 || l === '' ? l : ' '.repeat(column) + l)).join(eol);
    Object.assign(node, { comment, commentBefore });
    // A block node's range runs on to the next item's indentation: keep that whitespace as it was.
    const tail = /\s*$/.exec(out.slice(start, end))![0];
    out = out.slice(0, start) + body + tail + out.slice(end);
  }
  if (Object.keys(appended).length) out = out.replace(/(\r?\n)*$/, eol) + new Document(appended).toString(STRINGIFY).replace(/\n/g, eol);
  return out;
}

export function reviseScenario(scenarioText: string, report: Report, opts: { owner?: string; dueDays?: number } = {}): Revision {
  const doc = parseDocument(scenarioText);
  if (doc.errors.length) throw new Error(`the scenario does not parse: ${doc.errors[0]!.message}`);
  const proposals = proposeRevisions(report, opts);
  const changes: string[] = [];
  const touched = new Set<Node>();
  const appended: Record<string, unknown> = {};
  const drill = report.drillId;
  const steps = seqAt(doc, 'steps');
  if (!steps) throw new Error('the scenario has no steps list');
  const stepNodes = new Map<string, YAMLMap>();
  for (const item of steps.items) if (isMap(item)) stepNodes.set(String(item.get('id')), item as YAMLMap);
  const touch = (node: YAMLMap) => { node.flow = false; touched.add(node); }; // comments and lists need block style

  for (const p of proposals.durations) {
    const node = stepNodes.get(p.step);
    if (!node) continue;
    const before = node.get('expected');
    if (before === p.after) continue;
    touch(node);
    node.set('expected', doc.createNode(p.after));
    const pair = node.items.find((i) => (i.key as { value?: unknown })?.value === 'expected' || i.key === 'expected');
    if (pair?.value && typeof pair.value === 'object') {
      (pair.value as { comment?: string }).comment = ` measured ${d(p.measuredMs)} in drill ${drill}${before !== undefined ? ` (was ${String(before)})` : ''}`;
    }
    changes.push(`${p.step}: expected ${before ?? '(none)'} → ${p.after} (measured ${d(p.measuredMs)})`);
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

  for (const stepId of new Set(proposals.stepFindings.map((f) => f.step))) {
    const node = stepNodes.get(stepId);
    if (!node) continue;
    const found = proposals.stepFindings.filter((f) => f.step === stepId);
    touch(node);
    appendTo(doc, node, 'findings', found.map(({ step: _step, ...f }) => ({ drill, ...f })));
    changes.push(`${stepId}: ${found.length} breakdown${found.length > 1 ? 's' : ''} recorded as findings`);
  }

  const objectives = seqAt(doc, 'objectives');
  for (const system of new Set(proposals.objectiveFindings.map((f) => f.system))) {
    const node = objectives?.items.find((n) => isMap(n) && n.get('system') === system) as YAMLMap | undefined;
    if (!node) continue;
    const notes = proposals.objectiveFindings.filter((f) => f.system === system).map((f) => f.note);
    touch(node);
    appendTo(doc, node, 'findings', notes.map((note) => ({ drill, note })));
    changes.push(`objective ${system}: ${notes.join('; ')}`);
  }

  // An id already taken by an earlier drill's follow-up gets this drill's id appended.
  const existing = new Set((seqAt(doc, 'followUps')?.items ?? []).map((n) => (isMap(n) ? String(n.get('id')) : '')));
  const followUps = proposals.followUps.map(({ interim: _interim, ...f }) => ({
    ...f, id: existing.has(f.id) ? `${f.id}-${drill}`.toLowerCase().replace(/[^a-z0-9-]/g, '-') : f.id, status: 'open',
  })).map(({ id, finding, step, code, objective, measure, owner, due, status, from }) => ({
    id, finding, ...(step !== undefined && { step }), ...(code !== undefined && { code }), ...(objective !== undefined && { objective }),
    ...(measure !== undefined && { measure }), owner, due, status, from,
  }));
  if (followUps.length) {
    const node = doc.get('followUps', true);
    if (isSeq(node)) {
      for (const f of followUps) node.add(doc.createNode(f));
      touched.add(node);
    } else appended.followUps = followUps;
    changes.push(`${followUps.length} follow-up${followUps.length > 1 ? 's' : ''} due ${followUps[0]!.due}`);
  }
  return { text: splice(scenarioText, touched, appended), changes };
}
