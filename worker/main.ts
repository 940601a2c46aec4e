// A standalone worker process: `node dist/worker/main.js` with TEMPORAL_ADDRESS set. Run as many as
// you like on any machines that reach the Temporal cluster and the Docker engine.
import { createDrillWorker, DEFAULT_TASK_QUEUE } from './worker.js';

const address = process.env.TEMPORAL_ADDRESS;
if (!address) {
  console.error('worker: set TEMPORAL_ADDRESS (host:port of the Temporal frontend)');
  process.exit(2);
}
const { worker, connection } = await createDrillWorker(address, process.env.DRILL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE);
console.log(`worker: polling ${process.env.DRILL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE} on ${address}`);
// A SIGTERM stops the worker gracefully; the open connection would otherwise keep the process up.
await worker.run().finally(() => connection.close());
