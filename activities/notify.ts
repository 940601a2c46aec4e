// Notifications a drill sends to people: escalations and RTO budget warnings. Always logged by the
// worker; also POSTed as JSON to the scenario's webhook when it declares one.
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';

export type NotifyInput = { drillId: string; subject: string; message: string; webhook?: string };

const isHttp = (url: string) => {
  try {
    return /^https?:$/.test(new URL(url).protocol);
  } catch {
    return false;
  }
};

export const notifyActivities = {
  async notify(input: NotifyInput): Promise<{ at: number; delivered: boolean }> {
    const at = Date.now();
    // stderr: a worker in the CLI's own process must not mix its log into output meant for programs (--json).
    console.error(`[drill ${input.drillId}] ${input.subject}: ${input.message}`);
    if (!input.webhook) return { at, delivered: false };
    // Only http(s), as validation demands of a scenario: a webhook given another way (`exercise
    // --webhook`) must not point the worker at a file or another scheme either.
    if (!isHttp(input.webhook)) {
      throw ApplicationFailure.nonRetryable(`webhook ${input.webhook}: only http:// and https:// URLs are posted to`, ErrorType.WebhookRefused);
    }
    const res = await fetch(input.webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ drillId: input.drillId, subject: input.subject, message: input.message, at: new Date(at).toISOString() }),
      signal: AbortSignal.timeout(5000),
      // A redirect would carry the drill's message to wherever the answer points: it is not followed.
      redirect: 'manual',
    });
    if (res.status >= 300 && res.status < 400) {
      const to = res.headers.get('location');
      throw ApplicationFailure.nonRetryable(`webhook answered ${res.status} ${res.statusText}${to ? ` (to ${to})` : ''}: redirects are not followed, so nothing was delivered`, ErrorType.WebhookRefused);
    }
    if (!res.ok) {
      const err = `webhook answered ${res.status} ${res.statusText}`;
      if (res.status >= 400 && res.status < 500) throw ApplicationFailure.nonRetryable(err, ErrorType.WebhookRefused);
      throw new Error(err);
    }
    return { at, delivered: true };
  },
};

export type NotifyActivities = typeof notifyActivities;
