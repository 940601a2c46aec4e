// Commands of the drill workflow when several jobs land in ONE workflow task.
//
// Why. The order of the commands a workflow task emits depends on how many microtask hops each
// coroutine takes before it issues its next command. When a step's activity completes in the same
// task as the RTO budget's timer fires, the next step's activity and the budget's notify race, and an
// extra `await` anywhere on either path swaps them. A drill recorded with the old order then fails
// its replay with a nondeterminism error (TMPRL1100) on the first worker that runs the new code.
// The recorded histories in test/fixtures/histories/ (replay.test.ts) contain no such coincidence,
// so they cannot see this. Here each case drives drillWorkflow through the jobs of a run, with such
// coincidences, in the real @temporalio/workflow runtime (test/support/activation-harness.ts), as a
// REPLAY of a golden transcript, and expects every activation to emit the golden's commands.
//
// The goldens: test/fixtures/coincident-jobs/<case>.json, one per case below, each the transcript
// (per activation: the jobs applied, the commands emitted, the SDK flags in use) of the case run live
// against the drill workflow of commit ceeb19c, the last one before the workflows/ refactor 4eef777,
// i.e. the code that ran the drills whose histories must keep replaying. Made like this, from the
// repository's root (re-recording this way reproduces the committed goldens byte for byte):
//
//   git archive ceeb19c workflows model report | tar -x -C /tmp/old-src      (mkdir it first)
//   node --input-type=module -e '
//     import ts from "typescript"; import fs from "node:fs"; import path from "node:path";
//     const [src, out] = ["/tmp/old-src", "/tmp/old-build"];
//     for (const f of fs.readdirSync(src, { recursive: true })) {
//       const p = path.join(src, f); if (fs.statSync(p).isDirectory()) continue;
//       const o = path.join(out, f.replace(/\.ts$/, ".js")); fs.mkdirSync(path.dirname(o), { recursive: true });
//       fs.writeFileSync(o, f.endsWith(".ts") ? ts.transpileModule(fs.readFileSync(p, "utf8"),
//         { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText : fs.readFileSync(p));
//     }'
//   echo '{"type":"module"}' > /tmp/old-build/package.json; ln -s "$PWD/node_modules" /tmp/old-build/node_modules
//   COINCIDENT_BUILD=/tmp/old-build COINCIDENT_RECORD=ceeb19c npx vitest run test/workflow/coincident-jobs.test.ts
//
// NEVER regenerate a golden from the current code to make this test pass. A difference is a change
// of the command order (or of which activity/timer a sequence number belongs to) in a situation that
// running drills may have recorded: replaying them would fail. Fix the workflow instead (keep each
// coroutine's number of awaits; see "Determinism" in docs/architecture.md), or put the new behaviour
// behind `patched(...)`: a patch the golden's history lacks is false here as on a real replay, so a
// patched change passes. Recording refuses today's sources and any build that has step-kinds.js (the
// refactored layout), on purpose. A NEW case may be added: record only it, from ceeb19c.
//
// What is compared, activation by activation: the jobs (so the script drove the same run), and the
// commands in order: kind and sequence number (an activity's seq is its activity ID), activity type and
// idempotency key, timer duration, patch markers, update outcomes (accepted / rejected / completed),
// query answered or failed, workflow completion. Not compared: message texts, update results, query
// answers, activity options (a replay does not compare them either).
//
// Jobs are applied as Core orders them (signals and updates before the rest), so an update and a
// timer in one task are always update-first; an activity completion and a timer keep the order of the
// history, and both orders are cases.
//
// COINCIDENT_BUILD=<dir> runs the cases against a compiled build (<dir>/workflows/drill.js) instead of
// today's sources. It is for checking this test itself and for recording: it must pass against the
// ceeb19c build and against a fixed build, and fail against the refactored code before the fix.

// The harness first: it must set up before anything loads @temporalio/workflow.
import { ActivationDriver, ActivationFailed, currentActivator, type ActivationRecord, type Job, type PendingActivity } from '../support/activation-harness.js';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { drillWorkflow as todaysDrillWorkflow } from '../../workflows/drill.js';

