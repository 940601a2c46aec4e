// Docker's userland proxy seen from the host: which container address a published port forwards to.
// The engine runs one docker-proxy process per published port (its default; `userland-proxy: false`
// turns it off), and its command line names both ends. A probe that finds one can check the address
// the proxy dials, the way the proxy would, instead of trusting the proxy's own accept.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isIP } from 'node:net';

export type ProxyBackend = { pid: number; host: string; port: number };

/** How long "no proxy serves this port" is believed before /proc is searched again. */
const ABSENT_RECHECK_MS = 1000;

const isLoopback = (host: string) => host === '::1' || host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.'));

/** The value of `-name value` or `-name=value` (Go's flag syntax, one or two dashes). */
function flag(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!.replace(/^--?/, '-');
    if (a === `-${name}`) return argv[i + 1];
    if (a.startsWith(`-${name}=`)) return a.slice(name.length + 2);
  }
  return undefined;
}

function backendOf(pid: number, cmdline: string, host: string, hostPort: number): ProxyBackend | null {
  const argv = cmdline.split('\0').filter(Boolean);
  if (!argv[0]?.endsWith('docker-proxy')) return null;
  if ((flag(argv, 'proto') ?? 'tcp') !== 'tcp' || Number(flag(argv, 'host-port')) !== hostPort) return null;
  const hostIp = flag(argv, 'host-ip') ?? '0.0.0.0';
  if (hostIp !== host && hostIp !== '0.0.0.0' && hostIp !== '::' && !(host === 'localhost' && isLoopback(hostIp))) return null;
  const containerIp = flag(argv, 'container-ip');
  const containerPort = Number(flag(argv, 'container-port'));
  return containerIp && Number.isInteger(containerPort) ? { pid, host: containerIp, port: containerPort } : null;
}

// Read synchronously: /proc is memory, a whole search takes about a millisecond, where awaiting each
// file took ten times that, and it is paid by the sample that first sees a restarted service.
function cmdlineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null; // gone, or not ours to read
  }
}

/**
 * Whether the proxy dials from our network namespace, so its target is reachable from here too. A
 * rootless engine's proxy runs in the engine's own namespace; a rootful one's is root's and cannot be
 * read by another user, but runs in the host's, where a worker beside the engine runs too.
 */
function dialsFromHere(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`) === readlinkSync('/proc/self/ns/net');
  } catch {
    return true;
  }
}

function search(host: string, hostPort: number): ProxyBackend | null {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return null; // no /proc: not Linux, so no docker-proxy we could see past
  }
  for (const pid of pids) {
    const cmdline = cmdlineOf(pid);
    if (!cmdline?.includes('docker-proxy')) continue;
    const backend = backendOf(pid, cmdline, host, hostPort);
    if (backend) return dialsFromHere(pid) ? backend : null;
  }
  return null;
}

/**
 * Finds the proxy serving host:hostPort, remembering it between samples: a restarted container gets a
 * new proxy (and maybe a new address), so the remembered one is checked to still be there each time.
 * Only loopback is looked up: a proxy seen here serves a port of this machine's engine, and a
 * DRILL_PUBLISH_HOST elsewhere is another machine's.
 */
export function portProxyFinder(host: string, hostPort: number): () => ProxyBackend | null {
  let known: ProxyBackend | null = null;
  // Once a proxy served the port, its absence is a container between stop and start, not a port
  // without one: that is never believed, or a quick restart would be sampled without its proxy.
  let everServed = false;
  let absentSince = -Infinity;
  return () => {
    if (!isLoopback(host)) return null;
    if (known) {
      const cmdline = cmdlineOf(known.pid);
      const still = cmdline === null ? null : backendOf(known.pid, cmdline, host, hostPort);
      if (still) return (known = still);
      known = null;
    } else if (!everServed && Date.now() - absentSince < ABSENT_RECHECK_MS) {
      return null;
    }
    known = search(host, hostPort);
    if (known) everServed = true;
    else absentSince = Date.now();
    return known;
  };
}
