// The headline drill end to end on real containers: a real Redis loses its data at t0, a real backup
// generation is restored from the vault, and the report's lost writes are checked against an
// independent count taken from the restored database itself.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../report/build.js';
import { presentSet } from '../../model/measure.js';
import { harness, leftovers, specFrom } from '../support/harness.js';
import { beforeT0 as ledgerBeforeT0, tail } from '../support/ledger.js';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => { await h?.close(); });

describe('restore-from-backup drill', () => {
  it('restores real data, measures what was really lost, and leaves nothing behind', async () => {
    const spec = specFrom(await readFile('scenarios/restore-from-backup.yaml', 'utf8'));
    const record = await h.run(spec);
    expect(record.status, tail(record)).toBe('completed');
    const report = buildReport(record);
    const [orders] = report.objectives;
    const t0 = record.t0!;
    expect(t0).toBeGreaterThan(record.startedAt);

    // The restored store's own count of ledger records, taken before the gateway sent it any traffic.
    const restoredKeys = Number(record.steps.find((s) => s.id === 'check-restored')!.output!.trim());
    const ledger = record.ledger['orders-ledger']!;
    const present = presentSet(ledger.readback!);
    const beforeT0 = ledger.writes.filter(([, sentAt]) => sentAt < t0);
    const survivedBeforeT0 = beforeT0.filter(([seq]) => present(seq)).length;
    expect(survivedBeforeT0).toBe(restoredKeys);

    const ackedBeforeT0 = beforeT0.filter(([, , ackAt]) => ackAt >= 0 && ackAt <= t0).length;
    expect(restoredKeys).toBeGreaterThan(0);
    // Writes land between the newest backup generation and t0, so some are really lost.
    expect(orders!.rpo.lostWrites).toBe(ackedBeforeT0 - restoredKeys + orders!.rpo.unacknowledgedPresent);
    expect(orders!.rpo.lostWrites).toBeGreaterThan(0);
    expect(orders!.rpo.actualMs).toBeGreaterThan(0);
    expect(orders!.rpo.actualMs!).toBeLessThan(t0 - record.startedAt);

    expect(orders!.rto.actualMs).not.toBeNull();
    expect(orders!.rto.actualMs!).toBeGreaterThan(0);
    expect(Date.parse(orders!.rto.restoredAt!)).toBeGreaterThan(t0);
    expect(orders!.rto.consumedBy.map((c) => c.step)).toEqual(expect.arrayContaining(['restore', 'repoint']));

    // The order book, restored to just before the DROP from its base backup and the archived WAL:
    // the restored server's own count of the rows it brought back is what the ledger found.
    const book = report.objectives.find((o) => o.system === 'order-book')!;
    const restoredRows = Number(record.steps.find((s) => s.id === 'check-restored-db')!.output!.trim());
    const before = ledgerBeforeT0(record, 'order-book-ledger', t0);
    expect(restoredRows).toBeGreaterThan(0);
    expect(before.present).toBe(restoredRows);
    expect(book.rpo.lostWrites).toBe(before.acknowledged - (restoredRows - before.unacknowledgedPresent));
    // Every order acknowledged before the destruction was in the streamed WAL: nothing is lost,
    // where the snapshot restore of the cache lost seconds of writes.
    expect(book.rpo.lostWrites).toBe(0);
    expect(book.rpo.actualMs).toBe(0);
    expect(record.steps.find((s) => s.id === 'restore-db')!.output).toMatch(/just before transaction \d+/);
    expect(book.rto.consumedBy.map((c) => c.step)).toEqual(expect.arrayContaining(['restore-db', 'start-db']));

    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
