// The pool of the scenario-undisclosed exercise, each run unattended on the real two-site system:
// every fault takes effect, the unattended response recovers, every fault is healed, nothing is left.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../report/build.js';
import { harness, leftovers, specFrom } from '../support/harness.js';
import { tail } from '../support/ledger.js';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => { await h?.close(); });

async function drill(name: string) {
  const spec = specFrom(await readFile(`scenarios/unannounced/${name}.yaml`, 'utf8'));
  const record = await h.run(spec);
  expect(record.status, tail(record)).toBe('completed');
  const faults = record.faults ?? [];
  expect(faults.length).toBeGreaterThan(0);
  for (const f of faults) {
    expect(f.evidence, `${f.type} on ${f.target}`).toBeTruthy();
    expect(f.healedAt, `${f.type} on ${f.target}: ${f.healError ?? ''}`).toBeDefined();
  }
  expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  const output = (id: string) => record.steps.find((s) => s.id === id)!.output ?? '';
  return { record, report: buildReport(record), output };
}

describe('unannounced pool, unattended', () => {
  it('primary database crash: failover to site B', async () => {
    const { report } = await drill('primary-db-crash');
    const orders = report.objectives.find((o) => o.system === 'orders')!;
    expect(orders.rto.actualMs).not.toBeNull();
    expect(orders.rto.consumedBy.map((c) => c.step)).toContain('fail-over');
  });

  it('disk full on the primary: found by monitoring, failover to site B', async () => {
    const { record, output, report } = await drill('disk-full');
    expect(record.faults![0]!.evidence).toMatch(/→ (99|100)% used/);
    expect(output('find-full-disk')).toMatch(/ 100% \/var\/lib\/drill\/pg/);
    expect(report.objectives.find((o) => o.system === 'orders')!.rto.actualMs).not.toBeNull();
  });

  it('Redis primary killed: restarted, sessions since its last snapshot counted', async () => {
    const { report } = await drill('redis-primary-killed');
    const sessions = report.objectives.find((o) => o.system === 'sessions')!;
    expect(sessions.rto.actualMs).not.toBeNull();
    expect(sessions.rpo.acknowledgedWrites).toBeGreaterThan(0);
  });

  it('site A cut from the WAN: replication stops silently, then catches up', async () => {
    const { output, report } = await drill('wan-cut');
    expect(output('find-broken-replication')).toContain('replication broken');
    expect(output('link-repaired')).toContain('has replayed everything');
    // Site A never stopped serving: users saw no outage.
    expect(report.objectives.find((o) => o.system === 'orders')!.rto.actualMs).toBe(0);
  });

  it('latency and loss on the WAN: lag measured, then caught up', async () => {
    const { record, output } = await drill('wan-degraded');
    expect(record.faults!.find((f) => f.type === 'latency')!.evidence).toMatch(/→ \d+/);
    expect(output('measure-lag')).toMatch(/^replay lag /);
    expect(output('caught-up')).toContain('has replayed everything');
  });

  it('backup job silently failing: stale backups found, a fresh one after the repair', async () => {
    const { output } = await drill('backup-silently-failing');
    expect(output('find-stale-backups')).toMatch(/^newest base backup \S+, \d+ s old/);
    expect(output('fresh-backup')).toMatch(/^fresh base backup /);
  });
});