const BUILD = process.env.COINCIDENT_BUILD;
const RECORD = process.env.COINCIDENT_RECORD;
const workflow: ActivationDriverWorkflow = BUILD
  ? ((await import(pathToFileURL(join(BUILD, 'workflows', 'drill.js')).href)) as { drillWorkflow: ActivationDriverWorkflow }).drillWorkflow
  : (todaysDrillWorkflow as unknown as ActivationDriverWorkflow);
type ActivationDriverWorkflow = ConstructorParameters<typeof ActivationDriver>[0]['workflow'];

if (RECORD !== undefined) {
  if (!BUILD) throw new Error('COINCIDENT_RECORD: goldens are recorded from a build of ceeb19c (COINCIDENT_BUILD), never from today\'s sources');
  if (existsSync(join(BUILD, 'workflows', 'step-kinds.js'))) throw new Error(`COINCIDENT_RECORD: ${BUILD} is refactored code (it has workflows/step-kinds.js); record from ceeb19c`);
}

const fixtures = new URL('../fixtures/coincident-jobs/', import.meta.url);
type Golden = { case: string; about: string; recordedFrom: string; activations: ActivationRecord[] };

// ---- the drills ---------------------------------------------------------------------------------

type Step = Record<string, unknown>;
/** The reviewer's base drill: three containers on two sites, one availability probe, RTO 60 s. */
const baseSpec = (steps: Step[], extra: Record<string, unknown> = {}) => ({
  drillId: 'd', scenario: 's', operator: 'auto', seed: 1,
  topology: { containers: { c1: { site: 'a' }, c2: { site: 'a' }, c3: { site: 'b' } }, networks: [], volumes: [] },
  probes: { app: { kind: 'availability', target: { container: 'c1', port: 80 }, intervalMs: 100, timeoutMs: 100, sustainMs: 1000 } },
  objectives: [{ system: 'app', rtoMs: 60000, rpoMs: 0, availability: 'app' }],
  steps, ...extra,
});
const crashStep = { id: 'crash', kind: 'fault', docker: { action: 'stop', target: 'c1' }, t0: true };
const killStep = { id: 'crash', kind: 'fault', fault: { type: 'kill', select: { target: 'c1' } }, t0: true };
const checkStep = { id: 'check', kind: 'docker', docker: { action: 'exec', target: 'c1', command: ['true'] } };
const gate = (id: string) => ({ id, kind: 'gate', role: 'boss', decision: 'go on' });
const restartTarget = { id: 'restart', kind: 'docker', docker: { action: 'start', target: 'c1' } };
const restartSite = { id: 'restart', kind: 'docker', docker: { action: 'start', site: 'a' } };
const waitFor = { id: 'restart', kind: 'wait', forMs: 30000 };

const now = () => Date.now(); // the driver's clock while a case runs
const ok = () => ({ effectAt: now(), exitCode: 0 });
const SEGMENTS = new Set(['sampleAvailability', 'ledgerSegment']);
/** What each activity answers when a run is carried on to its end. */
const answer = (a: PendingActivity): unknown => ({
  provision: { c1: { 80: 30080 } }, pinHostKeys: {}, sampleAvailability: [], ledgerSegment: { writes: [{ seq: 1, sentAt: now(), ok: true }], nextSeq: 2 },
  dockerAction: { effectAt: now(), exitCode: a.key?.endsWith('fails') ? 1 : 0, output: 'o' }, injectFault: { effectAt: now(), evidence: 'e' },
  healFault: { healedAt: now(), evidence: 'h' }, notify: { at: now(), delivered: true }, awaitProbe: { holdsAt: now() },
  ledgerReadback: { at: now(), present: [[1, 1]] }, teardown: { containers: 3, networks: 0, volumes: 0 },
}[a.type]);

