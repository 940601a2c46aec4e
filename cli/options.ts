// Options more than one command takes, declared once so they parse, default and read alike everywhere.
// Where commands word an option differently (what the results directory or a token is for there), the
// wording is theirs to give; the flag, its parsing and its default are not.
import { InvalidArgumentError, Option } from 'commander';
import { LANGS } from '../model/lang.js';
import { DEFAULT_RESULTS } from './history.js';
import { DEFAULT_TASK_QUEUE } from '../worker/worker.js';
import { defaultTaskQueue } from './temporal.js';

export const taskQueueOption = () => new Option('--task-queue <queue>', 'Temporal task queue').default(defaultTaskQueue());

/**
 * For commands whose worker runs on this machine for them alone (`run`, `heal`, `exercise start`):
 * without --task-queue or DRILL_TASK_QUEUE they use a queue of their own, so a worker of someone
 * else's (other code, another user) never carries out their drill. Read it with `queueOf`.
 */
export const ownTaskQueueOption = () => new Option('--task-queue <queue>', 'Temporal task queue (default: one of this run\'s own; give one, or DRILL_TASK_QUEUE, to share workers)');

/** The queue a command uses: the one given, else DRILL_TASK_QUEUE, else its own when its worker is its own, else the shared default. */
export const queueOf = (given: string | undefined, ownWorker: boolean, own: string): string =>
  given || process.env.DRILL_TASK_QUEUE || (ownWorker ? own : DEFAULT_TASK_QUEUE);

export const noWorkerOption = () => new Option('--no-worker', 'start no worker for this: workers run elsewhere (drill worker)');

export const langOption = () => new Option('--lang <lang>', 'language of the report headings').choices(LANGS).default('en');

/**
 * `fallback: null` is for `history`, which tells a missing results/ (nothing run yet) from a missing
 * --results directory (a mistake), so it must know whether one was given.
 */
export function resultsOption(description = 'where reports are written', fallback: string | null = DEFAULT_RESULTS): Option {
  const o = new Option('--results <dir>', description);
  return fallback === null ? o : o.default(fallback);
}

export const tokenOption = (description = 'your token (or DRILL_TOKEN)') => new Option('--token <token>', description);

export const jsonOption = (description?: string) => new Option('--json', description);

export const noteOption = (description?: string) => new Option('--note <text>', description);

export const reasonOption = (description?: string) => new Option('--reason <text>', description);

/** --by when not given: whoever this shell says they are. */
export const defaultParticipant = () => process.env.DRILL_PARTICIPANT ?? process.env.USER ?? 'participant';

export const byOption = (description = 'who you are (default $DRILL_PARTICIPANT or $USER)') => new Option('--by <name>', description);

export const operatorOption = (description: string) => new Option('--operator <mode>', description).default('auto');

export const seedOption = (description: string) => new Option('--seed <n>', description).argParser((v) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('a whole number');
  return Number(v);
});

/** Repeatable: each --participant adds one. */
export const participantOption = (description: string) =>
  new Option('--participant <name:roles>', description).argParser((v: string, all: string[] = []) => [...all, v]);

export const webhookOption = (description: string) => new Option('--webhook <url>', description);
