// HTTP as a probe target: the service's health path the way a client calls it, and the write ledger
// through the application's own API (PUT {path}/{seq}, GET {path}/present?max=N). Every request opens
// its own connection, as a new user would, so a gateway switch is seen at the next sample. Health is
// a status line from the service: Docker's port proxy, when nothing listens behind it, closes the
// connection without one, and that is a failed request.
import { request } from 'node:http';

type Reply = { status: number; body: string };

function call(method: string, host: string, port: number, path: string, timeoutMs: number, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method, agent: false, timeout: timeoutMs, headers: { connection: 'close', ...(body !== undefined && { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { if (text.length < 1_000_000) text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

const firstLine = (s: string) => s.split('\n')[0]!.slice(0, 160);

export async function httpHealthy(host: string, port: number, path: string, timeoutMs: number): Promise<void> {
  const r = await call('GET', host, port, path, timeoutMs);
  if (r.status < 200 || r.status > 299) throw new Error(`HTTP ${r.status} ${firstLine(r.body)}`);
}

/** One ledger record: 201 written, 200 already there (a number is never reused, so not ours to count). */
export async function httpLedgerWrite(host: string, port: number, path: string, seq: number, sentAt: number, timeoutMs: number): Promise<'written' | 'existed'> {
  const r = await call('PUT', host, port, `${path}/${seq}`, timeoutMs, String(sentAt));
  if (r.status === 201) return 'written';
  if (r.status === 200) return 'existed';
  throw new Error(`HTTP ${r.status} ${firstLine(r.body)}`);
}

export async function httpLedgerReadback(host: string, port: number, path: string, maxSeq: number, timeoutMs: number): Promise<[number, number][]> {
  const r = await call('GET', host, port, `${path}/present?max=${maxSeq}`, timeoutMs);
  if (r.status !== 200) throw new Error(`read-back: HTTP ${r.status} ${firstLine(r.body)}`);
  const present = (JSON.parse(r.body) as { present?: unknown }).present;
  if (!Array.isArray(present) || !present.every((x) => Array.isArray(x) && x.length === 2 && x.every(Number.isInteger))) {
    throw new Error(`read-back: expected {"present": [[from, to], ...]}, got ${firstLine(r.body)}`);
  }
  return present as [number, number][];
}