/**
 * Carries a run on to its end, one job per task, as a quiet history would: activities whose cancellation
 * was requested resolve as cancelled first (all in the next task), then other activities in order, then the earliest timer (the clock moved to it), then probe segments. Stops when the run
 * completes, or when only probe segments are left three times running (the drill waits on people).
 */
async function finish(w: ActivationDriver, rounds = 60): Promise<void> {
  for (let i = 0, idle = 0; i < rounds && !w.completed && idle < 3; i++) {
    const all = [...w.pending.values()];
    const cancelled = all.filter((a) => a.cancelRequested);
    const work = all.find((a) => !SEGMENTS.has(a.type));
    idle = cancelled.length === 0 && !work && w.timers.size === 0 ? idle + 1 : 0;
    if (cancelled.length > 0) await w.activation('cancellations resolve', cancelled.map((a) => w.cancelled(a.seq)));
    else if (work) await w.activation(`${work.type} done`, [w.resolve(work.seq, answer(work))]);
    else if (w.timers.size > 0) await w.activation('timer fires', [w.fireEarliest()]);
    else if (all[0]) await w.activation(`${all[0].type} done`, [w.resolve(all[0].seq, answer(all[0]))]);
    else break;
  }
}

type Case = { name: string; about: string; spec: object; run(w: ActivationDriver): Promise<void> };
const CASES: Case[] = [];

// 1. A step "under test" ends in the same task as the RTO budget's 50% timer fires, then the run goes
// on (reviewer's s2.mjs; s1.mjs is the docker-then-gate case). Unattended: a gate passes at once.
const underTest: Record<string, { steps: Step[]; about: string }> = {
  docker: { steps: [restartTarget], about: 'a docker step, then a docker step' },
  'docker-then-gate': { steps: [restartTarget, gate('g1')], about: 'a docker step, an unattended gate, then a docker step' },
  'docker-then-two-gates': { steps: [restartTarget, gate('g1'), gate('g2')], about: 'a docker step, two unattended gates, then a docker step' },
  'site-docker': { steps: [restartSite], about: 'a site-wide docker step (one activity per container), then a docker step' },
  'site-docker-then-gate': { steps: [restartSite, gate('g1')], about: 'a site-wide docker step, an unattended gate, then a docker step' },
  'wait-for': { steps: [waitFor], about: 'a `wait for:` step, then a docker step' },
  'wait-for-then-gate': { steps: [waitFor, gate('g1')], about: 'a `wait for:` step, an unattended gate, then a docker step' },
  parallel: { steps: [{ id: 'par', kind: 'parallel', steps: [restartTarget] }], about: 'a parallel group, then a docker step' },
  'parallel-then-gate': { steps: [{ id: 'par', kind: 'parallel', steps: [restartTarget] }, gate('g1')], about: 'a parallel group, an unattended gate, then a docker step' },
};
for (const [variant, { steps, about }] of Object.entries(underTest)) {
  for (const order of ['step-first', 'timer-first'] as const) {
    CASES.push({
      name: `budget-${variant}-${order}`,
      about: `${about}; the first ends in the task where the RTO budget timer fires (${order === 'step-first' ? 'its completion first' : 'the timer first'})`,
      spec: baseSpec([crashStep, ...steps, checkStep]),
      async run(w) {
        await w.activation('provisioned', [w.resolve(w.find((a) => a.type === 'provision'), { c1: { 80: 30080 } })]);
        await w.activation('crash done', [w.resolve(w.find((a) => a.key === 'd.crash'), ok())]);
        const budget = w.timer('first');
        const stepJobs = variant.startsWith('wait') ? [w.fire(w.timer('last'))]
          : [...w.pending.values()].filter((a) => a.key?.startsWith('d.restart')).map((a) => w.resolve(a.seq, ok()));
        await w.activation(`restart done + budget timer (${order})`, order === 'timer-first' ? [w.fire(budget), ...stepJobs] : [...stepJobs, w.fire(budget)]);
        await finish(w);
      },
    });
  }
}

