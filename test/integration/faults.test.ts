// The fault library against real containers: every fault type injected through the activity (in
// Temporal's MockActivityEnvironment), its effect measured here independently of the activity's own
// verification (from a peer container, with psql, df, docker stats ...), healed, and measured again.
// Also: a container without the drill's label is refused and left alone, a fault that cannot take
// effect fails with NoEffect, and a heal of a fault never injected succeeds.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultActivities } from '../../activities/faults.js';
import { RUN_LABEL, resourceName } from '../../activities/names.js';
import type { FaultEffect, FaultHeal, FaultSpec } from '../../model/fault.js';

const docker = new Docker();
const drillId = `flt-${randomBytes(3).toString('hex')}`;
const name = (n: string) => resourceName(drillId, n);
const acts = faultActivities(docker);
// The activities' failures are what several tests expect: keep the environment's logger quiet.
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const env = new MockActivityEnvironment(undefined, { logger: quiet });
let step = 0;

type F = Omit<FaultSpec, 'target'> & { target?: string };
const spec = (f: F): FaultSpec => ({ target: 'app', ...f });
const keyOf = (f: FaultSpec, k?: string) => k ?? `${drillId}.s${++step}.${f.target}`;
const inject = (f: F, key?: string): Promise<FaultEffect> => { const s = spec(f); return env.run(acts.injectFault, { drillId, key: keyOf(s, key), fault: s }) as Promise<FaultEffect>; };
const heal = (f: F, key: string): Promise<FaultHeal> => env.run(acts.healFault, { drillId, key, fault: spec(f) }) as Promise<FaultHeal>;
/** inject, then heal with the same key: [effect, heal]; `during` runs while the fault is in place. */
async function cycle(f: F, during: (e: { effectAt: number; evidence: string }) => Promise<void>, after: (h: { healedAt: number; evidence: string }) => Promise<void>) {
  const key = `${drillId}.c${++step}.${f.target ?? 'app'}`;
  const e = await inject(f, key);
  try {
    await during(e);
  } finally {
    const h = await heal(f, key);
    await after(h);
  }
}

function sh(container: string, script: string, opts: { ok?: boolean } = {}): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync('docker', ['exec', '-e', 'RES_OPTIONS=timeout:1 attempts:1', name(container), 'sh', '-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    if (opts.ok) throw err;
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
}
/** Pings app from peer: answered share and median rtt (ms). */
function pingApp(count: number, interval = 0.01, size = 56): { received: number; dups: number; median: number | null } {
  const out = sh('peer', `ping -n -c ${count} -i ${interval} -W 2 -s ${size} $(getent hosts app | cut -d' ' -f1) || true`).out;
  const rtts = [...out.matchAll(/time=([\d.]+) ms(?! \(DUP!\))/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  return { received: Number(/(\d+) received/.exec(out)?.[1] ?? 0), dups: Number(/\+(\d+) duplicates/.exec(out)?.[1] ?? 0), median: rtts.length ? rtts[Math.floor(rtts.length / 2)]! : null };
}
const info = (n: string) => docker.getContainer(name(n)).inspect();
const failureOf = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: { type?: string; message: string }) => e);
const cpuPct = async (n: string) => {
  const c = docker.getContainer(name(n));
  const u = async () => ((await c.stats({ stream: false, 'one-shot': true } as never)) as unknown as { cpu_stats: { cpu_usage: { total_usage: number } } }).cpu_stats.cpu_usage.total_usage;
  const a = await u(); const t = performance.now();
  await new Promise((r) => setTimeout(r, 1000));
  return ((await u()) - a) / 1e6 / (performance.now() - t) * 100;
};
const memMB = async (n: string) => {
  const s = (await docker.getContainer(name(n)).stats({ stream: false, 'one-shot': true } as never)) as unknown as { memory_stats: { stats: Record<string, number> } };
  return (s.memory_stats.stats.total_rss ?? s.memory_stats.stats.anon ?? 0) / 1048576;
};

beforeAll(async () => {
  const labels = (n: string) => ({ [RUN_LABEL]: drillId, 'drill.name': n });
  for (const n of ['lan', 'other']) await docker.createNetwork({ Name: name(n), Labels: labels(n) });
  const make = async (n: string, image: string, cmd: string[] | undefined, extra: Partial<Docker.ContainerCreateOptions> = {}, labelled = true) => {
    const c = await docker.createContainer({
      name: name(n), Image: image, ...(cmd && { Cmd: cmd }), Hostname: n, Labels: labelled ? labels(n) : { 'drill.test': drillId },
      NetworkingConfig: { EndpointsConfig: { [name('lan')]: { Aliases: [n] } } }, ...extra,
    });
    await c.start();
  };
  await Promise.all([
    make('app', 'drill/site:latest', ['sleep', 'infinity'], { HostConfig: { Tmpfs: { '/fill': 'size=32m' } } }),
    make('peer', 'drill/netem:latest', ['sleep', 'infinity']),
    make('db', 'drill/site:latest', ['pg-serve'], { Env: ['ROLE=primary'] }),
    make('cache', 'drill/site:latest', ['redis-serve']),
    make('outsider', 'drill/netem:latest', ['sleep', 'infinity'], {}, false),
  ]);
  for (let i = 0; i < 100 && sh('db', 'pg_isready -q -h /var/run/postgresql').code !== 0; i++) await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 100 && sh('cache', 'redis-cli ping').out.trim() !== 'PONG'; i++) await new Promise((r) => setTimeout(r, 200));
});

