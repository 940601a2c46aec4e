// The terminal watching a running drill: progress, an interactive participant or a script played
// here, and what a Ctrl-C or a closed terminal does (interrupt.ts). Ends with the drill's record, or
// when the terminal lets go of the drill.
import type { WorkflowHandle } from '@temporalio/client';
import type { DrillRecord } from '../model/record.js';
import { abortSignal } from '../workflows/messages.js';
import { recordView } from './ended.js';
import { interactiveOperator } from './interactive.js';
import { signalExitCode, watchInterrupts, type InterruptMode } from './interrupt.js';
import { defaultParticipant } from './options.js';
import { progressReporter } from './progress.js';
import { statusPoller } from './queries.js';
import { runScript, type ScriptEntry } from './script.js';

export type FollowOptions = {
  quiet: boolean;
  onInterrupt: InterruptMode;
  /** --operator interactive: this terminal's participant */
  interactive: boolean;
  by?: string;
  /** a script this terminal plays (when the drill has no worker of this run's own) */
  script?: ScriptEntry[];
  afterDetach: string;
};

export async function followDrill(handle: WorkflowHandle, o: FollowOptions): Promise<{ ended: true; record: DrillRecord } | { ended: false; exitCode: number }> {
  let finished = false;
  // At an interactive terminal the prompt owns the screen: progress prints a line per change above it.
  const participant = o.interactive ? interactiveOperator(handle, o.by ?? defaultParticipant(), () => finished) : null;
  const progress = o.quiet ? null : participant ? progressReporter({ isTTY: false, write: (s: string) => { participant.console.print(s.replace(/\n$/, '')); } }) : progressReporter();
  const interrupts = watchInterrupts({
    mode: o.onInterrupt, drillId: handle.workflowId, afterDetach: o.afterDetach, say: (s) => console.error(s),
    abort: (reason) => handle.signal(abortSignal, reason),
    pause: () => { progress?.done(); participant?.console.close(); },
  });
  // Once the terminal is gone, nothing more is written to it.
  const say = (s: string) => { if (!interrupts.hungUp) console.error(s); };
  const status = statusPoller(handle);
  const poll = setInterval(() => {
    if (!interrupts.asking && !interrupts.hungUp) status.poll((v) => progress?.update(v));
  }, 500);
  const scripted = o.script ? runScript(handle, o.script, say, () => finished) : Promise.resolve();
  scripted.catch(async (err: Error) => {
    say(err.message);
    await handle.signal(abortSignal, `operator script: ${err.message}`).catch(() => undefined);
  });
  const result = handle.result() as Promise<DrillRecord>;
  result.catch(() => undefined);
  let record: DrillRecord | undefined;
  try {
    const outcome = await Promise.race([result.then((r) => ({ record: r })), interrupts.detached.then((signal) => ({ signal }))]);
    if (!('record' in outcome)) return { ended: false, exitCode: signalExitCode(outcome.signal) };
    record = outcome.record;
    return { ended: true, record };
  } finally {
    // However it ended, the operators stop and their queries settle before the connection closes.
    finished = true;
    interrupts.release();
    participant?.console.close();
    await Promise.all([scripted.catch(() => undefined), participant?.finished.catch(() => undefined)]);
    clearInterval(poll);
    await status.settled();
    // The last picture is the record's: the drill's worker may be gone already, and a query needs one.
    if (progress && record) progress.update(recordView(record));
    progress?.done();
  }
}
