// Unplanned loss of site A on the real two-site reference system: replication stops (the WAN link
// fails), site A keeps acknowledging writes, then dies. The report's lost writes must equal what the
// promoted site's own databases do not hold, counted by the drill before any new write reached them.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../report/build.js';
import { harness, leftovers, specFrom } from '../support/harness.js';
import { presentSet } from '../../model/measure.js';
import { beforeT0, tail } from '../support/ledger.js';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => { await h?.close(); });

describe('site-failover drill', () => {
  it('fails over to site B over SSH and counts the acknowledged writes really lost', async () => {
    const spec = specFrom(await readFile('scenarios/site-failover.yaml', 'utf8'));
    const record = await h.run(spec);
    expect(record.status, tail(record)).toBe('completed');
    const report = buildReport(record);
    const t0 = record.t0!;
    const wanCut = record.steps.find((s) => s.id === 'wan-link-fails')!.effectAt!;
    expect(t0 - wanCut).toBeGreaterThanOrEqual(3000);

    // Counted on site B by the drill's own runbook step, before the gateway sent it any new write.
    const [ordersOnB, sessionsOnB] = record.steps.find((s) => s.id === 'record-survivors')!.output!.trim().split('\n').map(Number);
    for (const [system, ledger, onB] of [['orders', 'orders-ledger', ordersOnB], ['sessions', 'sessions-ledger', sessionsOnB]] as const) {
      const o = report.objectives.find((x) => x.system === system)!;
      const before = beforeT0(record, ledger, t0);
      expect(before.present, system).toBe(onB);
      // Site A's containers stop one after another from t0: a write it acknowledged in those few ms is
      // lost too. Site B's own count covers the writes before t0; those after it are read from B's
      // database by the ledger's read-back.
      const l = record.ledger[ledger]!;
      const heldOnB = presentSet(l.readback!);
      const lostAfterT0 = l.writes.filter(([seq, sentAt, ackAt]) => sentAt >= t0 && sentAt < l.readback!.at && ackAt >= 0 && !heldOnB(seq)).length;
      expect(o.rpo.lostWrites, system).toBe(before.acknowledged - (onB! - before.unacknowledgedPresent) + lostAfterT0);
      // Site A acknowledged writes for 3 s that never crossed the cut WAN link.
      expect(o.rpo.lostWrites, system).toBeGreaterThan(0);
      expect(o.rpo.actualMs!, system).toBeGreaterThanOrEqual(2500);
      expect(o.rpo.actualMs!, system).toBeLessThan(t0 - wanCut + 2000);
      expect(o.rto.actualMs, system).not.toBeNull();
    }
    const orders = report.objectives.find((x) => x.system === 'orders')!;
    expect(orders.rto.consumedBy.map((c) => c.step)).toEqual(expect.arrayContaining(['promote-db', 'switch-gateway']));
    expect(record.steps.find((s) => s.id === 'promote-db')!.output).toMatch(/pg-b promoted/);
    expect(record.timeline.filter((e) => e.type === 'ssh.exited').length).toBeGreaterThanOrEqual(5);
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
