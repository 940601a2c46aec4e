// Redis as a probe target: a health check the way a client sees it, and the write ledger's
// sequence-numbered writes and read-back. Clients fail fast instead of queueing, so a sample
// or a write reports the outage it meets rather than waiting it out. Only Redis itself says PONG: a
// client that Docker's port proxy connected to a container where nothing listens is closed before any
// reply, so its PING fails and the sample is down (test/integration/probe-truth.test.ts).
import { Redis } from 'ioredis';

export const LEDGER_PREFIX = 'drill:ledger:';

export function redisClient(host: string, port: number, timeoutMs: number): Redis {
  const client = new Redis({
    host, port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: () => 100,
    enableReadyCheck: false,
  });
  // Each failure is reported by the command that met it; the event would only repeat it on stderr.
  client.on('error', () => undefined);
  return client;
}

/** Connects (or reconnects) if needed; throws what the connection met. */
export async function ensureConnected(client: Redis): Promise<void> {
  if (client.status === 'ready' || client.status === 'connect') return;
  if (client.status === 'wait' || client.status === 'end') {
    await client.connect();
    return;
  }
  // connecting / reconnecting: wait briefly for the next state.
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not connected (${client.status})`)), 300);
    client.once('ready', () => { clearTimeout(t); resolve(); });
  });
}

export async function redisHealthy(client: Redis): Promise<void> {
  await ensureConnected(client);
  const pong = await client.ping();
  if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
}

/** Writes one ledger record; resolves when the store acknowledged it. NX: a sequence number is never reused. */
export async function redisLedgerWrite(client: Redis, seq: number, sentAt: number): Promise<'written' | 'existed'> {
  await ensureConnected(client);
  const r = await client.set(`${LEDGER_PREFIX}${seq}`, String(sentAt), 'NX');
  return r === 'OK' ? 'written' : 'existed';
}

/** Which of the sequence numbers 1..maxSeq the store holds, as inclusive ranges. */
export async function redisLedgerReadback(client: Redis, maxSeq: number): Promise<[number, number][]> {
  await ensureConnected(client);
  const ranges: [number, number][] = [];
  const batch = 500;
  for (let from = 1; from <= maxSeq; from += batch) {
    const seqs = Array.from({ length: Math.min(batch, maxSeq - from + 1) }, (_, i) => from + i);
    const values = await client.mget(seqs.map((s) => `${LEDGER_PREFIX}${s}`));
    values.forEach((v, i) => {
      if (v === null) return;
      const seq = seqs[i]!;
      const last = ranges[ranges.length - 1];
      if (last && last[1] === seq - 1) last[1] = seq;
      else ranges.push([seq, seq]);
    });
  }
  return ranges;
}
