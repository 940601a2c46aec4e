// No drill left running, no fault left in place, because of the terminal: `drill run` in a real
// terminal (tmux, on its own socket) is stopped with Ctrl-C and aborts, or has its terminal closed and
// the drill goes on to its end, reports and all. An ended drill is shown and reported with no worker
// left; concurrent runs each have their own worker; a drill id that is not one is refused. Real
// Temporal, real Docker, real processes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { aptInstall, isDebianRoot } from '../../setup/engine.js';
import { exitCodeOf, type Report } from '../../report/build.js';
import { statusQuery } from '../../workflows/messages.js';
import { leftovers, temporalAddress, uniqueId } from '../support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'drill-lifecycle-'));
const results = join(dir, 'results');
// The drills' workers write their logs under the state directory: this run's own.
const env = () => {
  const { DRILL_TASK_QUEUE: _shared, ...rest } = process.env;
  return { ...rest, TEMPORAL_ADDRESS: temporalAddress(), DRILL_STATE_DIR: join(dir, 'state') };
};
type Out = { code: number | null; stdout: string; stderr: string };

const drill = (...args: string[]): Out => {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 200_000, env: env() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const drillAsync = (...args: string[]) => new Promise<Out>((resolve) => {
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c) => { out.stdout += c; });
  child.stderr.on('data', (c) => { out.stderr += c; });
  child.on('close', (code) => resolve({ code, ...out }));
});

/** A drill that breaks its service (a library fault, healed by the drill) and holds it broken. */
function holdScenario(hold: string): string {
  const file = join(dir, `hold-${hold}.yaml`);
  writeFileSync(file, `
version: 1
name: hold
topology:
  networks: [net]
  containers:
    web: { image: drill/redis:latest, networks: [net], ports: [6379] }
probes:
  up: { kind: availability, target: { container: web, port: 6379 }, interval: 200ms, sustain: 400ms }
objectives:
  - { system: web, rto: 5m, rpo: 1m, availability: up }
steps:
  - { id: healthy, kind: wait, probe: up, until: healthy, timeout: 60s }
  - { id: freeze, kind: fault, fault: { type: pause, target: web }, background: true }
  - { id: hold, kind: wait, for: ${hold} }
`);
  return file;
}

const socket = uniqueId('drill-lifecycle');
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = (session: string) => tmux('capture-pane', '-p', '-J', '-t', session).stdout ?? '';

