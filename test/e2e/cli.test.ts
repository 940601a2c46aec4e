// The `drill` command as a user runs it, against the real Temporal server and Docker engine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { freeLoopbackPort } from '../../activities/docker.js';
import { leftovers, temporalAddress, uniqueId } from '../support/harness.js';

function drill(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    encoding: 'utf8', timeout: 200_000, env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const results = mkdtempSync(join(tmpdir(), 'drill-results-'));

describe('drill validate', () => {
  it('exits 0 for valid scenarios', () => {
    const r = drill(['validate', 'scenarios/restore-from-backup.yaml', 'test/fixtures/quick.yaml']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('exits 2 with file:line:col field: message for each error', () => {
    const bad = join(results, 'bad.yaml');
    writeFileSync(bad, readFileSync('test/fixtures/quick.yaml', 'utf8').replace('id: back', 'id: crash').replace('target: web }', 'target: nowhere }'));
    const r = drill(['validate', bad]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ steps\\[\\d\\]\\.\\S+: .+`));
  });
});

describe('drill run', () => {
  it('runs a drill, shows progress, writes report.json, report.md and junit.xml, exits 0 when objectives are met', async () => {
    const id = uniqueId('e2e');
    const r = drill(['run', 'test/fixtures/quick.yaml', '--results', results, '--drill-id', id]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('✔ crash completed');
    expect(r.stdout).toContain(`report: ${results}/${id}/report.md`);
    const report = JSON.parse(readFileSync(join(results, id, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ drillId: id, scenario: 'quick', status: 'completed' });
    for (const k of ['startedAt', 'endedAt', 't0']) expect(Date.parse(report[k])).not.toBeNaN();
    const [o] = report.objectives;
    expect(o.system).toBe('web');
    expect(o.rto).toMatchObject({ targetMs: 30_000, met: true });
    expect(o.rto.actualMs).toBeGreaterThan(0);
    expect(o.rpo).toMatchObject({ targetMs: 60_000, met: true });
    expect(o.rpo.acknowledgedWrites).toBeGreaterThan(0);
    expect(typeof o.rpo.lostWrites).toBe('number');
    expect(report.steps.map((s: { id: string }) => s.id)).toEqual(['healthy', 'crash', 'restart', 'back', 'ledger']);
    for (const s of report.steps) expect(s).toHaveProperty('durationMs');
    expect(report.steps[2].expectedMs).toBe(60_000);
    expect(readFileSync(join(results, id, 'report.md'), 'utf8')).toContain('## Objectives: target vs actual');
    expect(readFileSync(join(results, id, 'junit.xml'), 'utf8')).toMatch(new RegExp(`<testsuites name="drill ${id}" tests="\\d+" failures="0"`));
    expect(await leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('exits 1 when an objective is missed', () => {
    const tight = join(results, 'tight.yaml');
    writeFileSync(tight, readFileSync('test/fixtures/quick.yaml', 'utf8').replace('rto: 30s', 'rto: 1ms'));
    const r = drill(['run', tight, '--results', results]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('an objective was missed');
  });

  it('refuses a malformed scenario with exit 2 before any workflow starts or any container is touched', async () => {
    const id = uniqueId('bad');
    const bad = join(results, 'dup.yaml');
    writeFileSync(bad, readFileSync('test/fixtures/quick.yaml', 'utf8').replace('id: back', 'id: crash'));
    const r = drill(['run', bad, '--results', results, '--drill-id', id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/dup\.yaml:\d+:\d+ steps\[3\]\.id: duplicate step id "crash"/);
    expect(existsSync(join(results, id))).toBe(false);
    expect(await leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    const connection = await Connection.connect({ address: temporalAddress() });
    try {
      await expect(new Client({ connection }).workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
    } finally {
      await connection.close();
    }
  });

  it('says in one line when the Docker engine is unreachable, and how to start it', () => {
    const r = drill(['run', 'test/fixtures/quick.yaml', '--results', results], { DOCKER_HOST: 'unix:///tmp/no-such-docker.sock' });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Docker engine unreachable at unix:\/\/\/tmp\/no-such-docker\.sock: start it/);
  });

  it('says in one line when Temporal is unreachable, and how to start it', async () => {
    const address = `127.0.0.1:${await freeLoopbackPort()}`;
    const r = drill(['run', 'test/fixtures/quick.yaml', '--results', results], { TEMPORAL_ADDRESS: address });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`Temporal unreachable at ${address} (TEMPORAL_ADDRESS): start that cluster, or unset TEMPORAL_ADDRESS`);
  });
});
