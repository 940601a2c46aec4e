// One real Temporal dev server for the whole test run, on a free port with its own database, so
// tests never share state with a user's embedded server. `npm test` has already run `drill setup`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureTemporalCli, startDevServer, type DevServer } from '../../setup/temporal-server.js';
import { freeLoopbackPort as freePort } from '../../activities/docker.js';

let server: DevServer | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const cli = ensureTemporalCli((s) => console.log(s));
  dir = mkdtempSync(join(tmpdir(), 'drill-test-temporal-'));
  server = await startDevServer({ cli, port: await freePort(), uiPort: await freePort(), dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log'), detached: false });
  project.provide('temporalAddress', server.address);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}
