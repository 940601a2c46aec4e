// `--operator interactive`: the participant at this terminal. Shows the waiting step's runbook text
// with its timer against the expected duration, and takes done / breakdown / skip (or the decision,
// at a gate) at a prompt. Answers go through the same Workflow Updates as `drill step` from elsewhere,
// so the drill refuses here exactly what it refuses there.
import { createInterface } from 'node:readline/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { BREAKDOWN_CODE_LIST, BREAKDOWN_CODES } from '../model/breakdown.js';
import { formatDuration as d } from '../model/duration.js';
import { statusQuery, type WaitingStep } from '../workflows/messages.js';
import { send, type Action } from './operator.js';
import { statusPoller } from './queries.js';

const EFFECTS = ['prolonged', 'enlarged', 'none'];

export type Console = {
  /** prints a line above the prompt without breaking what the participant is typing */
  print(line: string): void;
  close(): void;
};

export function interactiveOperator(handle: WorkflowHandle, by: string, done: () => boolean, io: { input: NodeJS.ReadableStream; output: NodeJS.WriteStream } = { input: process.stdin, output: process.stdout }): { console: Console; finished: Promise<void> } {
  const rl = createInterface({
    input: io.input, output: io.output, terminal: Boolean(io.output.isTTY),
    completer: (line: string) => {
      const hits = [...BREAKDOWN_CODE_LIST, ...EFFECTS].filter((c) => c.startsWith(line));
      return [hits, line] as [string[], string];
    },
  });
  let closed = false;
  let asking = false;
  const status = statusPoller(handle);
  // A question pending when the interface closes never settles by itself: closing aborts it.
  const closing = new AbortController();
  rl.on('SIGINT', () => rl.close()); // Ctrl-C leaves the prompt, not the drill
  rl.on('close', () => {
    closed = true;
    closing.abort();
    if (!done()) io.output.write(`\nthe prompt is closed; the drill goes on: answer with \`drill step ${handle.workflowId} STEP done|breakdown|skip\`, \`drill decide\`, or stop it with \`drill abort ${handle.workflowId}\`\n`);
  });
  const tty = Boolean(io.output.isTTY);

  const console_: Console = {
    print(line) {
      if (tty && asking) {
        io.output.write('\r\x1b[2K' + line + '\n');
        rl.prompt(true);
      } else io.output.write(line + '\n');
    },
    close() { if (!closed) rl.close(); },
  };

  async function ask(q: string, signal?: AbortSignal): Promise<string | null> {
    if (closed) return null;
    asking = true;
    try {
      return (await rl.question(q, { signal: signal ? AbortSignal.any([signal, closing.signal]) : closing.signal })).trim();
    } catch {
      return null; // closed (the drill ended) or superseded while asking
    } finally {
      asking = false;
    }
  }

  const header = (w: WaitingStep) => {
    const role = w.role ? ` — needs the role ${w.role}` : '';
    const expected = w.expectedMs !== undefined ? `, expected ${d(w.expectedMs)}` : '';
    return [``, `⏸ ${w.id} (${w.kind}${role}${expected})`, `  ${w.text}`,
      w.kind === 'gate' ? '  answer: d = decide, b = breakdown, s = skip' : '  answer: d = done, b = breakdown, s = skip'].join('\n');
  };
  const timer = (w: WaitingStep) => {
    const elapsed = Date.now() - w.since;
    const over = w.expectedMs !== undefined && elapsed > w.expectedMs ? ' OVERRUN' : '';
    return `[${d(elapsed)}${w.expectedMs !== undefined ? ` / ${d(w.expectedMs)}` : ''}${over}] ${w.id}> `;
  };

  /** What the participant says about the waiting step, as an action; null to ask again. */
  async function answer(w: WaitingStep, choice: string): Promise<Action | null> {
    const opt = async (q: string) => { const a = await ask(q); return a ? a : undefined; };
    if (choice === 'd' || choice === 'done' || choice === 'decide') {
      if (w.kind === 'gate') {
        const as = await opt(`acting as role (needed: ${w.role}): `);
        const note = await opt('note (optional): ');
        return { kind: 'decide', d: { gate: w.id, by, as: as ?? '', ...(note && { note }) } };
      }
      const as = w.role ? await opt(`acting as role (needed: ${w.role}): `) : undefined;
      const note = await opt('note (optional): ');
      const workaround = w.kind === 'manual' ? await opt('workaround, if you did something other than the runbook (optional): ') : undefined;
      return { kind: 'confirm', c: { step: w.id, by, ...(as && { as }), ...(note && { note }), ...(workaround && { workaround }) } };
    }
    if (choice === 'b' || choice === 'breakdown') {
      const code = await ask(`cause code (tab completes; ${BREAKDOWN_CODE_LIST.slice(0, 3).join(', ')}, …): `);
      if (!code) return null;
      if (!Object.hasOwn(BREAKDOWN_CODES, code)) { console_.print(`unknown code "${code}"; one of: ${BREAKDOWN_CODE_LIST.join(', ')}`); return null; }
      const effect = (await opt('effect: prolonged (recovery took longer), enlarged (the incident grew), none [prolonged]: ')) ?? 'prolonged';
      const note = await ask('what happened: ');
      return { kind: 'breakdown', b: { step: w.id, by, code: code as never, effect: effect as never, note: note ?? '' } };
    }
    if (choice === 's' || choice === 'skip') {
      const reason = await ask('why skip it: ');
      return { kind: 'skip', s: { step: w.id, by, reason: reason ?? '' } };
    }
    if (choice) console_.print('answer d, b or s');
    return null;
  }

  async function loop(): Promise<void> {
    let shown: string | null = null;
    while (!done() && !closed) {
      const v = await handle.query(statusQuery).catch(() => null);
      const w = v?.waiting ?? null;
      if (!w) { shown = null; await new Promise((r) => setTimeout(r, 300)); continue; }
      if (shown !== `${w.id}@${w.since}`) { console_.print(header(w)); shown = `${w.id}@${w.since}`; }
      // The prompt carries the step's timer; on a terminal it ticks while the participant thinks. If
      // someone answers the step from another terminal meanwhile, the prompt moves on with the drill.
      const superseded = new AbortController();
      const tick = setInterval(() => {
        if (tty && asking) { rl.setPrompt(timer(w)); rl.prompt(true); }
        status.poll((now) => {
          if (now.waiting?.id !== w.id || now.waiting.since !== w.since) superseded.abort();
        });
      }, 1000);
      let choice: string | null;
      try { choice = await ask(timer(w), superseded.signal); } finally { clearInterval(tick); }
      if (choice === null) {
        if (superseded.signal.aborted && !closed) { if (tty) io.output.write('\n'); continue; }
        return;
      }
      const action = await answer(w, choice.toLowerCase());
      if (!action || closed) continue;
      const outcome = await send(handle, action).then((a) => `${a.status}: ${a.detail}`, (err: Error) => err.message);
      console_.print(`→ ${outcome}`);
    }
  }

  // The caller closes the connection after this: no query may still be in flight then.
  const finished = loop().finally(async () => {
    console_.close();
    await status.settled();
  });
  return { console: console_, finished };
}
