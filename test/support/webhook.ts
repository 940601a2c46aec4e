// A real HTTP endpoint on loopback that records what the notifier POSTs (escalations, budget
// warnings, reminders), for tests to check what people would have been told.
import { createServer } from 'node:http';

export type Received = { subject: string; message: string; drillId: string; at: string };

export async function webhookReceiver(path = '/hook') {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { received.push(JSON.parse(body)); res.end('ok'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}${path}`, received, close: () => server.close() };
}
