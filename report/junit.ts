// report.json → junit.xml, so a CI pipeline that runs drills shows each measure of each objective and
// each step as a test case: a missed measure or a failed step fails, a measure the drill never showed
// (not measured) and a step not run are skipped, with the reason. Pure.
import { create } from 'xmlbuilder2';
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';
import { printable } from './markup.js';
import { ledgerOf, percent, type ObjectiveResult } from './objectives.js';

const seconds = (ms: number | null | undefined) => ((ms ?? 0) / 1000).toFixed(3);

/** One measure of one objective as a test case: its verdict, what to say when it failed or was skipped. */
type Measure = { name: string; met: boolean | null; failure: string; skipped: string; out: string; ms: number | null };

function measures(o: ObjectiveResult, ledger: boolean): Measure[] {
  const unmeasured = (reason: string | undefined) => reason ?? o.note ?? 'the drill did not show it';
  const top = o.rto.consumedBy[0];
  const rlo = o.rlo;
  return [
    {
      name: `${o.system}: RTO ${d(o.rto.targetMs)}`, met: o.rto.met, ms: o.rto.actualMs,
      failure: o.rto.actualMs !== null
        ? `RTO ${d(o.rto.actualMs)} exceeds the target ${d(o.rto.targetMs)}${top ? `; most of it went to ${top.step} (${d(top.ms)})` : ''}`
        : `RTO missed: ${o.rto.reason ?? 'not restored'}`,
      skipped: `RTO not measured: ${unmeasured(o.rto.reason)}`,
      out: `RTO to service ${d(o.rto.toServiceMs)}, RTO to data ${d(o.rto.toDataMs)}${o.rto.dataBy ? ` (${o.rto.dataBy})` : ''}${o.rto.dataReason ? ` (not measured: ${o.rto.dataReason})` : ''}`,
    },
    ...(ledger ? [{
      name: `${o.system}: RPO ${d(o.rpo.targetMs)}`, met: o.rpo.met, ms: null,
      failure: `RPO ${d(o.rpo.actualMs)} exceeds the target ${d(o.rpo.targetMs)}: ${o.rpo.lostWrites} acknowledged writes lost`,
      skipped: `RPO not measured: ${unmeasured(o.rpo.reason)}`,
      out: `RPO actual ${d(o.rpo.actualMs)}, ${o.rpo.acknowledgedWrites} acknowledged writes, ${o.rpo.lostWrites} lost`,
    }] : []),
    // Reports written before the RLO was measured carry it as the declared text only.
    ...(typeof rlo === 'object' ? [{
      name: `${o.system}: RLO ${rlo.target}`, met: rlo.met, ms: null,
      failure: `RLO ${percent(rlo.actualShare)} is below the target ${rlo.target}`,
      skipped: `RLO not measured: ${unmeasured(rlo.reason)}`,
      out: `RLO actual ${percent(rlo.actualShare)}: ${rlo.healthySamples} of ${rlo.samples} samples healthy${rlo.writes ? `, ${rlo.writes.acknowledged} of ${rlo.writes.sent} writes acknowledged` : ''}`,
    }] : []),
  ];
}

export function renderJunit(r: Report): string {
  // Notes and a command's output can carry terminal colours and control characters XML cannot hold.
  const x = printable;
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const cases = r.objectives.flatMap((o) => measures(o, ledgerOf(r.record, o.system) !== undefined));
  const missed = cases.filter((m) => m.met === false).length;
  const unmeasured = cases.filter((m) => m.met === null).length;
  const failedSteps = r.steps.filter((s) => s.status === 'failed' || s.status === 'aborted');
  const skippedSteps = r.steps.filter((s) => s.status === 'skipped' || s.status === 'pending');

  const suites = doc.ele('testsuites', { name: x(`drill ${r.drillId}`), tests: cases.length + r.steps.length, failures: missed + failedSteps.length, time: seconds(r.durationMs) });
  const objSuite = suites.ele('testsuite', {
    name: x(`${r.scenario}.objectives`), tests: cases.length, failures: missed, skipped: unmeasured,
    timestamp: r.startedAt, time: seconds(r.durationMs),
  });
  for (const m of cases) {
    const tc = objSuite.ele('testcase', { classname: x(`${r.scenario}.objectives`), name: x(m.name), time: seconds(m.ms) });
    if (m.met === false) tc.ele('failure', { message: x(m.failure), type: 'objective-missed' }).txt(x(m.failure));
    else if (m.met === null) tc.ele('skipped', { message: x(m.skipped) });
    tc.ele('system-out').txt(x(m.out));
  }
  const stepSuite = suites.ele('testsuite', {
    name: x(`${r.scenario}.steps`), tests: r.steps.length, failures: failedSteps.length, skipped: skippedSteps.length,
    timestamp: r.startedAt, time: seconds(r.durationMs),
  });
  r.steps.forEach((s, i) => {
    const tc = stepSuite.ele('testcase', { classname: x(`${r.scenario}.steps`), name: x(`${String(i + 1).padStart(2, '0')} ${s.id}${s.title ? ` ${s.title}` : ''}`), time: seconds(s.durationMs) });
    if (s.status === 'failed' || s.status === 'aborted') tc.ele('failure', { message: x(s.error ?? s.status), type: `step-${s.status}` }).txt(x(s.error ?? s.status));
    else if (s.status === 'skipped' || s.status === 'pending') tc.ele('skipped', { message: x(s.note ?? `not run (${s.status})`) });
    const hits = r.breakdowns.filter((b) => b.step === s.id).map((b) => `breakdown ${b.code} (${b.effect}, ${d(b.lostMs)} lost): ${b.note}`);
    const over = s.overrunMs !== null && s.overrunMs > 0 ? [`overran its expected ${d(s.expectedMs)} by ${d(s.overrunMs)}`] : [];
    if (hits.length || over.length) tc.ele('system-out').txt(x([...over, ...hits].join('\n')));
  });
  return doc.end({ prettyPrint: true }) + '\n';
}
