// Notifications a drill sends to people: escalations and RTO budget warnings. Always logged by the
// worker; also POSTed as JSON to the scenario's webhook when it declares one.
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';

export type NotifyInput = { drillId: string; subject: string; message: string; webhook?: string };

export const notifyActivities = {
  async notify(input: NotifyInput): Promise<{ at: number; delivered: boolean }> {
    const at = Date.now();
    // stderr: a worker in the CLI's own process must not mix its log into output meant for programs (--json).
    console.error(`[drill ${input.drillId}] ${input.subject}: ${input.message}`);
    if (!input.webhook) return { at, delivered: false };
    const res = await fetch(input.webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ drillId: input.drillId, subject: input.subject, message: input.message, at: new Date(at).toISOString() }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) {
      const err = `webhook answered ${res.status} ${res.statusText}`;
      if (res.status >= 400 && res.status < 500) throw ApplicationFailure.nonRetryable(err, ErrorType.WebhookRefused);
      throw new Error(err);
    }
    return { at, delivered: true };
  },
};

export type NotifyActivities = typeof notifyActivities;
