// DrillRecords of a mail service for the report's tests, built the way the workflow writes them: one
// availability probe and one ledger on the mail container, a background fault before the t0 fault, a
// manual restore, a wait for the service and a read-back of the ledger. Plain JSON, nothing mocked.
import { expect } from 'vitest';
import { convert, create } from 'xmlbuilder2';
import { addSample, type DrillRecord, type LedgerReadback, type LedgerWrite, type SampleRun, type StepResult } from '../../model/record.js';
import type { ObjectiveSpec, StepSpec } from '../../model/spec.js';

export const T = Date.UTC(2027, 0, 15, 9, 0, 0); // t0 of every drill here
export const PASSWORD = 'hunter2-Pa55word-9f3c';

/** Probe samples every 200ms over [from, to), healthy or not. */
export function sampled(spans: [from: number, to: number, ok: boolean][]): SampleRun[] {
  const runs: SampleRun[] = [];
  for (const [from, to, ok] of spans) for (let t = from; t < to; t += 200) addSample(runs, ok, t, ok ? undefined : 'connection refused');
  return runs;
}

/** Ledger writes every 100ms over [from, to); acknowledged 5ms later unless `acked` says otherwise. */
export function writes(from: number, to: number, acked: (sentAt: number) => boolean = () => true, firstSeq = 1): LedgerWrite[] {
  const out: LedgerWrite[] = [];
  for (let t = from, seq = firstSeq; t < to; t += 100, seq++) out.push([seq, t, acked(t) ? t + 5 : -1]);
  return out;
}

const specSteps: StepSpec[] = [
  { id: 'steady', kind: 'wait', onFailure: 'abort', probe: 'up', until: 'healthy' },
  { id: 'noise', kind: 'fault', onFailure: 'abort', docker: { action: 'pause', target: 'cache' }, background: true },
  { id: 'disaster', kind: 'fault', onFailure: 'abort', title: 'Mail store lost', docker: { action: 'kill', target: 'mail' }, t0: true },
  { id: 'restore-mail', kind: 'manual', onFailure: 'abort', runbook: 'Restore the mail store from backup' },
  { id: 'back', kind: 'wait', onFailure: 'abort', probe: 'up', until: 'healthy' },
  { id: 'check-mailboxes', kind: 'verify', onFailure: 'abort', probe: 'mail-ledger' },
];

export type Drill = {
  status?: DrillRecord['status'];
  t0?: number | null;
  endedAt: number;
  /** each step's [status, startedAt, endedAt] relative to t0; steps not named are pending */
  steps?: Record<string, [StepResult['status'], number?, number?]>;
  up: SampleRun[];
  ledger?: { writes: LedgerWrite[]; readbacks: LedgerReadback[] };
  objective?: Partial<ObjectiveSpec>;
};

export function drill(d: Drill): DrillRecord {
  const t0 = d.t0 === undefined ? T : d.t0;
  const steps = specSteps.map((s): StepResult => {
    const [status, from, to] = d.steps?.[s.id] ?? ['pending'];
    return {
      id: s.id, kind: s.kind, status, ...(s.title !== undefined && { title: s.title }),
      ...(from !== undefined && { startedAt: T + from }), ...(to !== undefined && { endedAt: T + to, durationMs: to - from! }),
      ...(s.kind === 'fault' && status === 'completed' && { effectAt: T + to! }),
    };
  });
  const readbacks = d.ledger?.readbacks ?? [];
  return {
    drillId: `mail-${(d.status ?? 'completed').slice(0, 3)}-${d.endedAt - T}`,
    spec: {
      drillId: 'mail', scenario: 'mail-restore',
      topology: {
        networks: ['site-a'], volumes: [],
        containers: {
          mail: { image: 'drill/redis:latest', env: { MAIL_ADMIN_PASSWORD: PASSWORD, TZ: 'UTC' }, networks: ['site-a'], volumes: {}, ports: [6379], start: true },
          cache: { image: 'drill/redis:latest', env: {}, networks: ['site-a'], volumes: {}, ports: [], start: true },
        },
      },
      probes: {
        up: { kind: 'availability', target: { container: 'mail', port: 6379, protocol: 'redis' }, intervalMs: 200, sustainMs: 1000, timeoutMs: 500 },
        'mail-ledger': { kind: 'ledger', target: { container: 'mail', port: 6379, protocol: 'redis' }, intervalMs: 100, timeoutMs: 500 },
      },
      objectives: [{ system: 'mail', rtoMs: 120_000, rpoMs: 5000, rlo: '100%', availability: 'up', ledger: 'mail-ledger', ...d.objective }],
      steps: specSteps, escalation: {}, operator: 'auto',
    },
    status: d.status ?? 'completed', startedAt: T - 20_000, endedAt: d.endedAt, t0,
    steps,
    timeline: steps.filter((s) => s.effectAt !== undefined).map((s) => ({ at: s.effectAt!, type: 'fault.injected' as const, step: s.id, detail: s.id === 'noise' ? 'pause cache' : 'kill mail' })),
    availability: { up: d.up },
    ledger: d.ledger ? { 'mail-ledger': { writes: d.ledger.writes, readback: readbacks[readbacks.length - 1], checkpoints: readbacks.slice(0, -1) } } : {},
    breakdowns: [], notifications: [],
  };
}

/** The markdown objectives row of `system`, as cells. */
export const objectivesRow = (md: string, system = 'mail') => {
  const section = md.slice(md.indexOf('## Objectives'), md.indexOf('## Steps'));
  const head = section.split('\n').find((l) => l.startsWith('| System'))!.split('|').map((c) => c.trim());
  const row = section.split('\n').find((l) => l.startsWith(`| ${system} |`))!.split('|').map((c) => c.trim());
  return Object.fromEntries(head.map((h, i) => [h, row[i]!]).filter(([h]) => h));
};

/** junit.xml as a strict reader takes it: well-formed XML 1.0 (xmlbuilder2 refuses to write back what is not), then its objects. */
export function parseJunit(xml: string) {
  expect(() => create(xml).end({ wellFormed: true })).not.toThrow();
  const doc = convert(xml, { format: 'object' }) as { testsuites: { testsuite: { '@name': string; testcase: unknown }[] } };
  const cases = (suite: number) => ([] as Record<string, unknown>[]).concat(doc.testsuites.testsuite[suite]!.testcase as Record<string, unknown>[]);
  return { objectives: cases(0), steps: cases(1) };
}

export const healthyBefore = (until: number) => [[T - 15_000, until, true]] as [number, number, boolean][];
