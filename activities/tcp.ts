// TCP as a probe target: the service is up when its own listener accepted, not when something on the
// published port did.
//
// Docker's userland proxy (docker-proxy, the engine's default) listens on every published port for as
// long as the container runs, whatever runs inside it. It accepts our connection first and only then
// dials the container. When nothing listens there, the dial is refused and the proxy closes our side
// without a byte. When the dial's SYN is lost (the first second after a start, while the container's
// network comes up, or a blackholed container) the proxy holds our connection open and silent until
// the SYN is retried, 1 s later or more. A connect to the published port alone says nothing, then.
//
// So a sample first connects to the published port, the way users reach it, and then:
// - where a docker-proxy of this machine serves that port (port-proxy.ts), makes the proxy's own dial,
//   to the container's address: the service is up when the container accepts it. A refusal or a lost
//   SYN fails the sample, as it fails the proxy's dial.
// - where no proxy can be seen (ports forwarded to DRILL_PUBLISH_HOST, a remote engine's proxy), reads
//   what the client side can tell: a connection closed before a byte is a proxy hanging up, one still
//   open after a grace, or one that greeted first, is a real listener (it waits for the client to
//   speak, or greets first).
import { Socket } from 'node:net';
import { portProxyFinder, type ProxyBackend } from './port-proxy.js';

/**
 * How long a connection to a port whose proxy we cannot see must stay open, silent, to count.
 * A proxy's hang-up follows its refused dial in the time of a round trip plus scheduling. On a 2-core
 * host, docker-proxy hung up at p99 1.4 ms idle and at most 9 ms with both cores saturated; with a load
 * average of 12 from drills run beside it, at most 31 ms, and 71 ms through a loopback forwarder (as
 * `ssh -L` would be) in front of it. 150 ms is twice the worst seen. It is not longer because every
 * healthy sample pays it: at the default 200 ms interval the sampling grid keeps its pace, at 100 ms a
 * healthy sample takes every other tick. A forward over a slow link can hang up later than this, and no
 * grace tells a dial still waiting on a lost SYN from a silent listener: only seeing the proxy can.
 */
const PROXY_CLOSE_GRACE_MS = 150;

const sinceMs = (t: number) => Date.now() - t;

/** A connected socket, or the reason there is none within `timeoutMs`. */
function connect(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setTimeout(timeoutMs, () => { socket.destroy(); reject(new Error(`no connection to ${host}:${port} within ${timeoutMs}ms`)); });
    socket.once('error', (err) => { socket.destroy(); reject(err); });
    socket.once('connect', () => {
      socket.setTimeout(0);
      // From here on, the caller reads what the connection meets from its events.
      socket.removeAllListeners('error').on('error', () => undefined);
      resolve(socket);
    });
    socket.connect(port, host);
  });
}

/** Resolves at the first byte, or when the connection is still open after `graceMs`; rejects if it closed first. */
function heldOpen(socket: Socket, graceMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const closed = () => reject(new Error(`connection closed within ${graceMs}ms without a byte: nothing answered behind the port`));
    const timer = setTimeout(resolve, graceMs);
    const settle = (f: () => void) => () => { clearTimeout(timer); f(); };
    // A greeting is an answer: only a real listener sends anything.
    socket.once('data', settle(resolve));
    socket.once('end', settle(closed));
    socket.once('error', settle(closed));
    socket.once('close', settle(closed));
  });
}

/** The dial the proxy makes, made by us, within what is left of the timeout. */
async function targetAccepts(proxy: ProxyBackend, timeoutMs: number): Promise<void> {
  const direct = await connect(proxy.host, proxy.port, Math.max(timeoutMs, 1)).catch((err: Error) => {
    throw new Error(`the port's proxy accepted, but its target ${proxy.host}:${proxy.port} did not: ${err.message}`);
  });
  direct.destroy();
}

/** One probe's TCP check, remembering the proxy in front of host:port between samples. */
export function tcpChecker(host: string, port: number, timeoutMs: number): () => Promise<void> {
  const findProxy = portProxyFinder(host, port);
  // The grace comes out of the probe's timeout, so a sample never takes longer than the timeout says.
  const graceMs = Math.min(PROXY_CLOSE_GRACE_MS, Math.floor(timeoutMs / 2));
  return async () => {
    const startedAt = Date.now();
    const socket = await connect(host, port, Math.max(timeoutMs - graceMs, 1));
    try {
      const proxy = findProxy();
      await (proxy ? targetAccepts(proxy, timeoutMs - sinceMs(startedAt)) : heldOpen(socket, graceMs));
    } finally {
      socket.destroy();
    }
  };
}
