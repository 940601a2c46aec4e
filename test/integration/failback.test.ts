// Failover, then failback on the real two-site reference system: site A is rebuilt as a replica of
// site B and service returns to it. The failback is judged on its own, and loses no acknowledged write.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../report/build.js';
import { harness, leftovers, specFrom } from '../support/harness.js';
import { tail } from '../support/ledger.js';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => { await h?.close(); });

describe('failback drill', () => {
  it('rebuilds site A from site B, switches back, and times the failback apart from the failover', async () => {
    const spec = specFrom(await readFile('scenarios/failback.yaml', 'utf8'));
    const record = await h.run(spec);
    expect(record.status, tail(record)).toBe('completed');
    const report = buildReport(record);
    const failover = report.objectives.find((o) => o.system === 'orders')!;
    expect(failover.rto.actualMs).not.toBeNull();
    expect(Date.parse(failover.rto.restoredAt!)).toBeLessThan(record.steps.find((s) => s.id === 'fence-site-b')!.startedAt!);
    expect(record.ledger['orders-ledger']!.checkpoints).toHaveLength(1);

    for (const system of ['orders-failback', 'sessions-failback']) {
      const o = report.objectives.find((x) => x.system === system)!;
      expect(o.rpo.acknowledgedWrites, system).toBeGreaterThan(50);
      expect(o.rpo.lostWrites, system).toBe(0);
      expect(o.rpo.actualMs, system).toBe(0);
      expect(o.rto.actualMs, system).not.toBeNull();
      expect(o.rto.consumedBy.map((c) => c.step), system).toEqual(expect.arrayContaining(['fence-site-b', 'promote-a']));
    }
    expect(record.steps.find((s) => s.id === 'rebuild-db')!.output).toMatch(/pg_rewind|base backup/);
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
