// The notify activity posts to http(s) webhooks only, and follows no redirect: a webhook answering
// 3xx gets nothing delivered past it, and the drill hears why. Real HTTP servers on loopback.
import { createServer, type Server } from 'node:http';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { notifyActivities, type NotifyInput } from '../../activities/notify.js';
import { webhookReceiver } from '../support/webhook.js';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const notify = (input: NotifyInput) => new MockActivityEnvironment(undefined, { logger: quiet }).run(notifyActivities.notify, input);
const servers: { close(): void }[] = [];
afterAll(() => { for (const s of servers) s.close(); });

async function redirector(status: number, to: string): Promise<string> {
  const server: Server = createServer((req, res) => { req.resume(); res.writeHead(status, { location: to }).end(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
}

describe('notify', () => {
  it('delivers to an http webhook', async () => {
    const hook = await webhookReceiver();
    servers.push(hook);
    await expect(notify({ drillId: 'd-1', subject: 'RTO budget', message: 'half gone', webhook: hook.url })).resolves.toMatchObject({ delivered: true });
    expect(hook.received).toEqual([expect.objectContaining({ drillId: 'd-1', subject: 'RTO budget', message: 'half gone' })]);
  });

  it.each([301, 302, 303, 307, 308])('follows no %i redirect: nothing reaches where it points, and the drill is told', async (status) => {
    const elsewhere = await webhookReceiver();
    servers.push(elsewhere);
    const url = await redirector(status, elsewhere.url);
    const sent = notify({ drillId: 'd-1', subject: 'escalation', message: 'step waits', webhook: url });
    await expect(sent).rejects.toMatchObject({ type: 'WebhookRefused', nonRetryable: true, message: expect.stringMatching(new RegExp(`^webhook answered ${status} .*redirects are not followed, so nothing was delivered`)) });
    expect(elsewhere.received).toEqual([]);
  });

  it.each(['file:///etc/passwd', 'data:text/plain,hello', 'javascript:alert(1)', 'ftp://127.0.0.1/x'])('refuses a %s webhook given past validation', async (webhook) => {
    await expect(notify({ drillId: 'd-1', subject: 's', message: 'm', webhook })).rejects.toMatchObject({ type: 'WebhookRefused', nonRetryable: true, message: expect.stringContaining('only http:// and https://') });
  });
});