// 2. A people drill: a participant confirms a manual step in the task where the budget timer fires
// (reviewer's s3.mjs). Core puts the update first whatever the history's order.
const peopleVariants = {
  plain: { next: [checkStep], timers: {}, about: 'a manual step confirmed, then a docker step' },
  'step-timers': { next: [checkStep], timers: { expectedMs: 600000, escalateAfterMs: 900000 }, about: 'a manual step with overrun and escalation timers confirmed, then a docker step' },
  'then-gate': { next: [{ id: 'g', kind: 'gate', role: 'boss', decision: 'go' }], timers: {}, about: 'a manual step confirmed, then a gate for people' },
};
for (const [variant, v] of Object.entries(peopleVariants)) {
  CASES.push({
    name: `people-confirm-${variant}`,
    about: `people drill: ${v.about}; the confirmation (an update) lands in the task where the RTO budget timer fires`,
    spec: baseSpec([crashStep, { id: 'fix', kind: 'manual', runbook: 'fix it', ...v.timers }, ...v.next], { operator: 'people', participants: { alice: ['operator'], bob: ['boss'] } }),
    async run(w) {
      await w.activation('provisioned', [w.resolve(w.find((a) => a.type === 'provision'), { c1: { 80: 30080 } })]);
      await w.activation('crash done', [w.resolve(w.find((a) => a.key === 'd.crash'), ok())]);
      await w.activation('confirmed + budget timer', [w.fire(w.timer('first')), w.update('completeStep', { step: 'fix', by: 'alice' }, 'u1')]);
      if (variant === 'then-gate') await w.activation('gate decided', [w.update('decide', { gate: 'g', by: 'bob', as: 'boss', note: 'ok' }, 'u2')]);
      await finish(w);
    },
  });
}

// 3. An abort (signal) while a step runs, with a library fault in place and the probes running, alone
// or in the task where the step ends or the budget timer fires (reviewer's s5.mjs).
const current: Record<string, Step> = {
  'wait-for': { id: 'cur', kind: 'wait', forMs: 200000 },
  docker: { id: 'cur', kind: 'docker', docker: { action: 'exec', target: 'c2', command: ['true'] } },
  'site-docker': { id: 'cur', kind: 'docker', docker: { action: 'start', site: 'a' } },
};
for (const [variant, cur] of Object.entries(current)) {
  for (const order of ['abort', 'abort+step', 'abort+budget'] as const) {
    CASES.push({
      name: `abort-during-${variant}${order === 'abort' ? '' : order === 'abort+step' ? '-as-it-ends' : '-as-budget-fires'}`,
      about: `an abort during a ${variant} step with a fault in place${order === 'abort' ? '' : order === 'abort+step' ? ', in the task where the step ends' : ', in the task where the RTO budget timer fires'}`,
      spec: baseSpec([killStep, cur, { id: 'after', kind: 'wait', forMs: 1000 }]),
      async run(w) {
        await w.activation('provisioned', [w.resolve(w.find((a) => a.type === 'provision'), { c1: { 80: 30080 } })]);
        await w.activation('injected', [w.resolve(w.find((a) => a.type === 'injectFault'), { effectAt: now(), evidence: 'gone' })]);
        const budget = w.timer('first');
        const abort = w.signal('abort', 'stop');
        const stepJobs = variant === 'wait-for' ? [w.fire(w.timer('last'))]
          : [...w.pending.values()].filter((a) => a.key?.startsWith('d.cur')).map((a) => w.resolve(a.seq, ok()));
        await w.activation(`abort (${order})`, order === 'abort+step' ? [abort, ...stepJobs] : order === 'abort+budget' ? [abort, w.fire(budget)] : [abort]);
        await finish(w);
      },
    });
  }
}

