// Scenario-undisclosed exercises through the `drill` command, as the facilitator and the participants
// would use it from their own terminals: real Temporal, real Docker, real tokens. What a participant's
// credential gets back is checked for every sealed field, whatever the command.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceName } from '../../activities/names.js';
import { chooseExercise, exerciseDrillId, type SealedChoice } from '../../model/exercise.js';
import { toDrillSpec } from '../../model/spec.js';
import { validateScenarioFile } from '../../model/validate.js';
import type { ExerciseResult } from '../../workflows/exercise.js';
import { docker, harness, leftovers, temporalAddress } from '../support/harness.js';

const POOL = 'test/fixtures/exercise-pool';
const results = mkdtempSync(join(tmpdir(), 'drill-exercise-'));
type Out = { code: number | null; stdout: string; stderr: string };

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => {
  await h?.close();
  rmSync(results, { recursive: true, force: true });
});

/** One command from someone's terminal; async, so the in-process worker keeps answering. */
const drill = (...args: string[]) => new Promise<Out>((done) => {
  execFile(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), DRILL_TOKEN: '' } },
    (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
});

type Tokens = { facilitator: string; participants: Record<string, string> };
async function start(seed: number, window: string): Promise<{ id: string; tokens: Tokens }> {
  const r = await drill('exercise', 'start', '--pool', POOL, '--window', window, '--seed', String(seed), '--facilitator', 'fran',
    '--results', results, '--task-queue', h.taskQueue, '--detach', '--json');
  expect(r.code, r.stderr).toBe(0);
  const { exerciseId, tokens } = JSON.parse(r.stdout) as { exerciseId: string; tokens: Tokens };
  return { id: exerciseId, tokens };
}

async function pool() {
  const files = ['cache-killed.yaml', 'cache-paused.yaml'].map((f) => resolve(POOL, f));
  return Promise.all(files.map(async (f) => {
    const v = await validateScenarioFile(f);
    if (!v.ok) throw new Error(f);
    return toDrillSpec(v.scenario, 'pool', f, 'people');
  }));
}

/** The facilitator's view of the sealed choice, once the exercise's drill answers. */
async function sealed(id: string, token: string): Promise<SealedChoice> {
  let choice: SealedChoice | undefined;
  await expect.poll(async () => {
    const r = await drill('exercise', 'status', id, '--token', token, '--json');
    if (r.code === 0) choice = JSON.parse(r.stdout).exercise.choice;
    return choice !== undefined;
  }, { timeout: 30_000, interval: 500 }).toBe(true);
  return choice!;
}

