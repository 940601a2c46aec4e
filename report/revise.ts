// A drill's findings, turned into a revised plan: the scenario's own YAML text edited in place
// (report/yaml-edit.ts), so its comments, layout and folded text survive. Pure: scenario text + report
// → revised text and what changed. What to change is decided by proposals.ts (the report shows the
// same proposals); this applies them, and closes the cycle of the plan's follow-ups:
//  - a follow-up this drill verified fixed is closed (status: done);
//  - one still failing stays open under its own id: the same breakdown does not open a second one;
//  - a people step answered by the unattended operator or a script keeps its `expected`: that time
//    is an automation timing, listed in the changes, never the runbook's estimate.
import { isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';
import { proposeRevisions, type FollowUpProposal } from './proposals.js';
import { automationTimings } from './rehearsal.js';
import { YamlEditor } from './yaml-edit.js';

export type Revision = { text: string; changes: string[] };

const maps = (seq: unknown): YAMLMap[] => (isSeq(seq) ? (seq as YAMLSeq).items.filter(isMap) as YAMLMap[] : []);

export function reviseScenario(scenarioText: string, report: Report, opts: { owner?: string; dueDays?: number } = {}): Revision {
  const yaml = new YamlEditor(scenarioText);
  const doc = yaml.doc;
  const root = doc.contents;
  if (!isMap(root) || !isSeq(root.get('steps', true))) throw new Error('the scenario has no steps list');
  const proposals = proposeRevisions(report, opts);
  const changes: string[] = [];
  const drill = report.drillId;
  const stepNodes = new Map<string, YAMLMap>();
  for (const item of maps(root.get('steps', true))) {
    stepNodes.set(String(item.get('id')), item);
    for (const child of maps(item.get('steps', true))) stepNodes.set(String(child.get('id')), child);
  }
  const followUpNodes = maps(root.get('followUps', true));

  for (const p of proposals.durations) {
    const node = stepNodes.get(p.step);
    if (!node) continue;
    const before = node.get('expected');
    if (before === p.after) continue;
    yaml.set(node, 'expected', p.after, ` measured ${d(p.measuredMs)} in drill ${drill}${before !== undefined ? ` (was ${String(before)})` : ''}`);
    changes.push(`${p.step}: expected ${before ?? '(none)'} → ${p.after} (measured ${d(p.measuredMs)})`);
  }
  for (const t of automationTimings(report.record.spec, report.steps)) {
    changes.push(`${t.step}: ${d(t.measuredMs)} by ${t.by}, an automation timing: expected ${t.expectedMs !== undefined ? `${d(t.expectedMs)} kept` : 'left unset'}`);
  }
  changes.push(...settleFollowUps(yaml, followUpNodes, report));

  // A second revision from the same drill must not carry its findings twice.
  const carried = [...stepNodes.values(), ...maps(root.get('objectives', true))].some((n) => maps(n.get('findings', true)).some((f) => f.get('drill') === drill))
    || followUpNodes.some((n) => n.get('from') === drill);
  if (carried) {
    changes.push(`the findings of drill ${drill} are already in the plan; only durations and follow-up verdicts were revised`);
    return { text: yaml.toString(), changes };
  }

  for (const stepId of new Set(proposals.stepFindings.map((f) => f.step))) {
    const node = stepNodes.get(stepId);
    if (!node) continue;
    const found = proposals.stepFindings.filter((f) => f.step === stepId);
    yaml.append(node, 'findings', found.map(({ step: _step, ...f }) => ({ drill, ...f })));
    changes.push(`${stepId}: ${found.length} breakdown${found.length > 1 ? 's' : ''} recorded as findings`);
  }

  const objectives = maps(root.get('objectives', true));
  for (const system of new Set(proposals.objectiveFindings.map((f) => f.system))) {
    const node = objectives.find((n) => n.get('system') === system);
    if (!node) continue;
    const notes = proposals.objectiveFindings.filter((f) => f.system === system).map((f) => f.note);
    yaml.append(node, 'findings', notes.map((note) => ({ drill, note })));
    changes.push(`objective ${system}: ${notes.join('; ')}`);
  }

  const followUps = newFollowUps(proposals.followUps, followUpNodes, drill);
  if (followUps.length) {
    yaml.append(root, 'followUps', followUps);
    changes.push(`${followUps.length} follow-up${followUps.length > 1 ? 's' : ''} due ${followUps[0]!.due}`);
  }
  return { text: yaml.toString(), changes };
}

/** The plan's open follow-ups this drill checked: closed when verified fixed, marked when still failing. */
function settleFollowUps(yaml: YamlEditor, nodes: YAMLMap[], report: Report): string[] {
  const changes: string[] = [];
  for (const f of report.followUps ?? []) {
    const node = nodes.find((n) => String(n.get('id')) === f.id && (n.get('status') ?? 'open') === 'open');
    if (!node) continue;
    if (f.verdict === 'verified fixed' && yaml.set(node, 'status', 'done', ` verified fixed in drill ${report.drillId}: ${f.evidence}`)) {
      changes.push(`follow-up ${f.id}: verified fixed, closed`);
    }
    if (f.verdict === 'still failing' && yaml.set(node, 'status', 'open', ` still failing in drill ${report.drillId}: ${f.evidence}`)) {
      changes.push(`follow-up ${f.id}: still failing, kept open`);
    }
  }
  return changes;
}

type Written = Omit<FollowUpProposal, 'interim'> & { status: 'open' };

/**
 * The follow-ups to add: none for a breakdown or a missed objective an open follow-up already tracks
 * (it is still failing, under its own id). An id taken by a closed one gets this drill's id appended.
 */
function newFollowUps(proposed: FollowUpProposal[], nodes: YAMLMap[], drill: string): Written[] {
  const plan = nodes.map((n) => ({ id: String(n.get('id')), open: (n.get('status') ?? 'open') === 'open', step: n.get('step'), code: n.get('code'), objective: n.get('objective'), measure: n.get('measure') }));
  const tracked = (f: FollowUpProposal) => plan.some((p) => p.open && (p.id === f.id
    || (f.step !== undefined && p.step === f.step && p.code === f.code)
    || (f.objective !== undefined && p.objective === f.objective && p.measure === f.measure)));
  const taken = new Set(plan.map((p) => p.id));
  return proposed.filter((f) => !tracked(f)).map(({ interim: _interim, ...f }) => ({
    ...f, id: taken.has(f.id) ? `${f.id}-${drill}`.toLowerCase().replace(/[^a-z0-9-]/g, '-') : f.id, status: 'open' as const,
  })).map(({ id, finding, step, code, objective, measure, owner, due, status, from }) => ({
    id, finding, ...(step !== undefined && { step }), ...(code !== undefined && { code }), ...(objective !== undefined && { objective }),
    ...(measure !== undefined && { measure }), owner, due, status, from,
  }));
}
