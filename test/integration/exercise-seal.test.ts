// The exercise's seal against someone who can read the namespace's workflow list but holds no token.
// Temporal's TypeScript SDK seeds a workflow's Math.random from its run ID (sdk-core hashes the run ID
// with SipHash-1-3 into the randomness seed; the SDK feeds that seed's 8 bytes to its alea PRNG), so a
// seal drawn with workflow randomness is computed by anyone who lists workflows. Here that reader's
// prediction is made exactly as the SDK would, and must miss; the seed must come from the draw activity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { alea } from '@temporalio/workflow/lib/alea.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseExercise, exerciseDrillId, tokenHash, type ExerciseInput, type SealedChoice } from '../../model/exercise.js';
import { toDrillSpec } from '../../model/spec.js';
import { validateScenarioFile } from '../../model/validate.js';
import type { ExerciseResult } from '../../workflows/exercise.js';
import { exerciseViewQuery, facilitateUpdate, type FacilitatorView } from '../../workflows/messages.js';
import { harness, leftovers, uniqueId } from '../support/harness.js';

const POOL = resolve('test/fixtures/exercise-pool');
const WINDOW_MS = 10 * 60_000;
const results = mkdtempSync(join(tmpdir(), 'drill-seal-'));

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => {
  await h?.close();
  rmSync(results, { recursive: true, force: true });
});

const MASK = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & MASK;

/** SipHash-1-3 with the zero key, as Rust's `SipHasher13::new()` computes it. */
function siphash13(bytes: Uint8Array): bigint {
  let v0 = 0x736f6d6570736575n, v1 = 0x646f72616e646f6dn, v2 = 0x6c7967656e657261n, v3 = 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & MASK; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & MASK; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & MASK; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const word = (at: number, n: number) => { let w = 0n; for (let i = n - 1; i >= 0; i--) w = (w << 8n) | BigInt(bytes[at + i]!); return w; };
  const whole = bytes.length - (bytes.length % 8);
  for (let i = 0; i < whole; i += 8) { const m = word(i, 8); v3 ^= m; round(); v0 ^= m; }
  const last = ((BigInt(bytes.length) & 0xffn) << 56n) | word(whole, bytes.length - whole);
  v3 ^= last; round(); v0 ^= last;
  v2 ^= 0xffn; round(); round(); round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK;
}

/** What the workflow's first Math.random() returns, from its run ID alone (what listing workflows shows). */
function workflowRandomOf(runId: string): () => number {
  // Rust's `str::hash` writes the bytes and then 0xff; the SDK hands alea the u64 big-endian.
  const seed = siphash13(Buffer.concat([Buffer.from(runId, 'utf8'), Buffer.from([0xff])]));
  const bytes = [...Array(8).keys()].map((i) => Number((seed >> BigInt(56 - 8 * i)) & 0xffn));
  return alea(bytes);
}

async function poolSpecs() {
  return Promise.all(['cache-killed.yaml', 'cache-paused.yaml'].map(async (f) => {
    const v = await validateScenarioFile(join(POOL, f));
    if (!v.ok) throw new Error(f);
    return toDrillSpec(v.scenario, 'pool', join(POOL, f), 'people');
  }));
}

describe('the sealed choice of an exercise started without a seed', () => {
  it('cannot be computed from the run ID, and is the draw activity\'s seed', async () => {
    const exerciseId = uniqueId('seal');
    const facilitator = `token-${uniqueId('f')}`;
    const input: ExerciseInput = {
      exerciseId, pool: [POOL], windowMs: WINDOW_MS, facilitator: 'fran',
      team: { alice: ['operator'], cho: ['chief-officer'] }, results,
      access: { facilitator: tokenHash(facilitator), participants: { alice: tokenHash('a'), cho: tokenHash('c') } },
    };
    const handle = await h.client.workflow.start('exerciseWorkflow', { taskQueue: h.taskQueue, workflowId: exerciseId, args: [input] });
    const drill = h.client.workflow.getHandle(exerciseDrillId(exerciseId));
    try {
      await sealedBeyondPrediction(handle, facilitator);
    } finally {
      // Aborted whatever the outcome: the abort heals and tears the drill's containers down.
      await expect.poll(() => drill.executeUpdate(facilitateUpdate, { args: [{ token: facilitator, action: { kind: 'abort', reason: 'seal test' } }] }).then(() => true, () => false), { timeout: 60_000, interval: 500 }).toBe(true);
      expect((await handle.result() as ExerciseResult).status).toBe('aborted');
      expect(await leftovers(exerciseDrillId(exerciseId))).toEqual({ containers: 0, networks: 0, volumes: 0 });
    }
  });
});

/** The facilitator's view of the seal, against the reader's prediction and the history's draw. */
async function sealedBeyondPrediction(handle: WorkflowHandleWithFirstExecutionRunId, facilitator: string): Promise<void> {
  const drill = h.client.workflow.getHandle(exerciseDrillId(handle.workflowId));
  let choice: SealedChoice | undefined;
  await expect.poll(async () => {
    choice = await drill.query(exerciseViewQuery, facilitator).then((v) => (v as FacilitatorView).exercise.choice, () => undefined);
    return choice !== undefined;
  }, { timeout: 60_000, interval: 300 }).toBe(true);

  // The namespace reader's prediction: the run ID that `temporal workflow list` shows, the SDK's seeding.
  const { runId } = await handle.describe();
  expect(runId).toBe(handle.firstExecutionRunId);
  const predictedSeed = Math.floor(workflowRandomOf(runId)() * 2 ** 31);
  expect(choice!.seed).not.toBe(predictedSeed);
  expect(choice).not.toEqual(chooseExercise(await poolSpecs(), predictedSeed, WINDOW_MS));

  // Where the seed came from: the result of the draw activity, in the exercise's own history.
  const events = (await handle.fetchHistory()).events ?? [];
  const draws = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'drawSeed');
  expect(draws).toHaveLength(1);
  const drawn = events.find((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === draws[0]!.eventId?.toString());
  const payload = drawn!.activityTaskCompletedEventAttributes!.result!.payloads![0]!;
  expect(JSON.parse(Buffer.from(payload.data!).toString('utf8'))).toBe(choice!.seed);
  expect(choice).toEqual(chooseExercise(await poolSpecs(), choice!.seed, WINDOW_MS));
}
