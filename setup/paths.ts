// Where the product keeps what outlives one command: the Temporal CLI build (a cache, shared by every
// clone on the machine) and the embedded server's database and logs (state).
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const made = (dir: string) => { mkdirSync(dir, { recursive: true }); return dir; };
export const cacheDir = () => made(process.env.DRILL_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'drill'));
export const stateDir = () => made(process.env.DRILL_STATE_DIR ?? join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'drill'));
