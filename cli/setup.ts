// `drill setup`: everything a drill needs on this machine, installed or started if missing. Idempotent.
import { ensureDockerEngine } from '../setup/engine.js';
import { ensureImages } from '../setup/images.js';
import { ensureTemporalCli } from '../setup/temporal-server.js';

export async function setup(log: (s: string) => void = (s) => console.error(`setup: ${s}`)): Promise<void> {
  const started = Date.now();
  await ensureDockerEngine(log);
  // With TEMPORAL_ADDRESS set the cluster is someone else's: build nothing, start nothing.
  if (!process.env.TEMPORAL_ADDRESS) ensureTemporalCli(log);
  await ensureImages(log);
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
