// Drives a workflow function with the real @temporalio/workflow runtime (its Activator: timers,
// conditions, cancellation scopes, updates, patches), in this process and without a server, applying
// each activation's jobs the way the worker does, and returns the commands each activation emits. It
// exists to pin the ORDER of commands when several jobs land in one workflow task (an activity
// completes as a timer fires): the order depends on how many microtask hops each coroutine takes,
// which a replay of recorded histories only checks for the coincidences those histories happen to have.
//
// What it copies from the worker (@temporalio/worker lib/workflow/vm-shared.js, BaseVMWorkflow.activate,
// SDK 1.24.0 as pinned by package-lock.json):
//   - jobs sorted as Core sorts them before shipping an activation (sdk-core's
//     prepare_to_ship_activation: init, patches, random seed, signals and updates, everything else,
//     queries; stable within a group);
//   - patches notified first, then all jobs in one batch (ProcessWorkflowActivationJobsAsSingleBatch),
//     conditions re-checked after each job, then microtasks drained, then conditions re-checked and
//     microtasks drained again until nothing unblocks, then the activation concluded;
//   - queries in an activation of their own, as Core sends them.
// Time is frozen within an activation and moves 10 ms between activations (the worker gives the
// workflow the activation's timestamp as Date.now()); Math.random is the workflow's seeded random.
//
// Two modes. Without `replay`: a live first run (isReplaying false), as the goldens were recorded.
// With `replay` (a recorded transcript): isReplaying true, and the patch markers and SDK flags of each
// recorded activation are notified before its jobs, as Core does from the history. On replay a
// `patched()` whose marker the history lacks is false and emits nothing, exactly as on a real replay,
// so new behaviour behind a patch does not show up as a difference.
//
// SDK internals used (no public API drives an Activator outside the worker's VM):
//   - @temporalio/workflow/lib/internals.js         Activator: the workflow's runtime state; the worker
//                                                   constructs it inside the VM (worker-interface
//                                                   initRuntime), which needs the webpack bundle.
//   - @temporalio/workflow/lib/global-attributes.js setActivator / maybeGetActivator: the global slot
//                                                   every workflow API function reads.
//   - @temporalio/workflow/lib/worker-interface.js  initialize / activate / tryUnblockConditions /
//                                                   concludeActivation / dispose: what the worker calls
//                                                   into the VM for each activation.
//   - @temporalio/workflow/lib/flags.js             SdkFlags.ProcessWorkflowActivationJobsAsSingleBatch,
//                                                   which the worker checks to batch an activation's jobs.
//   - @temporalio/workflow/lib/cancellation-scope.js only to check that the SDK picked up a real
//                                                   AsyncLocalStorage (see below).
// An SDK upgrade may move these: the pinned version is in package-lock.json.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';

// Inside the worker's VM, AsyncLocalStorage is a global that @temporalio/workflow reads ONCE, when it
// is first loaded (cancellation scopes are tracked through it). This module must therefore be imported
// before anything that loads @temporalio/workflow (import it first in the test file). Left in place
// for the life of the process: the SDK keeps the class it read; vitest runs each test file in its own
// fork (vitest.config.ts: pool 'forks'), so no other file sees it.
const globals = globalThis as { AsyncLocalStorage?: unknown };
globals.AsyncLocalStorage ??= AsyncLocalStorage;

const require = createRequire(import.meta.url);
const { Activator } = require('@temporalio/workflow/lib/internals.js') as { Activator: new (opts: object) => SdkActivator };
const { setActivator, maybeGetActivator } = require('@temporalio/workflow/lib/global-attributes.js') as {
  setActivator(a: SdkActivator | undefined): void;
  maybeGetActivator(): SdkActivator | undefined;
};
const wi = require('@temporalio/workflow/lib/worker-interface.js') as {
  initialize(job: object): void;
  activate(activation: { jobs: Job[] }, batchIndex?: number): void;
  tryUnblockConditions(): number;
  concludeActivation(): { successful?: { commands: Command[]; usedInternalFlags?: number[] } };
  dispose(): void;
};
const sdkAls = (require('@temporalio/workflow/lib/cancellation-scope.js') as { AsyncLocalStorage: unknown }).AsyncLocalStorage;
if (sdkAls !== AsyncLocalStorage) {
  throw new Error('activation-harness: @temporalio/workflow was loaded before this module set AsyncLocalStorage; import the harness first');
}
const { SdkFlags } = require('@temporalio/workflow/lib/flags.js') as { SdkFlags: { ProcessWorkflowActivationJobsAsSingleBatch: object } };