/** `drill run` in a terminal of its own; the shell says how it exited. */
function runInTerminal(session: string, args: string[]): void {
  const runner = join(dir, `${session}.sh`);
  writeFileSync(runner, [
    // Ctrl-C reaches every process of the terminal's foreground group: the shell must outlive it to say how drill exited.
    'trap "" INT',
    `cd ${JSON.stringify(process.cwd())}`,
    ...Object.entries({ TEMPORAL_ADDRESS: temporalAddress(), DRILL_STATE_DIR: join(dir, 'state') }).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`),
    'unset DRILL_TASK_QUEUE',
    `node dist/cli/main.js ${args.map((a) => JSON.stringify(a)).join(' ')}`,
    'echo "EXIT=$?"',
    'sleep 600',
  ].join('\n'));
  expect(tmux('new-session', '-d', '-s', session, '-x', '220', '-y', '50', `sh ${runner}`).status).toBe(0);
}

let connection: Connection;
let client: Client;
const started: string[] = [];
beforeAll(async () => {
  if (spawnSync('sh', ['-c', 'command -v tmux']).status !== 0) {
    if (!isDebianRoot()) throw new Error('this test needs tmux (apt-get install tmux)');
    aptInstall(['tmux'], (s) => console.log(s));
  }
  connection = await Connection.connect({ address: temporalAddress() });
  client = new Client({ connection });
});
// A drill a failed test left running is aborted, and carried to its end by a worker on its own queue.
afterAll(async () => {
  tmux('kill-server');
  for (const id of started) {
    const handle = client.workflow.getHandle(id);
    const d = await handle.describe().catch(() => null);
    if (d?.status.name !== 'RUNNING') continue;
    await handle.signal('abort', 'test cleanup').catch(() => undefined);
    const worker = spawn(process.execPath, ['dist/worker/main.js'], { env: { ...env(), DRILL_TASK_QUEUE: d.taskQueue }, stdio: 'ignore' });
    await Promise.race([handle.result().catch(() => undefined), new Promise((r) => setTimeout(r, 120_000))]);
    worker.kill('SIGKILL');
  }
  await connection?.close();
}, 300_000);

/** Until the drill holds its fault in place, mid-drill. */
const faultInPlace = (id: string) => expect.poll(async () => {
  const v = await client.workflow.getHandle(id).query(statusQuery).catch(() => null);
  return v?.phase === 'steps' && (v.activeFaults ?? []).some((f) => f.type === 'pause' && f.target === 'web' && f.since !== null);
}, { timeout: 120_000, interval: 500 }).toBe(true);

const workerPid = (text: string) => Number(/its worker: pid (\d+)/.exec(text)?.[1]);
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const reportOf = (id: string, where = results): Report => JSON.parse(readFileSync(join(where, id, 'report.json'), 'utf8'));

function healedAndGone(report: Report) {
  expect(report.record.faults!.length).toBeGreaterThan(0);
  for (const f of report.record.faults!) expect(f.healedAt, `${f.type} on ${f.target} healed`).toBeGreaterThan(0);
}

describe('stopping drill run', () => {
  it('Ctrl-C at the terminal asks; "abort" heals the fault, removes everything and writes the reports', async () => {
    const id = uniqueId('ctrl-c');
    started.push(id);
    runInTerminal(id, ['run', holdScenario('10m'), '--drill-id', id, '--results', results]);
    await faultInPlace(id);

    tmux('send-keys', '-t', id, 'C-c');
    await expect.poll(() => screen(id), { timeout: 15_000, interval: 250 }).toMatch(/Stop watching drill .*a = abort it .*d = detach .*: $/m);
    tmux('send-keys', '-t', id, 'a', 'Enter');
    await expect.poll(() => screen(id), { timeout: 120_000, interval: 500 }).toContain('EXIT=3');
    expect(screen(id)).toContain(`drill ${id}: aborted or failed`);

    const report = reportOf(id);
    expect(report.status).toBe('aborted');
    expect(report.record.failure).toMatch(/interrupted \(SIGINT\) at the terminal/);
    healedAndGone(report);
    expect(await leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    for (const f of ['report.md', 'report.html', 'junit.xml']) expect(existsSync(join(results, id, f)), f).toBe(true);
    await expect.poll(() => alive(workerPid(screen(id))), { timeout: 30_000 }).toBe(false);
  });

  it('a closed terminal leaves the drill to its worker: it ends, its reports are written, and status and report read it with no worker left', async () => {
    const id = uniqueId('hangup');
    started.push(id);
    runInTerminal(id, ['run', holdScenario('12s'), '--drill-id', id, '--results', results]);
    await faultInPlace(id);
    const pid = workerPid(screen(id));
    expect(pid).toBeGreaterThan(0);
    // A running drill has no reports yet, and says so.
    const early = drill('report', id, '--results', join(dir, 'early'));
    expect(early.code).toBe(2);
    expect(early.stderr).toContain(`drill ${id} is still running`);

    tmux('kill-session', '-t', id); // the terminal is closed: SIGHUP, and nothing can be written to it any more
    await expect.poll(() => existsSync(join(results, id, 'junit.xml')), { timeout: 120_000, interval: 500 }).toBe(true);
    const report = reportOf(id);
    expect(report.status).toBe('completed');
    expect(report.record.steps.map((s) => [s.id, s.status])).toEqual([['healthy', 'completed'], ['freeze', 'completed'], ['hold', 'completed']]);
    healedAndGone(report);
    expect(await leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    await expect.poll(() => alive(pid), { timeout: 30_000 }).toBe(false);

    // No worker polls the drill's queue any more: status and report read the drill's record.
    const status = drill('status', id);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`drill ${id} (hold) — completed, done`);
    expect(status.stdout).toMatch(/✔ hold\s+wait/);
    const again = join(dir, 'again');
    const written = drill('report', id, '--results', again, '--lang', 'ja');
    // Its exit code is the drill's verdict, as `drill run` gives it: 0, or 5 when the probe saw the
    // frozen service go down and the drill ended before its RTO ran out (not measured).
    expect(written.code, written.stderr).toBe(exitCodeOf(report));
    expect(written.stdout).toContain(`report: ${again}/${id}/report.md`);
    for (const f of ['report.json', 'report.md', 'report.html', 'junit.xml']) expect(existsSync(join(again, id, f)), f).toBe(true);
    expect(reportOf(id, again).status).toBe('completed');
    const unknown = drill('status', uniqueId('no-such-drill'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^no drill no-such-drill-\w+ on this Temporal server/);
  });
});

describe('drill run, side by side', () => {
  it('gives each run a task queue and a worker of its own', async () => {
    const ids = [uniqueId('side-a'), uniqueId('side-b')];
    started.push(...ids);
    const runs = await Promise.all(ids.map((id) => drillAsync('run', 'test/fixtures/quick.yaml', '--drill-id', id, '--results', results)));
    for (const [k, id] of ids.entries()) {
      expect(runs[k]!.code, runs[k]!.stderr).toBe(0);
      expect(runs[k]!.stderr).toContain(`task queue drill-${id}`);
      const startedOn = reportOf(id).record.timeline.find((e) => e.type === 'drill.started')!.detail;
      expect(startedOn).toBe(`scenario quick on task queue drill-${id}`);
    }
    expect(workerPid(runs[0]!.stderr)).not.toBe(workerPid(runs[1]!.stderr));
  });
});

describe('drill ids', () => {
  it('refuses one that would write outside the results directory, before anything starts', async () => {
    const inner = join(dir, 'inner');
    for (const id of ['../escaped', 'a/b', '.hidden', 'x'.repeat(101)]) {
      const r = drill('run', 'test/fixtures/quick.yaml', '--drill-id', id, '--results', inner);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--drill-id ${id}: `);
      await expect(client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
    }
    expect(existsSync(join(dir, 'escaped'))).toBe(false);
    expect(existsSync(inner)).toBe(false);
  });
});