describe('drill exercise', () => {
  it('seals the same choice for the same seed and another for another seed; the facilitator aborts it', async () => {
    const runs = [await start(5, '1m'), await start(5, '1m'), await start(6, '1m')];
    const choices = await Promise.all(runs.map((r) => sealed(r.id, r.tokens.facilitator)));
    expect(choices[0]).toEqual(choices[1]);
    expect(choices[2]).not.toEqual(choices[0]);
    // What the workflow drew is the model's choice for that seed: it replays from the seed alone.
    const specs = await pool();
    expect(choices[0]).toEqual(chooseExercise(specs, 5, 60_000));
    expect(choices[2]).toEqual(chooseExercise(specs, 6, 60_000));

    // Revealed while it runs: from then on the team sees it too; the other exercises stay sealed.
    const alice = (r: (typeof runs)[number]) => drill('exercise', 'status', r.id, '--token', r.tokens.participants.alice!, '--json');
    expect(JSON.parse((await alice(runs[0]!)).stdout).revealed).toBeNull();
    const revealed = await drill('exercise', 'reveal', runs[0]!.id, '--token', runs[0]!.tokens.facilitator);
    expect(revealed.code, revealed.stderr).toBe(0);
    expect(revealed.stdout).toContain(`scenario: ${choices[0]!.scenario}`);
    expect(JSON.parse((await alice(runs[0]!)).stdout).revealed).toMatchObject({ scenario: choices[0]!.scenario, seed: 5 });
    expect(JSON.parse((await alice(runs[1]!)).stdout).revealed).toBeNull();

    // One more fault as an inject: on a container of the drill only, in place until the abort heals it.
    const f = runs[1]!.tokens.facilitator;
    const outside = await drill('exercise', 'inject', runs[1]!.id, '--token', f, '--fault', '{ type: pause, target: not-ours }');
    expect(outside.code).toBe(4);
    expect(outside.stderr).toMatch(/no container "not-ours" in the topology/);
    expect((await drill('exercise', 'inject', runs[1]!.id, '--token', f, '--fault', '{ type: nope }')).code).toBe(2);
    await expect.poll(async () => JSON.parse((await drill('exercise', 'status', runs[1]!.id, '--token', f, '--json')).stdout).drill.phase, { timeout: 60_000 }).toBe('steps');
    const injected = await drill('exercise', 'inject', runs[1]!.id, '--token', f, '--fault', '{ type: pause, target: cache }', '--note', 'the cache hangs too');
    expect(injected.code, injected.stderr).toBe(0);
    expect(injected.stdout).toMatch(/pause on cache: in place until the exercise ends/);
    expect(JSON.parse((await drill('exercise', 'status', runs[1]!.id, '--token', f, '--json')).stdout).drill.activeFaults)
      .toContainEqual(expect.objectContaining({ step: 'inject-1', type: 'pause', target: 'cache' }));

    // Healing the sealed fault would end the exercise for whoever asked: only the facilitator's abort heals.
    const heal = await drill('heal', exerciseDrillId(runs[1]!.id), '--no-worker');
    expect(heal.code).toBe(2);
    expect(heal.stderr).toMatch(/this drill is an exercise.*drill exercise abort/);

    for (const r of runs) {
      const aborted = await drill('exercise', 'abort', r.id, '--token', r.tokens.facilitator, '--reason', 'test');
      expect(aborted.code, aborted.stderr).toBe(0);
    }
    for (const r of runs) {
      const done = await h.client.workflow.getHandle(r.id).result() as ExerciseResult;
      expect(done.status).toBe('aborted');
      const record = JSON.parse(readFileSync(join(done.reportDir, 'report.json'), 'utf8')).record;
      for (const fault of record.faults) expect(fault.healedAt, `${fault.step} healed`).toBeGreaterThan(0);
      expect(await leftovers(exerciseDrillId(r.id))).toEqual({ containers: 0, networks: 0, volumes: 0 });
    }
  });

  it('shows participants only symptoms; declaring, injects, pause and reveal work; the report has detect, declare and the reveal', async () => {
    const specs = await pool();
    // A seed that chooses the scenario with a runbook for the team to work through.
    const seed = [...Array(100).keys()].find((s) => chooseExercise(specs, s, 3000).scenario === 'cache-killed')!;
    const { id, tokens } = await start(seed, '3s');
    const [alice, cho, fran] = [tokens.participants.alice!, tokens.participants.cho!, tokens.facilitator];
    expect(Object.keys(tokens.participants).sort()).toEqual(['alice', 'cho']);
    const choice = await sealed(id, fran);
    expect(choice.scenario).toBe('cache-killed');
    // Before anything is started: a pool that would give its choice away, or stall, is refused.
    const lopsided = await drill('exercise', 'start', '--pool', POOL, 'test/fixtures/quick.yaml', '--window', '3s', '--facilitator', 'fran', '--detach', '--task-queue', h.taskQueue);
    expect(lopsided.code).toBe(2);
    expect(lopsided.stderr).toMatch(/quick\.yaml: its availability probes \(up\) differ/);
    const noChief = await drill('exercise', 'start', '--pool', POOL, '--window', '3s', '--facilitator', 'fran', '--participant', 'alice:operator', '--detach', '--task-queue', h.taskQueue);
    expect(noChief.code).toBe(2);
    expect(noChief.stderr).toMatch(/step activate needs the role "chief-officer", which no participant holds/);
    expect(choice.faults).toEqual([{ step: 'cache-killed', type: 'kill', targets: ['cache'] }]);

    // Everything a participant's credentials get back, from every command they run.
    const seen: string[] = [];
    const asParticipant = async (...args: string[]) => { const r = await drill(...args); seen.push(r.stdout, r.stderr); return r; };

    const plain = await asParticipant('status', exerciseDrillId(id));
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(/exercise/);
    for (const [what, extra] of [['reveal', []], ['abort', []], ['pause', []], ['inject', ['--unavailable', 'cho']]] as const) {
      const r = await asParticipant('exercise', what, id, '--token', alice, ...extra);
      expect(r.code, `${what}: ${r.stderr}`).toBe(4);
      expect(r.stderr).toMatch(/only the facilitator/);
    }
    expect((await asParticipant('exercise', 'status', id, '--token', 'not-a-token')).stderr).toMatch(/not a token of this exercise/);
    const early = await asParticipant('step', id, 'start-cache', 'done', '--token', alice);
    expect(early.code).toBe(4);
    expect(early.stderr).toMatch(/declare it first/);

    // The monitoring shows the outage; nothing else does.
    await expect.poll(async () => {
      const r = await asParticipant('exercise', 'status', id, '--token', alice, '--json');
      return r.code === 0 && JSON.parse(r.stdout).symptoms.some((s: { state: string }) => s.state === 'failing');
    }, { timeout: 60_000, interval: 300 }).toBe(true);
    const detected = await asParticipant('exercise', 'detect', id, '--token', alice, '--note', 'cache-up alert');
    expect(detected.code, detected.stderr).toBe(0);
    expect((await asParticipant('exercise', 'declare', id, '--token', cho)).code).toBe(0);
    expect((await asParticipant('exercise', 'declare', id, '--token', alice)).stderr).toMatch(/already declared by cho/);

    // Paused: nobody's answer is taken until the facilitator resumes.
    expect((await drill('exercise', 'pause', id, '--token', fran, '--reason', 'a real incident elsewhere')).code).toBe(0);
    const whilePaused = await asParticipant('decide', id, 'activate', '--as', 'chief-officer', '--token', cho);
    expect(whilePaused.code).toBe(4);
    expect(whilePaused.stderr).toMatch(/paused by the facilitator/);
    expect((await drill('exercise', 'resume', id, '--token', fran)).code).toBe(0);
    const decided = await asParticipant('decide', id, 'activate', '--as', 'chief-officer', '--token', cho);
    expect(decided.code, decided.stderr).toBe(0);

    // Injects: the chief is gone for the rest of the drill, and the vendor does not answer.
    expect((await drill('exercise', 'inject', id, '--token', fran, '--unavailable', 'cho')).code).toBe(0);
    expect((await drill('exercise', 'inject', id, '--token', fran, '--vendor-unreachable', '2h')).code).toBe(0);
    for (const gone of [await asParticipant('step', id, 'call-vendor', 'done', '--token', cho), await asParticipant('exercise', 'status', id, '--token', cho)]) {
      expect(gone.code).toBe(4);
      expect(gone.stderr).toMatch(/cho is unavailable/);
    }
    const impersonated = await asParticipant('step', id, 'call-vendor', 'done', '--token', alice, '--by', 'cho');
    expect(impersonated.stderr).toMatch(/alice's: it cannot answer as cho/);
    const noAnswer = await asParticipant('step', id, 'call-vendor', 'done', '--token', alice);
    expect(noAnswer.code).toBe(4);
    expect(noAnswer.stderr).toMatch(/does not answer/);
    expect((await asParticipant('step', id, 'call-vendor', 'breakdown', '--token', alice, '--code', 'contractor-unavailable', '--note', 'vendor line rings out')).code).toBe(0);
    expect((await asParticipant('step', id, 'call-vendor', 'skip', '--token', alice, '--reason', 'vendor unreachable; restarting ourselves')).code).toBe(0);

    // The participant repairs it by hand, then confirms; the drill checks the system agrees.
    await expect.poll(async () => JSON.parse((await asParticipant('exercise', 'status', id, '--token', alice, '--json')).stdout).waiting?.id, { timeout: 30_000 }).toBe('start-cache');
    await docker.getContainer(resourceName(exerciseDrillId(id), 'cache')).start();
    const confirmed = await asParticipant('step', id, 'start-cache', 'done', '--token', alice);
    expect(confirmed.code, confirmed.stderr).toBe(0);

    const done = await h.client.workflow.getHandle(id).result() as ExerciseResult;
    expect(done.status).toBe('completed');

    // Not one sealed field reached a participant before the reveal.
    const text = seen.join('\n');
    for (const secret of [choice.scenario, 'cache-paused', choice.scenarioFile!, 'momentMs', 'choice', '"kill"', 'seed', String(choice.drillSeed)]) {
      expect(text, `participant output contains ${secret}`).not.toContain(secret);
    }

    // The reveal, at the end: the facilitator's, and nobody else's.
    const notYours = await drill('exercise', 'reveal', id, '--token', alice, '--json');
    expect(notYours.code).toBe(4);
    expect(notYours.stdout + notYours.stderr).not.toContain('cache-killed');
    const revealed = await drill('exercise', 'reveal', id, '--token', fran, '--json');
    expect(revealed.code, revealed.stderr).toBe(0);
    const r = JSON.parse(revealed.stdout).reveal;
    expect(r).toMatchObject({ scenario: 'cache-killed', seed, momentPlannedMs: choice.momentMs });
    expect(r.faults[0]).toMatchObject({ step: 'cache-killed', type: 'kill', target: 'cache' });
    expect(r.injects.map((i: { inject: { kind: string } }) => i.inject.kind)).toEqual(['unavailable', 'vendor-unreachable']);

    const report = JSON.parse(readFileSync(join(done.reportDir, 'report.json'), 'utf8'));
    const ex = report.exercise;
    expect(ex.timeToDetectMs).toBeGreaterThan(0);
    expect(ex.timeToDeclareMs).toBeGreaterThanOrEqual(ex.timeToDetectMs);
    expect(ex.detectedBy).toBe('alice');
    expect(ex.declaredBy).toBe('cho');
    expect(ex.pausedMs).toBeGreaterThan(0);
    expect(ex.reveal.scenario).toBe('cache-killed');
    expect(report.breakdowns.map((b: { code: string }) => b.code)).toContain('contractor-unavailable');
    const md = readFileSync(join(done.reportDir, 'report.md'), 'utf8');
    expect(md).toMatch(/Time to detect/);
    expect(md).toMatch(/cache-killed/);
    expect(await leftovers(exerciseDrillId(id))).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