afterAll(async () => {
  const mine = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${drillId}`] } });
  const outsider = await docker.listContainers({ all: true, filters: { label: [`drill.test=${drillId}`] } });
  await Promise.all([...mine, ...outsider].map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  for (const n of ['lan', 'other']) await docker.getNetwork(name(n)).remove().catch(() => undefined);
});

describe('refusals and faults that cannot take effect', () => {
  it('refuses a container without the drill label and leaves it alone', async () => {
    for (const f of [{ type: 'pause' }, { type: 'latency', delayMs: 100 }, { type: 'kill' }] as F[]) {
      const e = await failureOf(inject({ ...f, target: 'outsider' }));
      expect(e.type).toBe('Unlabelled');
    }
    expect((await failureOf(heal({ type: 'stop', target: 'outsider' }, `${drillId}.x.outsider`))).type).toBe('Unlabelled');
    const i = await info('outsider');
    expect(i.State.Running && !i.State.Paused).toBe(true);
    expect(i.RestartCount).toBe(0);
    expect((await docker.listContainers({ all: true, filters: { label: [`drill.fault.target=outsider`] } })).length).toBe(0);
  });

  it('fails with NoEffect when the fault cannot act: no interface on the network, level below use, no such process', async () => {
    const e1 = await failureOf(inject({ type: 'loss', packets: 50, network: 'other' }));
    expect(e1.type).toBe('NoEffect');
    expect(e1.message).toMatch(/not attached to network other/);
    const e2 = await failureOf(inject({ type: 'kill-process', process: 'no-such-proc' }));
    expect(e2.type).toBe('NoEffect');
    const e3 = await failureOf(inject({ type: 'delete-file', path: '/no/such/file' }));
    expect(e3.type).toBe('NoEffect');
    const e4 = await failureOf(inject({ type: 'drop-table', table: 'no_such_table', target: 'db' }));
    expect(e4.type).toBe('NoEffect');
  });

  it('heals faults that were never injected, saying so', async () => {
    for (const f of [{ type: 'latency', delayMs: 50 }, { type: 'pause' }, { type: 'kill' }, { type: 'cpu' }, { type: 'disk-fill', path: '/fill', level: 50 }, { type: 'partition', network: 'lan' }] as F[]) {
      const h = await heal(f, `${drillId}.never.${f.type}`);
      expect(h.evidence).toMatch(/not in place|already running/);
    }
    expect((await info('app')).NetworkSettings.Networks[name('lan')]).toBeTruthy();
  });

  it('refuses clock-skew honestly: the kernel cannot skew one container, and the host clock is untouched', async () => {
    const before = Date.now();
    const e = await failureOf(inject({ type: 'clock-skew', skewMs: 3_600_000 }));
    expect(e.type).toBe('Unsupported');
    expect(e.message).toMatch(/CLOCK_REALTIME.*date -s.*libfaketime.*VM/s);
    expect(Math.abs(Date.now() - before)).toBeLessThan(30_000);
    expect(Number(sh('app', 'date +%s').out) * 1000).toBeGreaterThan(before - 5000);
    expect((await heal({ type: 'clock-skew', skewMs: 3_600_000 }, `${drillId}.clock`)).evidence).toMatch(/nothing to heal/);
  });
});

describe('network faults (sidecar in the target netns)', () => {
  it('latency: measured from the peer, and a retry finds it in place', async () => {
    const base = pingApp(5, 0.1).median!;
    const key = `${drillId}.lat.app`;
    const f: F = { type: 'latency', delayMs: 200, jitterMs: 20, network: 'lan' };
    const e = await inject(f, key);
    try {
      expect(e.evidence).toMatch(/^rtt to (cache|db|peer) \d+\.\d+ms → \d+\.\dms \(asked 200ms ±20ms\)/);
      const side = await docker.getContainer(name('fault-lat.app')).inspect();
      expect(side.Config.Labels[RUN_LABEL]).toBe(drillId);
      expect(side.HostConfig.NetworkMode).toBe(`container:${(await info('app')).Id}`);
      expect(side.HostConfig.CapAdd).toContain('NET_ADMIN');
      expect(pingApp(5, 0.1).median! - base).toBeGreaterThan(140);
      const again = await inject(f, key);
      expect(again.effectAt).toBe(e.effectAt);
    } finally {
      const h = await heal(f, key);
      expect(h.evidence).toMatch(/back to/);
    }
    expect(pingApp(5, 0.1).median!).toBeLessThan(base + 20);
    await expect(docker.getContainer(name('fault-lat.app')).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('loss, corrupt and duplicate: a ping burst shows them, and not after the heal', async () => {
    await cycle({ type: 'loss', packets: 40 }, async (e) => {
      expect(e.evidence).toMatch(/% lost \(asked 40%\)/);
      expect(pingApp(100).received).toBeLessThan(90);
    }, async () => { expect(pingApp(50).received).toBeGreaterThanOrEqual(48); });
    await cycle({ type: 'corrupt', packets: 40 }, async (e) => {
      expect(e.evidence).toMatch(/corrupted/);
      expect(pingApp(100).received).toBeLessThan(90);
    }, async () => { expect(pingApp(50).received).toBeGreaterThanOrEqual(48); });
    await cycle({ type: 'duplicate', packets: 50 }, async (e) => {
      expect(e.evidence).toMatch(/duplicate replies/);
      expect(pingApp(100).dups).toBeGreaterThan(10);
    }, async () => { expect(pingApp(50).dups).toBe(0); });
  });

  it('bandwidth: tbf slows a large reply, and the heal removes it', async () => {
    const base = pingApp(3, 0.2, 8000).median!;
    await cycle({ type: 'bandwidth', rate: '1mbit', network: 'lan', peer: 'peer' }, async (e) => {
      expect(e.evidence).toMatch(/tbf 1mbit on eth0; a 1 s UDP burst to peer went out at [\d.]+(k|m)bit\/s/);
      expect(pingApp(3, 0.2, 8000).median!).toBeGreaterThan(base + 20);
    }, async (h) => {
      expect(h.evidence).toMatch(/tbf removed/);
      expect(pingApp(3, 0.2, 8000).median!).toBeLessThan(base + 10);
    });
  });

  it('partition-pair: the peer is cut both ways, and reachable again after the heal', async () => {
    await cycle({ type: 'partition-pair', peer: 'peer' }, async (e) => {
      expect(e.evidence).toMatch(/→ 0% answered/);
      expect(pingApp(3, 0.2).received).toBe(0);
      expect(sh('app', 'python3 -c "import socket; socket.create_connection((\'peer\', 9), timeout=1)"').out).toMatch(/timed out/);
    }, async () => { expect(pingApp(3, 0.2).received).toBe(3); });
  });

  it('dns: names stop resolving in the target, and resolve again after the heal', async () => {
    expect(sh('app', 'getent hosts peer').code).toBe(0);
    await cycle({ type: 'dns', peer: 'peer' }, async (e) => {
      expect(e.evidence).toMatch(/→ fails/);
      expect(sh('app', 'getent hosts peer').code).not.toBe(0);
    }, async (h) => {
      expect(h.evidence).toMatch(/resolves again/);
      expect(sh('app', 'getent hosts peer').code).toBe(0);
    });
  });

  it('two faults on one interface: a cut still bites under a shaper; a second shaper is reported, not faked', async () => {
    const lat: F = { type: 'latency', delayMs: 100 };
    const key = `${drillId}.stack.app`;
    await inject(lat, key);
    try {
      await cycle({ type: 'partition-pair', peer: 'peer' }, async () => {
        expect(pingApp(3, 0.2).received).toBe(0);
      }, async () => { expect(pingApp(3, 0.2).received).toBe(3); });
      const second = await failureOf(inject({ type: 'duplicate', packets: 50 }));
      expect(second.type).toBe('NoEffect');
      expect(second.message).toMatch(/do not stack/);
    } finally {
      await heal(lat, key);
    }
    expect(pingApp(5, 0.1).median!).toBeLessThan(20);
  });

  it('partition: disconnected from the network, reconnected under its name', async () => {
    await cycle({ type: 'partition', network: 'lan' }, async (e) => {
      expect(e.evidence).toMatch(/^disconnected from lan; ping (cache|db|peer) 2\/2 → 0\/2$/);
      expect((await info('app')).NetworkSettings.Networks[name('lan')]).toBeUndefined();
      expect(sh('peer', 'getent hosts app').code).not.toBe(0);
    }, async (h) => {
      expect(h.evidence).toMatch(/reconnected to lan as "app"/);
      expect((await info('app')).NetworkSettings.Networks[name('lan')]?.Aliases).toContain('app');
      expect(pingApp(3, 0.2).received).toBe(3);
    });
  });
});

describe('resource faults', () => {
  it('disk-fill: df shows the level, a lower level fails NoEffect, the heal frees it', async () => {
    const key = `${drillId}.fill.app`;
    const e = await inject({ type: 'disk-fill', path: '/fill', level: 80 }, key);
    expect(e.evidence).toMatch(/df \/fill: 0% → 8\d% used/);
    expect(Number(sh('app', "df -P /fill | tail -1 | awk '{print $5}' | tr -d %").out)).toBeGreaterThanOrEqual(79);
    expect((await inject({ type: 'disk-fill', path: '/fill', level: 80 }, key)).evidence).toMatch(/→ 8\d% used/);
    const low = await failureOf(inject({ type: 'disk-fill', path: '/fill', level: 50 }));
    expect(low.type).toBe('NoEffect');
    expect(low.message).toMatch(/already 8\d% used/);
    await heal({ type: 'disk-fill', path: '/fill', level: 80 }, key);
    expect(Number(sh('app', "df -P /fill | tail -1 | awk '{print $5}' | tr -d %").out)).toBeLessThan(5);
  });

  it('cpu: docker stats shows a busy core, and the heal ends the workers', async () => {
    await cycle({ type: 'cpu', workers: 1 }, async (e) => {
      expect(e.evidence).toMatch(/% of a core \(asked 1 busy worker/);
      expect(await cpuPct('app')).toBeGreaterThan(40);
    }, async (h) => {
      expect(h.evidence).toMatch(/killed 1 busy worker/);
      expect(await cpuPct('app')).toBeLessThan(20);
    });
  });

  it('memory: docker stats shows the megabytes held, and the heal frees them', async () => {
    const base = await memMB('app');
    await cycle({ type: 'memory', megabytes: 64 }, async (e) => {
      expect(e.evidence).toMatch(/MB \(asked 64MB held\)/);
      expect(await memMB('app')).toBeGreaterThan(base + 45);
    }, async () => { expect(await memMB('app')).toBeLessThan(base + 20); });
  });
});

describe('data faults (not healed: the heal says the damage stays)', () => {
  it('corrupt-file and delete-file', async () => {
    sh('app', 'mkdir -p /srv/d && head -c 8192 /dev/urandom > /srv/d/data.bin && echo hi > /srv/d/gone.txt', { ok: true });
    const sum = sh('app', 'sha256sum < /srv/d/data.bin').out;
    await cycle({ type: 'corrupt-file', path: '/srv/d/data.bin' }, async (e) => {
      expect(e.evidence).toMatch(/512 random bytes/);
      expect(sh('app', 'sha256sum < /srv/d/data.bin').out).not.toBe(sum);
      expect(sh('app', 'wc -c < /srv/d/data.bin').out.trim()).toBe('8192');
    }, async (h) => { expect(h.evidence).toMatch(/stays corrupted; recovering it is the drill's job/); });
    await cycle({ type: 'delete-file', path: '/srv/d/gone.txt' }, async () => {
      expect(sh('app', 'test -e /srv/d/gone.txt').code).not.toBe(0);
    }, async (h) => { expect(h.evidence).toMatch(/stays deleted/); });
  });

  it('drop-table and flush-keyspace', async () => {
    sh('db', "psql -X -q -U postgres -c 'CREATE TABLE victim(id int); INSERT INTO victim SELECT generate_series(1, 10)'", { ok: true });
    await cycle({ type: 'drop-table', table: 'victim', target: 'db' }, async (e) => {
      expect(e.evidence).toMatch(/to_regclass\('victim'\) is null \(it had 10 rows\)/);
      expect(sh('db', "psql -X -qAt -U postgres -c \"SELECT to_regclass('victim') IS NULL\"").out.trim()).toBe('t');
    }, async (h) => { expect(h.evidence).toMatch(/stays dropped/); });
    sh('cache', 'for i in 1 2 3 4 5; do redis-cli set k$i v >/dev/null; done', { ok: true });
    await cycle({ type: 'flush-keyspace', target: 'cache' }, async (e) => {
      expect(e.evidence).toBe('5 keys → DBSIZE 0');
      expect(sh('cache', 'redis-cli DBSIZE').out.trim()).toBe('0');
    }, async (h) => { expect(h.evidence).toMatch(/stays flushed/); });
  });
});

describe('process faults', () => {
  it('kill-process: the pid is gone, the container keeps running', async () => {
    sh('app', 'cp /bin/sleep /tmp/victim && (setsid /tmp/victim 1000 >/dev/null 2>&1 &)', { ok: true });
    const pid = sh('app', 'pgrep -x victim').out.trim();
    expect(pid).toMatch(/^\d+$/);
    await cycle({ type: 'kill-process', process: 'victim' }, async (e) => {
      expect(e.evidence).toBe(`victim pid(s) ${pid} gone after SIGKILL`);
      expect(sh('app', 'pgrep -x victim').code).not.toBe(0);
      expect((await info('app')).State.Running).toBe(true);
    }, async (h) => { expect(h.evidence).toMatch(/victim stays killed/); });
  });

  it('pause and unpause', async () => {
    await cycle({ type: 'pause' }, async (e) => {
      expect(e.evidence).toMatch(/paused; exec refused/);
      expect((await info('app')).State.Paused).toBe(true);
    }, async (h) => {
      expect(h.evidence).toMatch(/unpaused/);
      expect((await info('app')).State.Paused).toBe(false);
    });
  });

  it('stop and kill: not running at the engine\'s FinishedAt; the heal starts it again', async () => {
    for (const f of [{ type: 'stop' }, { type: 'kill', signal: 'SIGKILL' }] as F[]) {
      await cycle(f, async (e) => {
        const i = await info('app');
        expect(i.State.Running).toBe(false);
        expect(e.effectAt).toBe(Date.parse(i.State.FinishedAt));
      }, async (h) => {
        const i = await info('app');
        expect(i.State.Running).toBe(true);
        expect(h.healedAt).toBe(Date.parse(i.State.StartedAt));
      });
    }
  });

  it('restart: a new StartedAt, nothing to heal', async () => {
    const before = (await info('app')).State.StartedAt;
    await cycle({ type: 'restart' }, async (e) => {
      const i = await info('app');
      expect(i.State.StartedAt).not.toBe(before);
      expect(e.effectAt).toBe(Date.parse(i.State.StartedAt));
    }, async (h) => { expect(h.evidence).toMatch(/nothing to heal/); });
  });

  it('heals after the target, or the peer, is gone succeed', async () => {
    const key = `${drillId}.gone.peer`;
    const pairKey = `${drillId}.gone.app`;
    const pair: F = { type: 'partition-pair', peer: 'peer' };
    await inject({ type: 'latency', delayMs: 50, target: 'peer' }, key);
    await inject(pair, pairKey);
    await docker.getContainer(name('peer')).remove({ force: true });
    const h = await heal({ type: 'latency', delayMs: 50, target: 'peer' }, key);
    expect(h.evidence).toMatch(/no longer exists/);
    await expect(docker.getContainer(name('fault-gone.peer')).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const hp = await heal(pair, pairKey);
    expect(hp.evidence).toMatch(/removed 2 rule\(s\)\/qdisc\(s\); not measured: peer .* does not answer/);
    expect(sh('app', 'true').code).toBe(0);
  });
});