/** The parts of the SDK's Activator this harness touches. */
type SdkActivator = {
  workflow: unknown;
  now: number;
  payloadConverter: { toPayload(v: unknown): unknown; fromPayload(p: unknown): unknown };
  currentRandom(): number;
  mutateWorkflowInfo(fn: (info: Record<string, unknown>) => Record<string, unknown>): void;
  addKnownFlags(flags: number[]): void;
  hasFlag(flag: object): boolean;
  notifyHasPatch(job: { patchId: string }): void;
};

/** An activation job as the worker hands it to worker-interface.activate: `variant` names the field that holds it. */
export type Job = { variant: string; label: string; [field: string]: unknown };
type Command = Record<string, any>;

/** One activation as a golden file holds it. */
export type ActivationRecord = {
  label: string;
  /** the jobs in the order applied (Core's order) */
  jobs: string[];
  /** the commands emitted, in order */
  commands: string[];
  /** SDK flags in use after the activation (fed back on replay, as Core does from the history) */
  flags?: number[];
};

export type PendingActivity = {
  seq: number;
  type: string;
  key?: string;
  arg: Record<string, unknown>;
  /** the workflow asked to cancel it; Core then resolves it as cancelled */
  cancelRequested?: boolean;
};

export type DriverOptions = {
  /** the workflow function under test (drillWorkflow of today's sources, or of a build) */
  workflow: (...args: never[]) => Promise<unknown>;
  workflowType?: string;
  /** replay this transcript (isReplaying, its patches and flags); absent: a live first run */
  replay?: ActivationRecord[];
};

const START = 1_800_000_000_000;
/** Core's order of jobs in an activation (sdk-core prepare_to_ship_activation); stable within a rank. */
const rank = (variant: string): number =>
  ({ initializeWorkflow: 0, notifyHasPatch: 1, updateRandomSeed: 2, signalWorkflow: 3, doUpdate: 3, queryWorkflow: 6, removeFromCache: 7 })[variant] ?? 4;

const drain = () => new Promise<void>((resolve) => setImmediate(resolve));
const ms = (d: { seconds?: unknown; nanos?: number | null } | undefined): number => {
  const s = d?.seconds as { toNumber?: () => number } | number | string | undefined;
  const seconds = typeof s === 'object' && s !== null && typeof s.toNumber === 'function' ? s.toNumber() : Number(s ?? 0);
  return seconds * 1000 + (d?.nanos ?? 0) / 1e6;
};

let open: ActivationDriver | undefined;

/** The activator in the global slot (undefined when no driver is open and none was there before). */
export const currentActivator = (): unknown => maybeGetActivator();

/** Thrown when an activation fails (a workflow task failure on a real worker): the run stops there. */
export class ActivationFailed extends Error {}

/**
 * One workflow run driven activation by activation. Only one may be open at a time (the activator is a
 * global); `close()` restores everything it patched: the activator slot, Date.now, Math.random.
 */
export class ActivationDriver {
  readonly transcript: ActivationRecord[] = [];
  /** activities scheduled and not yet resolved, by seq */
  readonly pending = new Map<number, PendingActivity>();
  /** timers started and neither fired nor cancelled, by seq: duration and when it is due */
  readonly timers = new Map<number, { ms: number; due: number }>();
  /** the workflow emitted its completion (complete, fail or cancel) */
  completed = false;
  private readonly activator: SdkActivator;
  private readonly saved: { activator: SdkActivator | undefined; dateNow: typeof Date.now; random: typeof Math.random };
  private now = START;
  private queries = 0;
  private closed = false;
  private failed: string | undefined;

