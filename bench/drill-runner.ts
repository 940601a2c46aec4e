// What the benches that time whole drills share: the Temporal dev server (started if none answers), a
// worker on a task queue of the bench's own, and a client that runs a drill to its completed record.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DrillSpec } from '../model/spec.js';
import type { DrillRecord } from '../model/record.js';
import { createDrillWorker } from '../worker/worker.js';
import { ensureTemporal } from '../setup/temporal-server.js';
import { drillWorkflow } from '../workflows/drill.js';

export type DrillRunner = {
  /** the drill's record; a drill that did not complete throws, as its figures would mean nothing */
  run(spec: DrillSpec): Promise<DrillRecord>;
  close(): Promise<void>;
};

export async function drillRunner(): Promise<DrillRunner> {
  const address = await ensureTemporal((s) => console.error(s));
  const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
  const { worker, connection: wc } = await createDrillWorker(address, taskQueue);
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  return {
    async run(spec) {
      const record: DrillRecord = await client.workflow.execute(drillWorkflow, { taskQueue, workflowId: spec.drillId, args: [spec] });
      if (record.status !== 'completed') throw new Error(`bench drill ${record.status}: ${record.failure}`);
      return record;
    },
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await wc.close();
    },
  };
}
