// report.json → junit.xml, so a CI pipeline that runs drills shows each objective and each step as a
// test case: a missed objective or a failed step fails, a skipped step is skipped. Pure.
import { create } from 'xmlbuilder2';
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';

const seconds = (ms: number | null | undefined) => ((ms ?? 0) / 1000).toFixed(3);

export function renderJunit(r: Report): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const objectives = r.objectives.map((o) => {
    const problems: string[] = [];
    if (o.rto.met === false) problems.push(`RTO ${d(o.rto.actualMs)} exceeds the target ${d(o.rto.targetMs)}${o.rto.consumedBy[0] ? `; most of it went to ${o.rto.consumedBy[0].step} (${d(o.rto.consumedBy[0].ms)})` : ''}`);
    if (o.rto.met === null) problems.push(`RTO not measured${o.note ? `: ${o.note}` : ''}`);
    if (o.rpo.met === false) problems.push(`RPO ${d(o.rpo.actualMs)} exceeds the target ${d(o.rpo.targetMs)}: ${o.rpo.lostWrites} acknowledged writes lost`);
    return { o, problems };
  });
  const failedSteps = r.steps.filter((s) => s.status === 'failed' || s.status === 'aborted');
  const skippedSteps = r.steps.filter((s) => s.status === 'skipped' || s.status === 'pending');
  const failures = objectives.filter((x) => x.problems.length).length + failedSteps.length;

  const suites = doc.ele('testsuites', { name: `drill ${r.drillId}`, tests: objectives.length + r.steps.length, failures, time: seconds(r.durationMs) });
  const objSuite = suites.ele('testsuite', {
    name: `${r.scenario}.objectives`, tests: objectives.length, failures: objectives.filter((x) => x.problems.length).length, skipped: 0,
    timestamp: r.startedAt, time: seconds(r.durationMs),
  });
  for (const { o, problems } of objectives) {
    const tc = objSuite.ele('testcase', { classname: `${r.scenario}.objectives`, name: `${o.system}: RTO ${d(o.rto.targetMs)}, RPO ${d(o.rpo.targetMs)}`, time: seconds(o.rto.actualMs) });
    if (problems.length) tc.ele('failure', { message: problems.join('; '), type: 'objective-missed' }).txt(problems.join('\n'));
    tc.ele('system-out').txt(`RTO actual ${d(o.rto.actualMs)}, RPO actual ${d(o.rpo.actualMs)}, ${o.rpo.acknowledgedWrites} acknowledged writes, ${o.rpo.lostWrites} lost`);
  }
  const stepSuite = suites.ele('testsuite', {
    name: `${r.scenario}.steps`, tests: r.steps.length, failures: failedSteps.length, skipped: skippedSteps.length,
    timestamp: r.startedAt, time: seconds(r.durationMs),
  });
  r.steps.forEach((s, i) => {
    const tc = stepSuite.ele('testcase', { classname: `${r.scenario}.steps`, name: `${String(i + 1).padStart(2, '0')} ${s.id}${s.title ? ` ${s.title}` : ''}`, time: seconds(s.durationMs) });
    if (s.status === 'failed' || s.status === 'aborted') tc.ele('failure', { message: s.error ?? s.status, type: `step-${s.status}` }).txt(s.error ?? s.status);
    else if (s.status === 'skipped' || s.status === 'pending') tc.ele('skipped', { message: s.note ?? `not run (${s.status})` });
    const hits = r.breakdowns.filter((b) => b.step === s.id).map((b) => `breakdown ${b.code} (${b.effect}, ${d(b.lostMs)} lost): ${b.note}`);
    const over = s.overrunMs !== null && s.overrunMs > 0 ? [`overran its expected ${d(s.expectedMs)} by ${d(s.overrunMs)}`] : [];
    if (hits.length || over.length) tc.ele('system-out').txt([...over, ...hits].join('\n'));
  });
  return doc.end({ prettyPrint: true }) + '\n';
}