  constructor(private readonly opts: DriverOptions) {
    if (open) throw new Error('activation-harness: another driver is still open (close it first)');
    this.saved = { activator: maybeGetActivator(), dateNow: Date.now, random: Math.random };
    const info = {
      workflowType: opts.workflowType ?? 'drillWorkflow', workflowId: 'w', runId: 'r', firstExecutionRunId: 'r', taskQueue: 'q', namespace: 'default',
      attempt: 1, historyLength: 1, historySize: 0, continueAsNewSuggested: false, startTime: new Date(START), runStartTime: new Date(START),
      searchAttributes: {}, typedSearchAttributes: [], memo: {},
      unsafe: { isReplaying: opts.replay !== undefined, isReplayingHistoryEvents: opts.replay !== undefined, now: () => this.now },
    };
    this.activator = new Activator({
      info, now: this.now, showStackTraceSources: false, randomnessSeed: [1, 2, 3, 4], registeredActivityNames: new Set(),
      stackTracesEnabled: false, getTimeOfDay: () => BigInt(this.now) * 1_000_000n,
    });
    this.activator.workflow = opts.workflow;
    open = this;
    setActivator(this.activator);
    // The VM replaces Date and Math.random with the activation's time and the workflow's seeded random.
    Date.now = () => this.now;
    Math.random = () => this.activator.currentRandom();
  }

  /** Restores the activator slot, Date.now and Math.random as they were before this driver. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (maybeGetActivator() === this.activator) wi.dispose();
    } finally {
      setActivator(this.saved.activator);
      Date.now = this.saved.dateNow;
      Math.random = this.saved.random;
      if (open === this) open = undefined;
    }
  }

  get payloads() {
    return this.activator.payloadConverter;
  }

  /** Moves the workflow's clock (the next activation's timestamp) forward. */
  advance(byMs: number): void {
    this.now += byMs;
  }

  // ---- jobs -------------------------------------------------------------------------------------

  /** The first activation: the workflow starts with these arguments. */
  start(...args: unknown[]): Promise<string[]> {
    return this.activation('start', [{
      variant: 'initializeWorkflow', label: 'initializeWorkflow',
      initializeWorkflow: { workflowType: this.opts.workflowType ?? 'drillWorkflow', workflowId: 'w', randomnessSeed: 1, attempt: 1, arguments: args.map((a) => this.payloads.toPayload(a)), headers: {} },
    }]);
  }

  resolve(seq: number, value: unknown): Job {
    return { variant: 'resolveActivity', label: `resolveActivity#${seq}${this.name(seq)}`, resolveActivity: { seq, result: { completed: { result: this.payloads.toPayload(value) } } } };
  }

  /** An activity that failed (the failure as Core sends it, e.g. `{ message, applicationFailureInfo: { type, nonRetryable } }`). */
  fail(seq: number, failure: object): Job {
    return { variant: 'resolveActivity', label: `resolveActivity#${seq}${this.name(seq)} failed`, resolveActivity: { seq, result: { failed: { failure } } } };
  }

  /** An activity resolved as cancelled, as Core resolves one whose cancellation the workflow requested. */
  cancelled(seq: number): Job {
    const a = this.pending.get(seq);
    const failure = {
      message: 'Activity cancelled',
      activityFailureInfo: { activityType: { name: a?.type ?? '' }, activityId: String(seq) },
      cause: { message: 'Activity cancelled', canceledFailureInfo: {} },
    };
    return { variant: 'resolveActivity', label: `resolveActivity#${seq}${this.name(seq)} cancelled`, resolveActivity: { seq, result: { cancelled: { failure } } } };
  }

  fire(seq: number): Job {
    return { variant: 'fireTimer', label: `fireTimer#${seq}`, fireTimer: { seq } };
  }

  /** The timer due first fires; the clock moves to when it is due. */
  fireEarliest(): Job {
    const [seq, t] = [...this.timers].reduce((x, y) => (y[1].due < x[1].due ? y : x));
    if (t.due > this.now) this.now = t.due;
    return this.fire(seq);
  }

  update(name: string, arg: unknown, id: string): Job {
    return { variant: 'doUpdate', label: `doUpdate ${id} ${name}`, doUpdate: { id, protocolInstanceId: id, name, headers: {}, runValidator: true, input: [this.payloads.toPayload(arg)] } };
  }

