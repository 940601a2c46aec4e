// Probes: long-running, heartbeating activities that sample a service the way its users reach it.
// Each runs for one bounded segment and returns what it saw; the workflow strings segments together.
// A worker that dies mid-segment loses nothing heartbeated: the retry resumes from the details.
import { activityInfo, heartbeat, Context, sleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import type { Endpoint } from '../model/spec.js';
import { addSample, type LedgerWrite, type SampleRun } from '../model/record.js';
import { publishHost } from './names.js';
import { redisClient, redisHealthy, redisLedgerReadback, redisLedgerWrite } from './redis.js';
import { httpHealthy, httpLedgerReadback, httpLedgerWrite } from './http.js';
import { tcpChecker } from './tcp.js';

export type ProbeTarget = { endpoint: Endpoint; hostPort: number; timeoutMs: number };

/**
 * One sample's check. It passes only on an answer from the service itself: a published port is held
 * open by Docker's proxy whatever runs in the container (see tcp.ts), so a connection is not enough.
 */
type Checker = { check(): Promise<void>; close(): void };

function checker(t: ProbeTarget): Checker {
  const host = publishHost();
  if (t.endpoint.protocol === 'tcp') return { check: tcpChecker(host, t.hostPort, t.timeoutMs), close: () => undefined };
  if (t.endpoint.protocol === 'http') return { check: () => httpHealthy(host, t.hostPort, t.endpoint.path ?? '/health', t.timeoutMs), close: () => undefined };
  const client = redisClient(host, t.hostPort, t.timeoutMs);
  return { check: () => redisHealthy(client), close: () => client.disconnect() };
}

/** The write ledger's two operations against a target, whatever it speaks. */
type LedgerClient = { write(seq: number, sentAt: number): Promise<'written' | 'existed'>; readback(maxSeq: number): Promise<[number, number][]>; close(): void };

function ledgerClient(t: ProbeTarget, timeoutMs = t.timeoutMs): LedgerClient {
  const host = publishHost();
  if (t.endpoint.protocol === 'http') {
    const path = t.endpoint.path ?? '/ledger';
    return {
      write: (seq, sentAt) => httpLedgerWrite(host, t.hostPort, path, seq, sentAt, timeoutMs),
      readback: (maxSeq) => httpLedgerReadback(host, t.hostPort, path, maxSeq, timeoutMs),
      close: () => undefined,
    };
  }
  const client = redisClient(host, t.hostPort, timeoutMs);
  return { write: (seq, sentAt) => redisLedgerWrite(client, seq, sentAt), readback: (maxSeq) => redisLedgerReadback(client, maxSeq), close: () => client.disconnect() };
}

const errorText = (err: unknown) => ((err as Error).message ?? String(err)).split('\n')[0]!.slice(0, 200);

/** Sleeps until the next tick of a fixed-rate schedule, so a slow sample does not shift the grid. */
async function untilNextTick(startedAt: number, intervalMs: number): Promise<void> {
  const elapsed = Date.now() - startedAt;
  const wait = intervalMs - (elapsed % intervalMs);
  await sleep(wait);
}

/** How many sequence numbers a crashed ledger segment may have used without heartbeating them. */
export function ledgerResumeGap(intervalMs: number): number {
  const heartbeatTimeoutMs = activityInfo().heartbeatTimeoutMs ?? 10_000;
  return Math.ceil(heartbeatTimeoutMs / Math.max(intervalMs, 1)) + 16;
}

export const probeActivities = {
  /** Samples availability for `durationMs`, returning run-length encoded samples. */
  async sampleAvailability(input: ProbeTarget & { intervalMs: number; durationMs: number }): Promise<SampleRun[]> {
    const resumed = activityInfo().heartbeatDetails as { runs: SampleRun[]; startedAt: number } | undefined;
    const startedAt = resumed?.startedAt ?? Date.now();
    const runs: SampleRun[] = resumed?.runs ?? [];
    const probe = checker(input);
    try {
      while (Date.now() - startedAt < input.durationMs) {
        // A sample is stamped when its outcome is known: a check can wait on a reconnect, and the
        // service's state at its start says nothing about the reply that came later.
        try {
          await probe.check();
          addSample(runs, true, Date.now());
        } catch (err) {
          addSample(runs, false, Date.now(), errorText(err));
        }
        heartbeat({ runs, startedAt });
        await untilNextTick(startedAt, input.intervalMs);
      }
    } finally {
      probe.close();
    }
    return runs;
  },

  /** Returns when the target is healthy for `sustainMs` (or down), failing after `timeoutMs`. */
  async awaitProbe(input: ProbeTarget & { until: 'healthy' | 'down'; intervalMs: number; sustainMs: number; waitTimeoutMs: number }): Promise<{ holdsAt: number; lastError?: string }> {
    const startedAt = Date.now();
    const probe = checker(input);
    let since: number | undefined;
    let lastError: string | undefined;
    try {
      while (Date.now() - startedAt < input.waitTimeoutMs) {
        let ok = true;
        try { await probe.check(); } catch (err) { ok = false; lastError = errorText(err); }
        const at = Date.now();
        const holds = input.until === 'healthy' ? ok : !ok;
        if (!holds) since = undefined;
        else {
          since ??= at;
          if (input.until === 'down' || at - since >= input.sustainMs) return { holdsAt: since, ...(lastError !== undefined && { lastError }) };
        }
        heartbeat();
        if (Context.current().cancellationSignal.aborted) throw new Error('cancelled');
        await untilNextTick(startedAt, input.intervalMs);
      }
    } finally {
      probe.close();
    }
    throw ApplicationFailure.nonRetryable(
      `${input.endpoint.container}:${input.endpoint.port} did not become ${input.until} within ${input.waitTimeoutMs}ms` + (lastError ? ` (last error: ${lastError})` : ''),
      ErrorType.ProbeTimeout,
    );
  },

  /** Writes sequence-numbered records for `durationMs` and returns each with its acknowledgement time. */
  async ledgerSegment(input: ProbeTarget & { startSeq: number; intervalMs: number; durationMs: number }): Promise<{ writes: LedgerWrite[]; nextSeq: number }> {
    const resumed = activityInfo().heartbeatDetails as { writes: LedgerWrite[]; nextSeq: number; startedAt: number } | undefined;
    const startedAt = resumed?.startedAt ?? Date.now();
    const writes: LedgerWrite[] = resumed?.writes ?? [];
    // After a crash, numbers the lost attempt may have used since its last heartbeat reached the
    // server are skipped, never reused: a reused number could hide a write that was lost.
    let seq = resumed ? resumed.nextSeq + ledgerResumeGap(input.intervalMs) : input.startSeq;
    const client = ledgerClient(input);
    try {
      while (Date.now() - startedAt < input.durationMs) {
        const sentAt = Date.now();
        let ackAt = -1;
        try {
          if ((await client.write(seq, sentAt)) === 'written') ackAt = Date.now();
        } catch {
          // no acknowledgement: the write may or may not have landed; the read-back tells.
        }
        writes.push([seq, sentAt, ackAt]);
        seq++;
        heartbeat({ writes, nextSeq: seq, startedAt });
        await untilNextTick(startedAt, input.intervalMs);
      }
    } finally {
      client.close();
    }
    return { writes, nextSeq: seq };
  },

  /** Reads back which ledger records the store holds now. */
  async ledgerReadback(input: ProbeTarget & { maxSeq: number }): Promise<{ at: number; present: [number, number][] }> {
    const client = ledgerClient(input, Math.max(input.timeoutMs, 5000));
    try {
      const present = await client.readback(input.maxSeq);
      return { at: Date.now(), present };
    } finally {
      client.close();
    }
  },
};

export type ProbeActivities = typeof probeActivities;
