// The chaos side of the CLI: a dry run resolves every target and touches nothing, and `drill heal`
// heals the faults a running drill holds.
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusQuery, abortSignal } from '../../workflows/messages.js';
import { docker, harness, leftovers, specFrom, temporalAddress } from '../support/harness.js';

function drill(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 200_000, env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI without blocking this process, whose in-process worker must keep answering the drill. */
function drillAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['dist/cli/main.js', ...args], { env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress() } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => { await h?.close(); });

describe('drill run --dry-run', () => {
  it('prints every action with its resolved target and touches neither Docker nor Temporal', async () => {
    // Neither answers here: a dry run must not need them.
    const r = drill(['run', 'test/fixtures/chaos.yaml', '--dry-run'], { TEMPORAL_ADDRESS: '127.0.0.1:1', DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining([
      'drill chaos (dry run, seed 42): 4 containers, 1 networks, 0 volumes would be created',
      '     1. pause-two: fault pause on cache-2, cache-1, healed after 2.0s',
      '     2. slow-vault-link: fault latency on cache-3, healed when the drill ends, in the background',
      '  guardrail: vault-up must hold throughout (tolerance 1.0s)',
      '  blast radius: 3 containers (cache-1, cache-2, cache-3) of at most 3',
    ]));
    expect(await leftovers('dry-run')).toEqual({ containers: 0, networks: 0, volumes: 0 });
    expect(drill(['run', 'test/fixtures/chaos.yaml', '--dry-run', '--seed', '2']).stdout).toContain('pause-two: fault pause on cache-3, cache-2');
  });

  it('says REFUSED and exits 2 when the blast radius is exceeded', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const f = join(mkdtempSync(join(tmpdir(), 'drill-dry-')), 'wide.yaml');
    writeFileSync(f, (await readFile('test/fixtures/chaos.yaml', 'utf8')).replace('maxContainers: 3', 'maxContainers: 1'));
    const r = drill(['run', f, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('  REFUSED: the faults would touch 3 containers (cache-1, cache-2, cache-3), more than blastRadius.maxContainers 1');
  });
});

describe('drill heal', () => {
  it('heals the faults a running drill holds, at once', async () => {
    const plan = (await readFile('test/fixtures/chaos.yaml', 'utf8'))
      .replace('duration: 2s }', '}')
      .replace('{ id: hold, kind: wait, for: 2s }', '{ id: hold, kind: wait, for: 120s }');
    const spec = specFrom(plan);
    const handle = await h.start(spec);
    try {
      let active: { target: string }[] = [];
      for (let i = 0; i < 600 && active.length < 3; i++) {
        active = (await handle.query(statusQuery)).activeFaults ?? [];
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(active.map((f) => f.target).sort()).toEqual(['cache-1', 'cache-2', 'cache-3']);
      const r = await drillAsync(['heal', spec.drillId, '--task-queue', h.taskQueue, '--no-worker']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`${spec.drillId}: no fault in place`);
      expect((await handle.query(statusQuery)).activeFaults).toEqual([]);
      const paused = await docker.getContainer(`drill-${spec.drillId}-cache-1`).inspect();
      expect(paused.State.Paused).toBe(false);
    } finally {
      await handle.signal(abortSignal, 'test over');
      await handle.result();
    }
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