// 4. The last step ends in the task where the budget timer fires, a library fault still in place: the
// cleanup heals it first (reviewer's s4.mjs).
const lastSteps: Record<string, Step> = {
  'wait-for': { id: 'last', kind: 'wait', forMs: 20000 },
  docker: { id: 'last', kind: 'docker', docker: { action: 'exec', target: 'c2', command: ['true'] } },
};
for (const [variant, last] of Object.entries(lastSteps)) {
  for (const order of ['step-first', 'timer-first'] as const) {
    CASES.push({
      name: `last-${variant}-with-fault-${order}`,
      about: `the last step (${variant}) ends, a fault still in place, in the task where the RTO budget timer fires (${order === 'step-first' ? 'its end first' : 'the timer first'})`,
      spec: baseSpec([killStep, last]),
      async run(w) {
        await w.activation('provisioned', [w.resolve(w.find((a) => a.type === 'provision'), { c1: { 80: 30080 } })]);
        await w.activation('injected', [w.resolve(w.find((a) => a.type === 'injectFault'), { effectAt: now(), evidence: 'gone' })]);
        const budget = w.timer('first');
        const stepJobs = variant === 'wait-for' ? [w.fire(w.timer('last'))] : [w.resolve(w.find((a) => a.key === 'd.last'), ok())];
        await w.activation(`last step done + budget timer (${order})`, order === 'timer-first' ? [w.fire(budget), ...stepJobs] : [...stepJobs, w.fire(budget)]);
        await finish(w);
      },
    });
  }
}

// 5. Whole runs, one job per task (no coincidence): every step kind, probes, faults, people's answers,
// an exercise's controls (reviewer's full.mjs, people-full.mjs, ex-full.mjs).
for (const onFailure of ['continue', 'abort'] as const) {
  CASES.push({
    name: `full-unattended-on-failure-${onFailure}`,
    about: `a whole unattended drill, one job per task; a failing step says onFailure: ${onFailure}`,
    spec: baseSpec([
      { id: 'steady', kind: 'wait', probe: 'app', until: 'healthy' },
      { id: 'crash', kind: 'fault', fault: { type: 'kill', select: { site: 'a', random: 1 } }, durationMs: 5000, t0: true },
      { id: 'site', kind: 'docker', docker: { action: 'start', site: 'a' } },
      { id: 'par', kind: 'parallel', steps: [
        { id: 'p1', kind: 'docker', docker: { action: 'exec', target: 'c1', command: ['x'] } },
        { id: 'p2', kind: 'wait', forMs: 1000 },
        { id: 'p3', kind: 'manual', runbook: 'do', auto: { action: 'exec', target: 'c2', command: ['y'] }, verify: 'app' },
      ] },
      { id: 'g', kind: 'gate', role: 'boss', decision: 'go' },
      { id: 'n', kind: 'notify', audience: 'customers', to: 'all', message: 'hi' },
      { id: 'v1', kind: 'verify', probe: 'led' },
      { id: 'w', kind: 'wait', forMs: 2000 },
      { id: 'v2', kind: 'verify', probe: 'led' },
      { id: 'bg', kind: 'fault', fault: { type: 'stop', select: { target: 'c3' } }, durationMs: 3000, background: true },
      { id: 'fails', kind: 'docker', docker: { action: 'exec', target: 'c3', command: ['false'] }, onFailure },
      { id: 'end', kind: 'wait', forMs: 500 },
    ], { probes: {
      app: { kind: 'availability', target: { container: 'c1', port: 80 }, intervalMs: 100, timeoutMs: 100, sustainMs: 1000 },
      led: { kind: 'ledger', target: { container: 'c1', port: 80 }, intervalMs: 100, timeoutMs: 100 },
    } }),
    async run(w) {
      // The reviewer's loop: non-probe activities first; otherwise mostly timers, every third round a probe segment.
      for (let i = 0; i < 400 && !w.completed; i++) {
        const all = [...w.pending.values()];
        const work = all.find((a) => !SEGMENTS.has(a.type));
        let job: Job;
        let label: string;
        if (work) [job, label] = [w.resolve(work.seq, answer(work)), `${work.type} ${work.key ?? ''}`.trim()];
        else if (w.timers.size > 0 && i % 3 !== 0) [job, label] = [w.fire(w.timer('first')), 'timer'];
        else if (all[0]) [job, label] = [w.resolve(all[0].seq, answer(all[0])), all[0].type];
        else [job, label] = [w.fire(w.timer('first')), 'timer'];
        await w.activation(label, [job]);
      }
    },
  });
}

