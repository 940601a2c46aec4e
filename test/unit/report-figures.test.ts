// The report's figures (issue 14): RTO to service and RTO to data both reported and the later judged,
// a declared data check step, the RLO measured and judged, junit.xml well-formed whatever a step
// printed, and no container env value in any report file. Each drill is a DrillRecord built in
// test/unit/figures-drill.ts.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addSample, type SampleRun } from '../../model/record.js';
import { toDrillSpec } from '../../model/spec.js';
import { formatError, validateScenarioText } from '../../model/validate.js';
import { buildReport, exitCodeOf, type Report } from '../../report/build.js';
import { renderJunit } from '../../report/junit.js';
import { renderMarkdown } from '../../report/markdown.js';
import { writeReports } from '../../report/write.js';
import { PASSWORD, T, drill, healthyBefore, objectivesRow, parseJunit, sampled, writes } from './figures-drill.js';

describe('RTO to service and RTO to data', () => {
  // The mail service answers 8s after t0; a read-back at t0+10s finds half the mailboxes still missing;
  // the read-back at t0+30s finds every one: the data was back 22s after the service.
  const before = writes(T - 10_000, T); // seq 1..100, all acknowledged
  const after = writes(T + 8000, T + 30_000, () => true, 101);
  const mailbox = drill({
    endedAt: T + 40_000,
    steps: { steady: ['completed', -12_000, -10_000], disaster: ['completed', -100, 0], 'restore-mail': ['completed', 0, 7000], back: ['completed', 7000, 9000], 'check-mailboxes': ['completed', 9000, 30_000] },
    up: sampled([...healthyBefore(T), [T + 100, T + 8000, false], [T + 8000, T + 40_000, true]]),
    ledger: { writes: [...before, ...after], readbacks: [
      { at: T + 10_000, maxSeqChecked: 400, present: [[1, 50], [101, 120]] },
      { at: T + 30_000, maxSeqChecked: 600, present: [[1, 320]] },
    ] },
    objective: { rtoMs: 20_000 },
  });

  it('reports both, judges the objective by the later, and counts no write lost that came back', async () => {
    const report = buildReport(mailbox);
    const o = report.objectives[0]!;
    expect(o.rto).toMatchObject({ toServiceMs: 8000, toDataMs: 30_000, actualMs: 30_000, met: false, dataBy: 'ledger mail-ledger' });
    expect(o.rpo).toMatchObject({ met: true, lostWrites: 0 });
    const md = renderMarkdown(report);
    expect(objectivesRow(md)).toMatchObject({ 'RTO to service': '8.0s', 'RTO to data': '30.0s', RTO: '**MISSED**', 'RPO': '**met**' });
    const summary = md.slice(md.indexOf('## Summary'), md.indexOf('## Configuration'));
    expect(summary).toMatch(/\| mail \| [^|]+ \| 2027-01-15 09:00:08Z \(t0\+8\.0s\) \| 2027-01-15 09:00:30Z \(t0\+30\.0s\) \| 30\.0s \|/);
    expect(md).toMatch(/data shown back by ledger mail-ledger at 2027-01-15 09:00:30Z \(t0\+30\.0s\), 22\.0s after the service answered/);
    expect(md).toMatch(/The RTO is judged on the later of the two/);
    const junit = parseJunit(renderJunit(report));
    expect((junit.objectives[0]!.failure as Record<string, string>)['@message']).toBe('RTO 30.0s exceeds the target 20.0s; most of it went to check-mailboxes (21.0s)');
  });

  it('takes the data check step the objective declares, and says when nothing showed the data back', () => {
    const checked = structuredClone(mailbox);
    checked.spec.objectives[0] = { ...checked.spec.objectives[0]!, ledger: undefined, dataCheck: 'restore-mail', rtoMs: 120_000 };
    checked.steps.find((s) => s.id === 'restore-mail')!.endedAt = T + 25_000;
    expect(buildReport(checked).objectives[0]!.rto).toMatchObject({ toServiceMs: 8000, toDataMs: 25_000, actualMs: 25_000, met: true, dataBy: 'step restore-mail' });

    const blind = structuredClone(mailbox);
    blind.spec.objectives[0] = { ...blind.spec.objectives[0]!, ledger: undefined, rtoMs: 120_000 };
    const report = buildReport(blind);
    expect(report.objectives[0]!.rto).toMatchObject({ toServiceMs: 8000, toDataMs: null, actualMs: 8000, met: true });
    const md = renderMarkdown(report);
    expect(objectivesRow(md)).toMatchObject({ 'RTO to data': '—', RPO: 'no ledger' });
    expect(md).toContain('mail: RTO to data not measured: no ledger and no data check step declared');
  });
});

