// The kill/abort sweep (`npm run sweep`): the two-site reference drill (scenarios/site-failover.yaml)
// run again and again on a real worker process and the machine's real Temporal and Docker. First each
// run's worker is SIGKILLed once, at a seeded moment spread over the whole drill (provisioning
// included, some just after the engine created a container, and a few just after the teardown removed
// one), and a fresh worker takes over: the
// drill must complete, every step once, nothing labelled with its id left. Then each run is aborted at
// a seeded moment: nothing may be left, no fault in place. One line per run, then a summary.
//   SWEEP_RUNS=20 (kills and aborts each) or SWEEP_RUNS=20+10 (kills+aborts); SWEEP_SEED=14
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { Client, Connection } from '@temporalio/client';
import { toDrillSpec, type DrillSpec } from '../model/spec.js';
import { formatError, validateScenarioText } from '../model/validate.js';
import { ensureTemporalCli, startDevServer } from '../setup/temporal-server.js';
import { freeLoopbackPort } from '../activities/docker.js';
import { openLog, removeLabelled, startWorker, sweepRun, type Disturbance, type Moment, type Outcome, type SweepContext } from './sweep-run.js';

const SCENARIO = fileURLToPath(new URL('../../scenarios/site-failover.yaml', import.meta.url));
const [KILLS, ABORTS] = parseRuns(process.env.SWEEP_RUNS ?? '20');
const SEED = Number(process.env.SWEEP_SEED ?? 14);
/** one kill or abort in this many lands just after a container's create, the rest at a time */
const AT_CREATE_EVERY = 4;
/** and one kill in this many just after the teardown removed a container (an abort then changes nothing) */
const AT_DESTROY_EVERY = 10;
/** the share of the undisturbed drill's length the timed moments spread over: a drill's length varies a little */
const SPREAD = 0.9;