CASES.push({
  name: 'full-people',
  about: 'a whole people drill, one job per task: refused and accepted answers, breakdowns, overrun and escalation, a contradicted confirmation, a gate, a skip',
  spec: baseSpec([
    crashStep,
    { id: 'fix', kind: 'manual', runbook: 'fix it', role: 'operator', verify: 'app', expectedMs: 60000, escalateAfterMs: 120000 },
    { id: 'go', kind: 'gate', role: 'boss', decision: 'fail over?' },
    { id: 'tell', kind: 'notify', audience: 'vendor', to: 'acme', message: 'down' },
  ], { operator: 'people', participants: { alice: ['operator'], bob: ['boss'] } }),
  async run(w) {
    let n = 0;
    const u = (name: string, arg: object) => w.update(name, arg, `u${++n}`);
    const res = (type: string, v: unknown) => w.resolve(w.find((a) => a.type === type), v);
    const step = (label: string, jobs: Job[]) => w.activation(label, jobs);
    await step('provision', [res('provision', { c1: { 80: 30080 } })]);
    await step('crash', [res('dockerAction', { effectAt: now(), exitCode: 0 })]);
    await step('confirm wrong step', [u('completeStep', { step: 'go', by: 'alice' })]);
    await step('confirm unknown step', [u('completeStep', { step: 'nope', by: 'alice' })]);
    await step('confirm no role', [u('completeStep', { step: 'fix', by: 'alice' })]);
    await step('confirm bob as operator', [u('completeStep', { step: 'fix', by: 'bob', as: 'operator' })]);
    await step('breakdown bad code', [u('reportBreakdown', { step: 'fix', by: 'alice', code: 'nope', note: 'x', effect: 'none' })]);
    await step('breakdown bad effect', [u('reportBreakdown', { step: 'fix', by: 'alice', code: 'data-lost', note: 'x', effect: 'huge' })]);
    await step('breakdown empty note', [u('reportBreakdown', { step: 'fix', by: 'alice', code: 'data-lost', note: ' ', effect: 'none' })]);
    await step('breakdown', [u('reportBreakdown', { step: 'fix', by: 'alice', code: 'procedure-wrong', note: 'typo', effect: 'prolonged' })]);
    await step('overrun timer', [w.fire(w.timer('last'))]);
    await step('confirm ok', [u('completeStep', { step: 'fix', by: 'alice', as: 'operator', note: 'done' })]);
    await step('confirm twice', [u('completeStep', { step: 'fix', by: 'alice', as: 'operator' })]);
    await step('probe contradicts', [w.fail(w.find((a) => a.type === 'awaitProbe'), { message: 'app did not become healthy', applicationFailureInfo: { type: 'ProbeTimeout', nonRetryable: true } })]);
    await step('escalation timer', [w.fire(w.timer('last'))]);
    await step('notify ok', [res('notify', { at: now(), delivered: true })]);
    await step('confirm again', [u('completeStep', { step: 'fix', by: 'alice', as: 'operator', workaround: 'manual' })]);
    await step('probe holds', [res('awaitProbe', { holdsAt: now() })]);
    await step('decide wrong role', [u('decide', { gate: 'go', by: 'alice', as: 'operator' })]);
    await step('decide as boss but alice', [u('decide', { gate: 'go', by: 'alice', as: 'boss' })]);
    await step('decide', [u('decide', { gate: 'go', by: 'bob', as: 'boss', note: 'ok' })]);
    await step('skip empty', [u('skipStep', { step: 'tell', by: 'bob', reason: '' })]);
    await step('skip', [u('skipStep', { step: 'tell', by: 'bob', reason: 'phone down' })]);
    await finish(w);
  },
});

