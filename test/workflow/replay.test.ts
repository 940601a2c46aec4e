// Saved histories of real drills replay against today's workflow code: a change that breaks
// determinism (reordered commands, a new activity call in the middle) fails here, not in production.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { workflowsPath } from '../../worker/worker.js';

const dir = new URL('../fixtures/histories/', import.meta.url);

describe('replay of recorded drills', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`replays ${file} deterministically`, async () => {
      const history = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
      await Worker.runReplayHistory({ workflowsPath: workflowsPath() }, history, file.replace(/\.json$/, ''));
    });
  }
});