describe('an objective\'s data check step', () => {
  const plan = (check: string) => `version: 1
name: mail
topology:
  containers:
    mail: { image: drill/redis:latest, ports: [6379] }
probes:
  up: { kind: availability, target: { container: mail, port: 6379 } }
objectives:
  - { system: mail, rto: 2m, rpo: 0s, availability: up, dataCheck: ${check} }
steps:
  - { id: check-mailboxes, kind: verify, probe: up }
`;

  it('names a step of the plan: it reaches the spec, and a step that is not there is refused where it is written', () => {
    const ok = validateScenarioText(plan('check-mailboxes'), 'mail.yaml');
    expect(ok.ok && toDrillSpec(ok.scenario, 'mail-1').objectives[0]!.dataCheck).toBe('check-mailboxes');
    const text = plan('check-mailbox');
    const bad = validateScenarioText(text, 'mail.yaml');
    const col = text.split('\n')[8]!.indexOf('check-mailbox') + 1;
    expect(bad.ok ? [] : bad.errors.map(formatError)).toEqual([`mail.yaml:9:${col} objectives[0].dataCheck: no step "check-mailbox" to show the data back`]);
  });
});

describe('RLO', () => {
  // Restored 8s after t0; from then on the probe answers and the ledger's writes are acknowledged, or not.
  const restoredDrill = (up: SampleRun[], ackedAfter: (t: number) => boolean, rlo: string) => drill({
    endedAt: T + 40_000,
    steps: { steady: ['completed', -12_000, -10_000], disaster: ['completed', -100, 0], 'restore-mail': ['completed', 0, 7000], back: ['completed', 7000, 9000], 'check-mailboxes': ['completed', 9000, 30_000] },
    up, ledger: { writes: [...writes(T - 10_000, T), ...writes(T + 8000, T + 29_000, ackedAfter, 101)], readbacks: [{ at: T + 30_000, maxSeqChecked: 600, present: [[1, 100]] }] },
    objective: { rlo },
  });
  const fullService = sampled([...healthyBefore(T), [T + 100, T + 8000, false], [T + 8000, T + 40_000, true]]);
  // Half the capacity: after the sustained run every other sample fails.
  const halfService = sampled([...healthyBefore(T), [T + 100, T + 8000, false], [T + 8000, T + 10_000, true]]);
  for (let t = T + 10_000; t < T + 40_000; t += 200) addSample(halfService, (t - T) % 400 === 0, t, 'connection refused');

  it('is met when the service came back whole, the writer\'s own reconnect aside, and says how it was measured', () => {
    // The ledger's client reconnects a moment after the service is back: its first two writes fail.
    const whole = buildReport(restoredDrill(fullService, (t) => t >= T + 8200, '100%'));
    expect(whole.objectives[0]!.rlo).toMatchObject({ target: '100%', actualShare: 1, met: true, writes: { acknowledged: 208, sent: 208 } });
    const md = renderMarkdown(whole);
    expect(objectivesRow(md)).toMatchObject({ 'RLO target': '100%', 'RLO actual': '100%', RLO: '**met**' });
    expect(md).toContain('mail: RLO 100% of service from the restoration on: 160 of 160 availability samples healthy, 208 of 208 writes acknowledged.');
  });

  it('is missed when the service came back read-only or at half capacity, and met at half against 50%', () => {
    const readOnly = buildReport(restoredDrill(fullService, () => false, '100%'));
    expect(readOnly.objectives[0]!.rlo).toMatchObject({ actualShare: 0, met: false, writes: { acknowledged: 0, sent: 210 } });
    const md = renderMarkdown(readOnly);
    expect(objectivesRow(md)).toMatchObject({ 'RLO actual': '0%', RLO: '**MISSED**' });
    expect(md).toContain('0 of 210 writes acknowledged (read-only)');
    expect(md).toContain('follow-up `mail-rlo`');
    expect(exitCodeOf(readOnly)).toBe(1);

    const half = buildReport(restoredDrill(halfService, () => true, '100%')).objectives[0]!.rlo;
    expect(half.met).toBe(false);
    expect(half.actualShare).toBeGreaterThan(0.5);
    expect(half.actualShare).toBeLessThan(0.7);
    expect(buildReport(restoredDrill(halfService, () => true, '50%')).objectives[0]!.rlo.met).toBe(true);
  });

  it('checks an earlier drill\'s RLO follow-up: verified fixed once the service comes back whole', () => {
    const next = restoredDrill(fullService, () => true, '100%');
    next.spec.followUps = [{ id: 'mail-rlo', finding: 'RLO missed: service restored to 0% against 100%', objective: 'mail', measure: 'rlo', owner: 'plan-owner', due: '2027-02-14', from: 'mail-1' }];
    expect(buildReport(next).followUps.map((f) => [f.id, f.verdict, f.evidence])).toEqual([['mail-rlo', 'verified fixed', 'RLO met']]);
  });
});