const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex'); // as model/exercise.ts
CASES.push({
  name: 'full-exercise',
  about: 'a whole scenario-undisclosed exercise, one job per task: token checks, pause and resume, the moment timer, detect and declare, injects, reveal, abort',
  spec: baseSpec([
    crashStep,
    { id: 'fix', kind: 'manual', runbook: 'fix it', role: 'operator' },
    { id: 'tell', kind: 'notify', audience: 'vendor', to: 'acme', message: 'down' },
  ], {
    operator: 'people', participants: { alice: ['operator'], bob: ['boss'] },
    exercise: {
      exerciseId: 'e', facilitator: 'fac', windowMs: 60000,
      access: { facilitator: tokenHash('ft'), participants: { alice: tokenHash('at'), bob: tokenHash('bt') } },
      choice: { scenario: 's', poolIndex: 0, poolSize: 1, seed: 1, drillSeed: 1, momentMs: 5000, faults: [] },
    },
  }),
  async run(w) {
    let n = 0;
    const u = (name: string, arg: object) => w.update(name, arg, `u${++n}`);
    const res = (type: string, v: unknown) => w.resolve(w.find((a) => a.type === type), v);
    const fac = (action: object, token = 'ft') => u('facilitate', { token, action });
    const step = (label: string, jobs: Job[]) => w.activation(label, jobs);
    await step('status no token', [w.query('status')]);
    await step('inject fault while provisioning', [fac({ kind: 'inject', inject: { kind: 'fault', fault: { type: 'kill', target: 'c2' } } })]);
    await step('provision', [res('provision', { c1: { 80: 30080 } })]);
    await step('abort no token', [w.signal('abort', 'x')]);
    await step('heal no token', [w.signal('heal')]);
    await step('view no token', [w.query('exerciseView')]);
    await step('view bad token', [w.query('exerciseView', 'zz')]);
    await step('view alice', [w.query('exerciseView', 'at')]);
    await step('detect by fac', [u('incident', { token: 'ft', what: 'detect' })]);
    await step('pause by alice', [fac({ kind: 'pause' }, 'at')]);
    await step('resume not paused', [fac({ kind: 'resume' })]);
    await step('pause', [fac({ kind: 'pause', reason: 'coffee' })]);
    await step('detect while paused', [u('incident', { token: 'at', what: 'detect' })]);
    await step('pause again', [fac({ kind: 'pause' })]);
    await step('resume', [fac({ kind: 'resume' })]);
    await step('moment timer', [w.fire(w.timer('last'))]);
    w.advance(6000);
    await step('moment timer, 6 s later', [w.fire(w.timer('last'))]);
    await step('crash', [res('dockerAction', { effectAt: now(), exitCode: 0 })]);
    await step('confirm before declare', [u('completeStep', { step: 'fix', by: 'alice', as: 'operator', token: 'at' })]);
    await step('detect', [u('incident', { token: 'at', what: 'detect', note: 'slow' })]);
    await step('detect again', [u('incident', { token: 'bt', what: 'detect' })]);
    await step('declare', [u('incident', { token: 'bt', what: 'declare' })]);
    await step('confirm as bob with alice token', [u('completeStep', { step: 'fix', by: 'bob', as: 'operator', token: 'at' })]);
    await step('hidden step', [u('completeStep', { step: 'tell', by: 'alice', token: 'at' })]);
    await step('inject unknown person', [fac({ kind: 'inject', inject: { kind: 'unavailable', person: 'zed' } })]);
    await step('inject vendor 0', [fac({ kind: 'inject', inject: { kind: 'vendor-unreachable', forMs: 0 } })]);
    await step('inject vendor', [fac({ kind: 'inject', inject: { kind: 'vendor-unreachable', forMs: 600000 } })]);
    await step('inject bad fault', [fac({ kind: 'inject', inject: { kind: 'fault', fault: { type: 'kill', target: 'nope' } } })]);
    await step('inject fault', [fac({ kind: 'inject', inject: { kind: 'fault', fault: { type: 'kill', target: 'c2' }, forMs: 10000 } })]);
    await step('injected', [res('injectFault', { effectAt: now(), evidence: 'killed' })]);
    await step('confirm', [u('completeStep', { step: 'fix', by: 'alice', as: 'operator', token: 'at' })]);
    await step('vendor notify', [u('completeStep', { step: 'tell', by: 'alice', token: 'at' })]);
    await step('inject unavailable', [fac({ kind: 'inject', inject: { kind: 'unavailable', person: 'alice' } })]);
    await step('alice view', [w.query('exerciseView', 'at')]);
    await step('reveal', [fac({ kind: 'reveal' })]);
    await step('view fac', [w.query('exerciseView', 'ft')]);
    await step('bogus action', [fac({ kind: 'dance' })]);
    await step('abort', [fac({ kind: 'abort', reason: 'enough' })]);
    await finish(w);
    await step('act after end', [fac({ kind: 'pause' })]);
  },
});