  signal(name: string, ...args: unknown[]): Job {
    return { variant: 'signalWorkflow', label: `signalWorkflow ${name}`, signalWorkflow: { signalName: name, input: args.map((a) => this.payloads.toPayload(a)), headers: {} } };
  }

  query(name: string, ...args: unknown[]): Job {
    const queryId = `q${++this.queries}`;
    return { variant: 'queryWorkflow', label: `queryWorkflow ${queryId} ${name}`, queryWorkflow: { queryId, queryType: name, arguments: args.map((a) => this.payloads.toPayload(a)), headers: {} } };
  }

  // ---- look-ups ---------------------------------------------------------------------------------

  /** The seq of the first pending activity that matches. */
  find(pred: (a: PendingActivity) => boolean): number {
    for (const a of this.pending.values()) if (pred(a)) return a.seq;
    throw new Error(`no such pending activity (pending: ${[...this.pending.values()].map((a) => `#${a.seq} ${a.type}${a.key ? ` ${a.key}` : ''}`).join(', ') || 'none'})`);
  }

  /** The seq of the oldest (`first`) or newest (`last`) running timer. */
  timer(which: 'first' | 'last'): number {
    const seqs = [...this.timers.keys()];
    const seq = which === 'first' ? seqs[0] : seqs.at(-1);
    if (seq === undefined) throw new Error('no running timer');
    return seq;
  }

  private name(seq: number): string {
    const a = this.pending.get(seq);
    return a ? ` (${a.type}${a.key ? ` ${a.key}` : ''})` : '';
  }

  // ---- activations ------------------------------------------------------------------------------

  /** Applies one activation's jobs as the worker does and returns the commands it emitted. */
  async activation(label: string, given: Job[]): Promise<string[]> {
    if (this.closed) throw new Error('activation-harness: driver closed');
    if (this.failed !== undefined) throw new ActivationFailed(`an earlier activation failed: ${this.failed}`);
    const index = this.transcript.length;
    const jobs = given.map((j, k) => [j, k] as const).sort(([a, ka], [b, kb]) => rank(a.variant) - rank(b.variant) || ka - kb).map(([j]) => j);
    const entry: ActivationRecord = { label, jobs: jobs.map((j) => j.label), commands: [] };
    this.transcript.push(entry);
    const replayed = this.opts.replay?.[index];
    let raw: Command[];
    try {
      raw = jobs.every((j) => j.variant === 'queryWorkflow') ? await this.activateQueries(jobs) : await this.activate(jobs, replayed);
      for (const j of jobs) this.applied(j);
    } catch (err) {
      this.failed = err instanceof Error ? err.message : String(err);
      entry.commands.push(`activation failed: ${this.failed}`);
      throw new ActivationFailed(this.failed);
    }
    entry.commands = raw.map((c) => this.describe(c));
    return entry.commands;
  }

  private async activate(jobs: Job[], replayed: ActivationRecord | undefined): Promise<Command[]> {
    if (jobs.some((j) => j.variant === 'queryWorkflow')) throw new Error('queries come in an activation of their own');
    const a = this.activator;
    this.now += 10;
    a.now = this.now;
    const replaying = this.opts.replay !== undefined;
    a.mutateWorkflowInfo((info) => ({ ...info, unsafe: { ...(info.unsafe as object), isReplaying: replaying, isReplayingHistoryEvents: replaying } }));
    if (replayed?.flags) a.addKnownFlags(replayed.flags);
    const init = jobs.find((j) => j.variant === 'initializeWorkflow');
    if (init) wi.initialize(init.initializeWorkflow as object);
    // On replay Core tells the workflow, before the other jobs, which patch markers this task recorded.
    for (const c of replayed?.commands ?? []) if (c.startsWith('patch ')) a.notifyHasPatch({ patchId: c.slice('patch '.length).split(' ')[0]! });
    const hasSignals = jobs.some((j) => j.variant === 'signalWorkflow');
    if (!hasSignals || a.hasFlag(SdkFlags.ProcessWorkflowActivationJobsAsSingleBatch)) {
      wi.activate({ jobs: [...jobs] }); // (activate shifts the init job off the list it is given)
      await this.settle();
    } else {
      // Histories from SDKs before 1.11: signals first, in a batch of their own.
      const batches = [jobs.filter((j) => j.variant === 'signalWorkflow'), jobs.filter((j) => j.variant !== 'signalWorkflow')];
      let batchIndex = 0;
      for (const batch of batches) {
        if (batch.length === 0) continue;
        wi.activate({ jobs: batch }, batchIndex++);
        await this.settle();
      }
    }
    const completion = wi.concludeActivation();
    await drain();
    if (!completion.successful) throw new Error('activation concluded without success');
    if (completion.successful.usedInternalFlags) this.transcript.at(-1)!.flags = [...completion.successful.usedInternalFlags].sort((x, y) => x - y);
    return completion.successful.commands;
  }

  /** As the worker after each call into the VM: microtasks run out, then conditions until none unblocks. */
  private async settle(): Promise<void> {
    await drain();
    for (;;) {
      const unblocked = wi.tryUnblockConditions();
      await drain();
      if (unblocked === 0) break;
    }
  }

  private async activateQueries(jobs: Job[]): Promise<Command[]> {
    this.activator.mutateWorkflowInfo((info) => ({ ...info, unsafe: { ...(info.unsafe as object), isReplaying: true, isReplayingHistoryEvents: false } }));
    wi.activate({ jobs });
    await drain();
    const completion = wi.concludeActivation();
    if (!completion.successful) throw new Error('query activation concluded without success');
    return completion.successful.commands;
  }

  private applied(j: Job): void {
    if (j.variant === 'resolveActivity') this.pending.delete((j.resolveActivity as { seq: number }).seq);
    if (j.variant === 'fireTimer') this.timers.delete((j.fireTimer as { seq: number }).seq);
  }

  /**
   * A command as the goldens spell it: what a replay matches (kind, seq, activity type, patch id, update
   * outcome) and what names the step or timer (the activity's idempotency key, the timer's duration).
   * Texts a replay does not compare (messages, update results, query answers, activity options) are left out.
   */
  private describe(c: Command): string {
    if (c.scheduleActivity) {
      const s = c.scheduleActivity;
      const arg = (s.arguments?.[0] ? this.payloads.fromPayload(s.arguments[0]) : {}) as Record<string, unknown>;
      const key = typeof arg?.key === 'string' ? arg.key : undefined;
      this.pending.set(s.seq, { seq: s.seq, type: s.activityType, ...(key !== undefined && { key }), arg });
      return `activity#${s.seq} ${s.activityType}${key ? ` ${key}` : ''}`;
    }
    if (c.startTimer) {
      this.timers.set(c.startTimer.seq, { ms: ms(c.startTimer.startToFireTimeout), due: this.now + ms(c.startTimer.startToFireTimeout) });
      return `timer#${c.startTimer.seq} ${ms(c.startTimer.startToFireTimeout)}ms`;
    }
    if (c.cancelTimer) {
      this.timers.delete(c.cancelTimer.seq);
      return `cancelTimer#${c.cancelTimer.seq}`;
    }
    if (c.requestCancelActivity) {
      const a = this.pending.get(c.requestCancelActivity.seq);
      if (a) a.cancelRequested = true;
      return `cancelActivity#${c.requestCancelActivity.seq}`;
    }
    if (c.setPatchMarker) return `patch ${c.setPatchMarker.patchId}${c.setPatchMarker.deprecated ? ' deprecated' : ''}`;
    if (c.updateResponse) {
      const u = c.updateResponse;
      return `update ${u.protocolInstanceId} ${u.accepted ? 'accepted' : u.rejected ? 'rejected' : u.completed ? 'completed' : Object.keys(u).join(',')}`;
    }
    if (c.respondToQuery) return `query ${c.respondToQuery.queryId} ${c.respondToQuery.failed ? 'failed' : 'answered'}`;
    if (c.completeWorkflowExecution || c.failWorkflowExecution || c.cancelWorkflowExecution) this.completed = true;
    if (c.completeWorkflowExecution) return 'complete workflow';
    if (c.failWorkflowExecution) return 'fail workflow';
    if (c.cancelWorkflowExecution) return 'cancel workflow';
    return Object.keys(c).filter((k) => k !== 'eventGroupMarkers' && k !== 'userMetadata').join(',');
  }
}