describe('junit.xml', () => {
  it('stays well-formed XML when a note, an error and a breakdown carry ANSI colours and control characters', () => {
    const record = drill({
      status: 'failed', endedAt: T + 60_000,
      steps: { steady: ['completed', -12_000, -10_000], disaster: ['completed', -100, 0], 'restore-mail': ['completed', 0, 5000], back: ['failed', 5000, 60_000] },
      up: sampled([...healthyBefore(T), [T + 100, T + 60_000, false]]),
    });
    const restore = record.steps.find((s) => s.id === 'restore-mail')!;
    restore.note = 'restored \u001b[32mOK\u001b[0m from tape\u0007 \u0000\u000b';
    restore.confirmedBy = 'alice';
    const back = record.steps.find((s) => s.id === 'back')!;
    back.error = '`systemctl start mail` exited 1: \u001b[1;31mFAILED\u001b[0m\u0008 unit mail.service\u001b]0;title\u0007 not found\u0001';
    back.stderr = '\u001b[31merror\u001b[0m\u0000';
    record.breakdowns.push({ step: 'restore-mail', code: 'procedure-missing', note: 'tape \u001b[33mlabel\u001b[0m\u001f missing', effect: 'prolonged', by: 'alice', reportedAt: T + 2000, resolvedAt: T + 5000, lostMs: 3000, source: 'participant' });
    const xml = renderJunit(buildReport(record));
    const junit = parseJunit(xml);
    const failure = junit.steps.find((c) => String(c['@name']).includes('back'))!.failure as Record<string, string>;
    expect(failure['@message']).toContain('FAILED');
    expect(failure['@message']).not.toMatch(/\u001b|\[1;31m/);
    expect(xml).toContain('tape label␟ missing');
    // The markdown says the same without the escapes.
    expect(renderMarkdown(buildReport(record))).not.toMatch(/\u001b/);
  });
});

describe('report.json', () => {
  const dirs: string[] = [];
  afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

  it('carries no container env value: not in report.json, report.md, report.html nor junit.xml', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drill-report-env-'));
    dirs.push(dir);
    const record = drill({
      endedAt: T + 60_000,
      steps: { steady: ['completed', -12_000, -10_000], disaster: ['completed', -100, 0], 'restore-mail': ['completed', 0, 5000], back: ['completed', 5000, 9000], 'check-mailboxes': ['completed', 9000, 10_000] },
      up: sampled([...healthyBefore(T), [T + 100, T + 5000, false], [T + 5000, T + 60_000, true]]),
    });
    const written = await writeReports(record, dir);
    const files = await readdir(written.dir);
    expect(files.sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'report.md']);
    for (const f of files) expect(await readFile(join(written.dir, f), 'utf8'), f).not.toContain(PASSWORD);
    // The names stay, so a reader still sees what was set.
    const json = JSON.parse(await readFile(join(written.dir, 'report.json'), 'utf8')) as Report;
    expect(Object.keys(json.record.spec.topology.containers.mail!.env)).toEqual(['MAIL_ADMIN_PASSWORD', 'TZ']);
    // The record the drill handed in is not changed.
    expect(record.spec.topology.containers.mail!.env.MAIL_ADMIN_PASSWORD).toBe(PASSWORD);
  });
});