// ---- running them -------------------------------------------------------------------------------

let driver: ActivationDriver | undefined;
const [realDateNow, realRandom] = [Date.now, Math.random];
afterEach(() => {
  driver?.close(); // the activator slot, Date.now and Math.random as they were
  driver = undefined;
  expect(Date.now).toBe(realDateNow);
  expect(Math.random).toBe(realRandom);
  expect(currentActivator()).toBeUndefined();
});

/** Runs a case: live (record) or as a replay of the golden's transcript. A script that cannot go on ends the transcript. */
async function drive(c: Case, replay?: ActivationRecord[]): Promise<ActivationRecord[]> {
  const w = (driver = new ActivationDriver({ workflow, ...(replay && { replay }) }));
  try {
    await w.start(c.spec);
    await c.run(w);
  } catch (err) {
    if (!(err instanceof ActivationFailed)) w.transcript.push({ label: 'the case script stopped', jobs: [], commands: [`error: ${err instanceof Error ? err.message : String(err)}`] });
  } finally {
    w.close();
  }
  return w.transcript;
}

const line = (xs: string[]) => (xs.length > 0 ? xs.join(' | ') : '(none)');

describe('commands when several jobs land in one workflow task, against goldens from ceeb19c', () => {
  it('has one golden per case and no golden without a case', () => {
    if (RECORD !== undefined) return;
    const names = new Set(CASES.map((c) => c.name));
    expect(names.size).toBe(CASES.length);
    const files = new Set(readdirJson());
    expect([...names].filter((n) => !files.has(n))).toEqual([]);
    expect([...files].filter((f) => !names.has(f))).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.about}`, async () => {
      const file = new URL(`${c.name}.json`, fixtures);
      if (RECORD !== undefined) {
        const activations = await drive(c);
        const golden: Golden = { case: c.name, about: c.about, recordedFrom: RECORD, activations };
        writeFileSync(file, `${JSON.stringify(golden, null, 1)}\n`);
        return;
      }
      const golden = JSON.parse(readFileSync(file, 'utf8')) as Golden;
      const got = await drive(c, golden.activations);
      const want = golden.activations.map(({ label, jobs, commands }) => ({ label, jobs, commands }));
      const have = got.map(({ label, jobs, commands }) => ({ label, jobs, commands }));
      const k = want.findIndex((a, i) => JSON.stringify(a) !== JSON.stringify(have[i]));
      if (k >= 0 || have.length !== want.length) {
        const i = k >= 0 ? k : want.length;
        const [a, b] = [want[i], have[i]];
        expect.fail([
          `${c.name}: activation ${i} ("${a?.label ?? b?.label}") differs from the golden recorded from ${golden.recordedFrom}.`,
          `  jobs      golden: ${a ? line(a.jobs) : '(no such activation)'}`,
          `            now:    ${b ? line(b.jobs) : '(no such activation)'}`,
          `  commands  golden: ${a ? line(a.commands) : '-'}`,
          `            now:    ${b ? line(b.commands) : '-'}`,
          'A running drill that recorded this would fail its replay (nondeterminism). Do not re-record the golden: see the top of this file.',
        ].join('\n'));
      }
      expect(have).toEqual(want);
    });
  }
});

function readdirJson(): string[] {
  return (existsSync(fixtures) ? readdirSync(fixtures) : []).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
}