function parseRuns(text: string): [number, number] {
  const m = /^(\d+)(?:\+(\d+))?$/.exec(text.trim());
  if (!m) {
    console.error(`SWEEP_RUNS=${text}: give a count (kills and aborts each) or kills+aborts, e.g. 20 or 20+10`);
    process.exit(2);
  }
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

/** mulberry32: a small seeded generator, so a sweep's moments can be run again exactly. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * n moments over a drill of `drillMs`: every AT_CREATE_EVERY-th just after a container's create (which
 * one drawn), for kills every AT_DESTROY_EVERY-th just after a container's removal in the teardown,
 * the rest one in each equal slice of the drill (where in it drawn), in a drawn order.
 */
function moments(kind: Disturbance, n: number, drillMs: number, containers: number, random: () => number): Moment[] {
  const on = (i: number): 'create' | 'destroy' | undefined =>
    i % AT_CREATE_EVERY === 0 ? 'create' : kind === 'kill' && i % AT_DESTROY_EVERY === AT_DESTROY_EVERY / 2 ? 'destroy' : undefined;
  const timed = Array.from({ length: n }, (_, i) => i).filter((i) => on(i) === undefined).length;
  const slices = Array.from({ length: timed }, (_, i) => ({ kind: 'time' as const, atMs: Math.round(drillMs * SPREAD * (i + random()) / timed) }));
  for (let i = slices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [slices[i], slices[j]] = [slices[j]!, slices[i]!];
  }
  const out: Moment[] = [];
  for (let i = 0; i < n; i++) {
    const event = on(i);
    out.push(event ? { kind: event, nth: 1 + Math.floor(random() * containers) } : slices.pop()!);
  }
  return out;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const describeMoment = (m: Moment) => (m.kind === 'time' ? `at ${s(m.atMs)}` : m.kind === 'none' ? 'none' : `after ${m.kind} #${m.nth}`);

function line(kind: Disturbance, i: number, n: number, m: Moment, o: Outcome, ok: boolean): string {
  const left = `${o.left.containers}/${o.left.networks}/${o.left.volumes}/${o.left.sidecars}`;
  return [
    `${kind.padEnd(5)} ${String(i).padStart(2)}/${n}`, describeMoment(m).padEnd(16), (o.at !== undefined ? s(o.at) : '-').padStart(6),
    o.phase.padEnd(26), o.status.padEnd(9), `steps ${o.stepsDone}${kind === 'kill' && o.notOnce.length > 0 ? ` (not once: ${o.notOnce.join(', ')})` : ''}`.padEnd(14), `left c/n/v/sidecars ${left}`, `faults ${o.faultsLeft}`,
    `teardown attempt ${o.teardownAttempts.join(',') || '-'}`, s(o.durationMs).padStart(7), ok ? 'OK' : `FAIL${o.failure ? ` (${o.failure.slice(0, 160)})` : ''}${o.cleanupError ? ` cleanup: ${o.cleanupError.slice(0, 120)}` : ''}`,
  ].join('  ');
}

const nothingLeft = (o: Outcome) => o.left.containers + o.left.networks + o.left.volumes === 0;

async function main() {
  const text = readFileSync(SCENARIO, 'utf8');
  const v = validateScenarioText(text, 'scenarios/site-failover.yaml');
  if (!v.ok) throw new Error(v.errors.map(formatError).join('\n'));
  const scenario = v.scenario;
  const drillIds: string[] = [];
  const specFor = (tag: string): DrillSpec => {
    const spec = toDrillSpec(scenario, `sweep-${tag}-${randomBytes(3).toString('hex')}`, SCENARIO, 'auto');
    drillIds.push(spec.drillId);
    return spec;
  };
  const containers = Object.keys(scenario.topology.containers).length;

  const dir = mkdtempSync(join(tmpdir(), 'drill-sweep-'));
  const log = openLog(join(dir, 'workers.log'));
  const server = await startDevServer({ cli: ensureTemporalCli((m) => console.error(m)), port: await freeLoopbackPort(), uiPort: await freeLoopbackPort(), dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log'), detached: false });
  const connection = await Connection.connect({ address: server.address });
  const taskQueue = `sweep-${randomBytes(3).toString('hex')}`;
  const ctx: SweepContext = { docker: new Docker(), client: new Client({ connection }), address: server.address, taskQueue, log, worker: await startWorker(server.address, taskQueue, log) };
  const stopAll = async () => {
    ctx.worker.kill('SIGKILL');
    await connection.close();
    await server.stop();
  };
  // Stopped half-way: the drill under way is left to nobody, so what it made is removed here.
  process.once('SIGINT', () => {
    ctx.worker.kill('SIGKILL');
    void Promise.all(drillIds.map((id) => removeLabelled(ctx.docker, id))).finally(() => server.stop()).finally(() => process.exit(130));
  });
  console.log(`sweep: seed ${SEED}, ${KILLS} kills + ${ABORTS} aborts of ${SCENARIO}; Temporal dev server ${server.address}; logs in ${dir}`);

  const results: { kind: Disturbance; moment: Moment; o: Outcome; ok: boolean }[] = [];
  try {
    // The drill's own length sets where the moments fall: one undisturbed run first.
    const calibration = await sweepRun(ctx, specFor('calibrate'), 'kill', { kind: 'none' });
    if (calibration.status !== 'completed') throw new Error(`the undisturbed drill did not complete: ${calibration.status} ${calibration.failure ?? ''}`);
    console.log(`undisturbed drill: ${s(calibration.durationMs)}, steps ${calibration.stepsDone}, left c/n/v/sidecars ${Object.values(calibration.left).join('/')}`);
    const random = seeded(SEED);
    const plan: [Disturbance, Moment[]][] = [['kill', moments('kill', KILLS, calibration.durationMs, containers, random)], ['abort', moments('abort', ABORTS, calibration.durationMs, containers, random)]];
    for (const [kind, ms] of plan) {
      for (const [i, moment] of ms.entries()) {
        const o = await sweepRun(ctx, specFor(`${kind[0]}${i + 1}`), kind, moment);
        // A moment the drill never reached (it ended first) tested nothing: that run does not count as passed.
        const clean = o.at !== undefined && nothingLeft(o) && o.faultsLeft === 0 && !o.cleanupError;
        // An abort that landed after the drill had ended leaves a completed drill: still nothing may be left.
        const ok = clean && (kind === 'kill' ? o.status === 'completed' && o.stepsOnce : o.status === 'aborted' || o.status === 'completed');
        results.push({ kind, moment, o, ok });
        console.log(line(kind, i + 1, ms.length, moment, o, ok));
      }
    }
  } finally {
    await stopAll();
  }
  summary(results);
  // The logs are kept when they have something to explain.
  if (results.some((r) => !r.ok)) {
    console.log(`logs kept in ${dir}`);
    process.exitCode = 1;
  } else {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summary(results: { kind: Disturbance; o: Outcome; ok: boolean }[]): void {
  const rows: string[][] = [['', 'runs', 'disturbed', 'in provisioning', 'completed', 'aborted', 'every step once', 'nothing left', 'no fault left', 'teardown 1st attempt', 'OK']];
  for (const kind of ['kill', 'abort'] as const) {
    const rs = results.filter((r) => r.kind === kind);
    if (rs.length === 0) continue;
    const n = (f: (r: (typeof rs)[number]) => boolean) => `${rs.filter(f).length}/${rs.length}`;
    rows.push([kind, String(rs.length), n((r) => r.o.at !== undefined), n((r) => r.o.phase === 'provisioning'), n((r) => r.o.status === 'completed'), n((r) => r.o.status === 'aborted'),
      kind === 'kill' ? n((r) => r.o.stepsOnce) : '-', n((r) => nothingLeft(r.o)), n((r) => r.o.faultsLeft === 0), n((r) => r.o.teardownAttempts.length === 1 && r.o.teardownAttempts[0] === 1), n((r) => r.ok)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log('\nsummary (seed ' + SEED + ')');
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
