// This machine's part: what drills need installed or started (`drill setup`), the embedded Temporal
// dev server, and workers that carry out drills started elsewhere.
import type { Command } from 'commander';
import { ensureTemporal, stopEmbeddedServer } from '../../setup/temporal-server.js';
import { createDrillWorker } from '../../worker/worker.js';
import { taskQueueOption } from '../options.js';
import { setup } from '../setup.js';

export function register(program: Command): void {
  program.command('setup').description('install or start what drills need here: Docker engine, Temporal CLI, reference images')
    .action(async () => { await setup(); });

  program.command('worker').description('run a worker (for TEMPORAL_ADDRESS clusters, or drills started with --no-worker)')
    .addOption(taskQueueOption())
    .action(async (o) => {
      // Not withWorker: this worker has nothing to wait for and polls until the process is stopped.
      const address = await ensureTemporal((s) => console.error(s));
      const { worker, connection } = await createDrillWorker(address, o.taskQueue);
      console.error(`worker polling ${o.taskQueue} on ${address}`);
      // Ctrl-C or SIGTERM stops it gracefully; the open connection would otherwise keep the process up.
      try {
        await worker.run();
      } finally {
        await connection.close();
      }
    });

  const server = program.command('server').description('the embedded Temporal dev server');
  server.command('start').action(async () => console.log(`Temporal at ${await ensureTemporal((s) => console.error(s))}`));
  server.command('stop').action(() => console.log(stopEmbeddedServer() ? 'stopped' : 'not running (started by this product)'));
}
