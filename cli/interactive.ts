// `--operator interactive`: the participant at this terminal. Shows the waiting step's runbook text
// with its timer against the expected duration, and takes done / breakdown / skip (or the decision,
// at a gate) at a prompt. Answers go through the same Workflow Updates as `drill step` from elsewhere,
// so the drill refuses here exactly what it refuses there.
import { createInterface } from 'node:readline/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { BREAKDOWN_CODE_LIST, BREAKDOWN_CODES, BREAKDOWN_EFFECTS, type BreakdownEffect } from '../model/breakdown.js';
import { formatDuration as d } from '../model/duration.js';
import { statusQuery, type WaitingStep } from '../workflows/messages.js';
import { send, type Action } from './operator.js';
import { statusPoller } from './queries.js';

// The prompt offers the effects with its default first, as the question lists them.
const DEFAULT_EFFECT: BreakdownEffect = 'prolonged';
const EFFECTS = [DEFAULT_EFFECT, ...BREAKDOWN_EFFECTS.filter((e) => e !== DEFAULT_EFFECT)];

export type Console = {
  /** prints a line above the prompt without breaking what the participant is typing */
  print(line: string): void;
  close(): void;
};

type Io = { input: NodeJS.ReadableStream; output: NodeJS.WriteStream };

/** The participant's prompt on this terminal: questions, lines printed above them, and its close. */
type Prompt = {
  console: Console;
  /** the answer, trimmed; null once the prompt is closed or the question is given up by `signal` */
  ask(q: string, signal?: AbortSignal): Promise<string | null>;
  readonly closed: boolean;
  /** on a terminal, redraws the question being asked behind a new prompt (the ticking timer) */
  reprompt(prompt: string): void;
  /** ends the line of a question given up, on a terminal */
  abandon(): void;
};

function openPrompt(handle: WorkflowHandle, done: () => boolean, io: Io): Prompt {
  const rl = createInterface({
    input: io.input, output: io.output, terminal: Boolean(io.output.isTTY),
    completer: (line: string) => {
      const hits = [...BREAKDOWN_CODE_LIST, ...EFFECTS].filter((c) => c.startsWith(line));
      return [hits, line] as [string[], string];
    },
  });
  let closed = false;
  let asking = false;
  // A question pending when the interface closes never settles by itself: closing aborts it.
  const closing = new AbortController();
  rl.on('SIGINT', () => rl.close()); // Ctrl-C leaves the prompt, not the drill
  rl.on('close', () => {
    closed = true;
    closing.abort();
    if (!done()) io.output.write(`\nthe prompt is closed; the drill goes on: answer with \`drill step ${handle.workflowId} STEP done|breakdown|skip\`, \`drill decide\`, or stop it with \`drill abort ${handle.workflowId}\`\n`);
  });
  const tty = Boolean(io.output.isTTY);

  return {
    console: {
      print(line) {
        if (tty && asking) {
          io.output.write('\r\x1b[2K' + line + '\n');
          rl.prompt(true);
        } else io.output.write(line + '\n');
      },
      close() { if (!closed) rl.close(); },
    },
    async ask(q, signal) {
      if (closed) return null;
      asking = true;
      try {
        return (await rl.question(q, { signal: signal ? AbortSignal.any([signal, closing.signal]) : closing.signal })).trim();
      } catch {
        return null; // closed (the drill ended) or superseded while asking
      } finally {
        asking = false;
      }
    },
    get closed() { return closed; },
    reprompt(prompt) {
      if (tty && asking) { rl.setPrompt(prompt); rl.prompt(true); }
    },
    abandon() { if (tty) io.output.write('\n'); },
  };
}

function header(w: WaitingStep): string {
  const role = w.role ? ` — needs the role ${w.role}` : '';
  const expected = w.expectedMs !== undefined ? `, expected ${d(w.expectedMs)}` : '';
  return [``, `⏸ ${w.id} (${w.kind}${role}${expected})`, `  ${w.text}`,
    w.kind === 'gate' ? '  answer: d = decide, b = breakdown, s = skip' : '  answer: d = done, b = breakdown, s = skip'].join('\n');
}

function timer(w: WaitingStep): string {
  const elapsed = Date.now() - w.since;
  const over = w.expectedMs !== undefined && elapsed > w.expectedMs ? ' OVERRUN' : '';
  return `[${d(elapsed)}${w.expectedMs !== undefined ? ` / ${d(w.expectedMs)}` : ''}${over}] ${w.id}> `;
}

/** What the participant says about the waiting step, as an action; null to ask again. */
async function answer(p: Prompt, w: WaitingStep, by: string, choice: string): Promise<Action | null> {
  const opt = async (q: string) => { const a = await p.ask(q); return a ? a : undefined; };
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
    const code = await p.ask(`cause code (tab completes; ${BREAKDOWN_CODE_LIST.slice(0, 3).join(', ')}, …): `);
    if (!code) return null;
    if (!Object.hasOwn(BREAKDOWN_CODES, code)) { p.console.print(`unknown code "${code}"; one of: ${BREAKDOWN_CODE_LIST.join(', ')}`); return null; }
    const effect = (await opt(`effect: prolonged (recovery took longer), enlarged (the incident grew), none [${DEFAULT_EFFECT}]: `)) ?? DEFAULT_EFFECT;
    const note = await p.ask('what happened: ');
    return { kind: 'breakdown', b: { step: w.id, by, code: code as never, effect: effect as never, note: note ?? '' } };
  }
  if (choice === 's' || choice === 'skip') {
    const reason = await p.ask('why skip it: ');
    return { kind: 'skip', s: { step: w.id, by, reason: reason ?? '' } };
  }
  if (choice) p.console.print('answer d, b or s');
  return null;
}

export function interactiveOperator(handle: WorkflowHandle, by: string, done: () => boolean, io: Io = { input: process.stdin, output: process.stdout }): { console: Console; finished: Promise<void> } {
  const p = openPrompt(handle, done, io);
  const status = statusPoller(handle);

  async function loop(): Promise<void> {
    let shown: string | null = null;
    while (!done() && !p.closed) {
      const v = await handle.query(statusQuery).catch(() => null);
      const w = v?.waiting ?? null;
      if (!w) { shown = null; await new Promise((r) => setTimeout(r, 300)); continue; }
      if (shown !== `${w.id}@${w.since}`) { p.console.print(header(w)); shown = `${w.id}@${w.since}`; }
      // The prompt carries the step's timer; on a terminal it ticks while the participant thinks. If
      // someone answers the step from another terminal meanwhile, the prompt moves on with the drill.
      const superseded = new AbortController();
      const tick = setInterval(() => {
        p.reprompt(timer(w));
        status.poll((now) => {
          if (now.waiting?.id !== w.id || now.waiting.since !== w.since) superseded.abort();
        });
      }, 1000);
      let choice: string | null;
      try { choice = await p.ask(timer(w), superseded.signal); } finally { clearInterval(tick); }
      if (choice === null) {
        if (superseded.signal.aborted && !p.closed) { p.abandon(); continue; }
        return;
      }
      const action = await answer(p, w, by, choice.toLowerCase());
      if (!action || p.closed) continue;
      const outcome = await send(handle, action).then((a) => `${a.status}: ${a.detail}`, (err: Error) => err.message);
      p.console.print(`→ ${outcome}`);
    }
  }

  // The caller closes the connection after this: no query may still be in flight then.
  const finished = loop().finally(async () => {
    p.console.close();
    await status.settled();
  });
  return { console: p.console, finished };
}
