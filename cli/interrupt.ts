// What stopping `drill run` means while its drill runs. The drill never depends on this terminal: its
// worker runs in a process of its own. So Ctrl-C asks the person whether to abort the drill (its
// faults healed, everything removed, its reports written) or to detach from it (it goes on, and its
// reports are written when it ends). A closed terminal (SIGHUP), a SIGTERM, or Ctrl-C with no
// terminal to ask on detach, unless --on-interrupt says otherwise.
import { constants } from 'node:os';
import { createInterface } from 'node:readline';

export const INTERRUPT_MODES = ['ask', 'abort', 'detach'] as const;
export type InterruptMode = (typeof INTERRUPT_MODES)[number];

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type Signal = (typeof SIGNALS)[number];

/** The exit code of a process that left on a signal: 128 + its number (130 for Ctrl-C, 129 for a hang-up). */
export const signalExitCode = (s: Signal) => 128 + constants.signals[s];

export type InterruptHooks = {
  mode: InterruptMode;
  drillId: string;
  /** sends the drill its abort */
  abort(reason: string): Promise<void>;
  /** what happens to the drill, and how to follow it, once this terminal lets go */
  afterDetach: string;
  /** before a question: the progress display stops redrawing, an interactive prompt closes */
  pause(): void;
  say(line: string): void;
};

export type Interrupts = {
  /** resolves with the signal that made this terminal let go of the drill */
  readonly detached: Promise<Signal>;
  /** true while the question is on screen (nothing else may draw) */
  readonly asking: boolean;
  /** true once the terminal is gone: nothing may be written to it any more */
  readonly hungUp: boolean;
  release(): void;
};

type Choice = 'abort' | 'detach' | 'watch';

/** The question, and how to take it off the screen (the drill ended meanwhile). */
function ask(drillId: string): { answer: Promise<Choice>; close(): void } {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = new Promise<Choice>((resolve) => {
    let answered = false;
    const settle = (c: Choice) => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(c);
    };
    // Ctrl-C again at the question: let go, the drill goes on (the answer that loses nothing).
    rl.on('SIGINT', () => { process.stdout.write('\n'); settle('detach'); });
    rl.on('close', () => settle('detach'));
    rl.question(`\nStop watching drill ${drillId}?  a = abort it (heal its faults, remove everything, write its reports)  d = detach (it goes on; its reports are written when it ends)  Enter = keep watching: `, (a) => {
      const v = a.trim().toLowerCase();
      settle(v === 'a' || v === 'abort' ? 'abort' : v === 'd' || v === 'detach' ? 'detach' : 'watch');
    });
  });
  return { answer, close: () => { process.stdout.write('\n'); rl.close(); } };
}

/** Takes over SIGINT, SIGTERM and SIGHUP until released. */
export function watchInterrupts(h: InterruptHooks): Interrupts {
  let asking = false;
  let aborting = false;
  let hungUp = false;
  let released = false;
  let question: ReturnType<typeof ask> | null = null;
  let detach!: (s: Signal) => void;
  const detached = new Promise<Signal>((r) => { detach = r; });
  const say = (line: string) => { if (!hungUp) h.say(line); };

  const leave = (s: Signal) => {
    say(h.afterDetach);
    detach(s);
  };
  const abort = async (s: Signal, follow: boolean) => {
    aborting = true;
    const reason = s === 'SIGHUP' ? 'the terminal that ran the drill was closed' : `interrupted (${s}) at the terminal that ran the drill`;
    await h.abort(reason).catch((err: Error) => say(`could not send the abort: ${err.message}`));
    if (follow) say(`aborting drill ${h.drillId}: its faults are healed and everything it created is removed (Ctrl-C again to leave that to its worker)`);
    else leave(s);
  };

  const onSignal = async (s: Signal) => {
    if (s === 'SIGHUP') hungUp = true;
    // A second Ctrl-C while asking or aborting: let go, and leave the rest to the drill's worker.
    if (asking || aborting) return leave(s);
    // A hang-up or a SIGTERM asks this process to go: it never waits for the drill.
    if (h.mode === 'abort') return abort(s, s === 'SIGINT');
    const canAsk = s === 'SIGINT' && process.stdin.isTTY && process.stdout.isTTY;
    if (h.mode === 'detach' || !canAsk) return leave(s);
    asking = true;
    h.pause();
    question = ask(h.drillId);
    const choice = await question.answer;
    asking = false;
    question = null;
    if (released) return; // the drill ended while the question was on screen
    if (choice === 'abort') return abort(s, true);
    if (choice === 'detach') return leave(s);
  };
  const handler = (s: Signal) => { void onSignal(s); };
  for (const s of SIGNALS) process.on(s, handler);
  // Once the terminal is gone, writing to it fails (EIO, EPIPE): that must not end this process.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  return {
    detached,
    get asking() { return asking; },
    get hungUp() { return hungUp; },
    release() {
      released = true;
      for (const s of SIGNALS) process.off(s, handler);
      question?.close();
    },
  };
}
