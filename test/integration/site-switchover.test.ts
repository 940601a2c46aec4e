// A planned switchover on the real two-site reference system: writes are fenced and site B catches
// up before it is promoted, so the ledger must find every acknowledged write: RPO 0.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../report/build.js';
import { renderMarkdown } from '../../report/markdown.js';
import { harness, leftovers, specFrom } from '../support/harness.js';
import { tail } from '../support/ledger.js';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => { await h?.close(); });

describe('site-switchover drill', () => {
  it('moves service to site B with RPO 0 and no acknowledged write lost', async () => {
    const spec = specFrom(await readFile('scenarios/site-switchover.yaml', 'utf8'));
    const record = await h.run(spec);
    expect(record.status, tail(record)).toBe('completed');
    expect(record.t0).toBeNull();
    const report = buildReport(record);
    const fence = record.steps.find((s) => s.id === 'stop-writes')!;
    for (const o of report.objectives) {
      expect(o.from).toBe('stop-writes');
      expect(o.rpo.acknowledgedWrites, o.system).toBeGreaterThan(50);
      expect(o.rpo.lostWrites, o.system).toBe(0);
      expect(o.rpo.actualMs, o.system).toBe(0);
      expect(o.rpo.met, o.system).toBe(true);
      expect(o.rto.actualMs, o.system).not.toBeNull();
      expect(Date.parse(o.rto.restoredAt!), o.system).toBeGreaterThan(fence.startedAt!);
    }
    const md = renderMarkdown(report);
    expect(md).toContain('measured from the start of step `stop-writes`');
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
