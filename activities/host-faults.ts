// Faults acted out inside the target with exec: resources (disk, CPU, memory) and data (a file, a
// table, a keyspace), plus kill-process. Each checks what is in place first, so a retry after a crash
// only verifies: resource workers carry a tag in their command line and are counted before any is
// started; destructive ones leave a marker in the target (/tmp/.drill-faults) before they act,
// recording what was there, and a retry that finds it verifies instead of destroying again.
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import type Docker from 'dockerode';
import type { FaultEffect, FaultHeal, FaultSpec } from '../model/fault.js';
import type { Target } from './containers.js';
import { cpuPercent, mb, noEffect, run, sh, sleep, usage, waitFor } from './fault-kit.js';

const MARKS = '/tmp/.drill-faults';
type Ctx = { docker: Docker; t: Target; f: FaultSpec; tag: string };
const marker = (c: Ctx) => `${MARKS}/${c.tag}`;

// ---- disk-fill ------------------------------------------------------------------------------------

/** The most a disk-fill writes (2 GiB): more means a filesystem shared with the host. */
const MAX_FILL_K = 2 * 1024 * 1024;

type Df = { usedK: number; availK: number; pct: number; fileK: number };

async function df(c: Ctx, file: string): Promise<Df> {
  const out = await sh(c.docker, c.t.container, 'df -Pk "$1" | tail -n 1; [ -e "$2" ] && du -k "$2" | cut -f1 || echo 0', [c.f.path!, file]);
  const [line, fileLine] = out.trim().split('\n');
  const cols = (line ?? '').trim().split(/\s+/);
  const usedK = Number(cols[2]);
  const availK = Number(cols[3]);
  if (!Number.isFinite(usedK) || !Number.isFinite(availK)) throw noEffect(c.f, `df ${c.f.path} printed "${line}"`);
  return { usedK, availK, pct: (usedK / (usedK + availK)) * 100, fileK: Number(fileLine) || 0 };
}

const fillFile = (c: Ctx) => `${c.f.path!.replace(/\/$/, '')}/.drill-fill-${c.tag}`;
const pct = (x: number) => `${x.toFixed(0)}%`;

export async function diskFill(c: Ctx): Promise<FaultEffect> {
  const file = fillFile(c);
  const level = c.f.level!;
  const before = await df(c, file);
  const withoutK = before.usedK - before.fileK;
  const wantK = Math.ceil((level / 100) * (before.usedK + before.availK) - withoutK);
  if (wantK <= 0) throw noEffect(c.f, `${c.f.path} is already ${pct(before.pct)} used, above the asked ${level}%`);
  // A volume with no size of its own lives on the engine's disk: filling it fills the disk under every
  // container, the host and the orchestrator's own database. Only a bounded fill is made.
  if (wantK > MAX_FILL_K) {
    throw ApplicationFailure.nonRetryable(`disk-fill of ${c.f.path} to ${level}% would write ${mb(wantK * 1024)}: that filesystem is the engine's own disk (or too large to fill safely); give the path a filesystem of its own size (a tmpfs mount) to fill it`, ErrorType.TooLarge);
  }
  if (wantK > before.fileK) {
    const r = await run(c.docker, c.t.container, ['sh', '-c', 'fallocate -l "$2"KiB "$1" 2>/dev/null || dd if=/dev/zero of="$1" bs=1024 count="$2" 2>&1', 'fill', file, String(wantK)], { timeoutMs: 170_000 });
    if (r.code !== 0 && !/No space left/i.test(r.out + r.err)) throw new Error(`filling ${file}: ${(r.out + r.err).trim()}`);
  }
  const after = await df(c, file);
  const evidence = `df ${c.f.path}: ${pct((withoutK / (before.usedK + before.availK)) * 100)} → ${pct(after.pct)} used with ${file} (${mb(after.fileK * 1024)}; asked ${level}%)`;
  if (after.pct < level - 1) throw noEffect(c.f, evidence);
  return { effectAt: Date.now(), evidence };
}

export async function healDiskFill(c: Ctx): Promise<FaultHeal> {
  const file = fillFile(c);
  const before = await df(c, file);
  const existed = (await run(c.docker, c.t.container, ['test', '-e', file])).code === 0;
  if (!existed) return { healedAt: Date.now(), evidence: `not in place: no ${file}; ${c.f.path} is ${pct(before.pct)} used` };
  await sh(c.docker, c.t.container, 'rm -f "$1"', [file]);
  const after = await df(c, file);
  if ((await run(c.docker, c.t.container, ['test', '-e', file])).code === 0) throw new Error(`disk-fill heal: ${file} is still there`);
  return { healedAt: Date.now(), evidence: `removed ${file}; df ${c.f.path}: ${pct(before.pct)} → ${pct(after.pct)} used` };
}

// ---- cpu and memory: tagged process groups in the target -------------------------------------------

// The tag is passed in two words and joined in the script, so the script's own command line never matches it.
const FIND = 'T="$1-$2"; for p in /proc/[0-9]*; do c=$(tr "\\000" " " < "$p/cmdline" 2>/dev/null) || continue; case "$c" in *"$T"*) echo "${p#/proc/}";; esac; done';

async function tagged(c: Ctx, kind: string): Promise<number[]> {
  const out = await sh(c.docker, c.t.container, FIND, [`drill-${kind}`, c.tag]);
  return out.split(/\s+/).filter(Boolean).map(Number);
}

async function startTagged(c: Ctx, kind: string, body: string, count: number): Promise<void> {
  const script = 'n=$1; shift; i=0; while [ $i -lt $n ]; do setsid sh -c "$1" "$2" </dev/null >/dev/null 2>&1 & i=$((i+1)); done';
  await sh(c.docker, c.t.container, script, [String(count), body, `drill-${kind}-${c.tag}`]);
}

/** Kills the tagged process groups (their leaders' sessions: the loops and what they started). */
async function killTagged(c: Ctx, kind: string): Promise<number> {
  const pids = await tagged(c, kind);
  if (pids.length) await run(c.docker, c.t.container, ['sh', '-c', 'for p in "$@"; do kill -9 "-$p" 2>/dev/null || kill -9 "$p" 2>/dev/null; done', 'kill', ...pids.map(String)]);
  const left = await waitFor(5000, async () => ((await tagged(c, kind)).length === 0 ? true : undefined));
  if (!left) throw new Error(`${kind} heal: tagged processes of ${c.tag} survive kill -9`);
  return pids.length;
}

export async function cpu(c: Ctx): Promise<FaultEffect> {
  const workers = c.f.workers ?? 1;
  const running = (await tagged(c, 'cpu')).length;
  const before = running === 0 ? await cpuPercent(c.t.container) : null;
  if (running < workers) await startTagged(c, 'cpu', 'while :; do :; done', workers - running);
  const effectAt = Date.now();
  const stats = (await c.t.container.stats({ stream: false, 'one-shot': true } as never)) as unknown as { cpu_stats: { online_cpus?: number } };
  const quota = c.t.info.HostConfig.NanoCpus ? c.t.info.HostConfig.NanoCpus / 1e9 : Infinity;
  const cores = Math.min(workers, stats.cpu_stats.online_cpus ?? workers, quota);
  const after = await cpuPercent(c.t.container, 1000);
  const evidence = `cpu of ${c.f.target} ${before === null ? '(workers already running)' : `${before.toFixed(0)}%`} → ${after.toFixed(0)}% of a core (asked ${workers} busy worker(s), ${(await tagged(c, 'cpu')).length} running)`;
  if (after < 40 * cores) throw noEffect(c.f, evidence);
  return { effectAt, evidence };
}

export async function healCpu(c: Ctx): Promise<FaultHeal> {
  const killed = await killTagged(c, 'cpu');
  if (killed === 0) return { healedAt: Date.now(), evidence: `not in place: no busy worker of this fault in ${c.f.target}` };
  const healedAt = Date.now();
  return { healedAt, evidence: `killed ${killed} busy worker(s); cpu of ${c.f.target} now ${(await cpuPercent(c.t.container)).toFixed(0)}% of a core` };
}

export async function memory(c: Ctx): Promise<FaultEffect> {
  const want = c.f.megabytes! * 1048576;
  const running = (await tagged(c, 'mem')).length > 0;
  const base = (await usage(c.t.container)).memBytes;
  if (!running) await startTagged(c, 'mem', `{ head -c ${want} /dev/zero; while :; do sleep 3600; done; } | tail`, 1);
  const held = await waitFor(30_000, async () => {
    const u = (await usage(c.t.container)).memBytes;
    return running || u - base >= 0.7 * want ? u : undefined;
  }, 250);
  const now = (await usage(c.t.container)).memBytes;
  const evidence = `memory of ${c.f.target} ${running ? '(already held)' : mb(base)} → ${mb(now)} (asked ${c.f.megabytes}MB held)`;
  if (held === undefined || (await tagged(c, 'mem')).length === 0) throw noEffect(c.f, `${evidence}${(await tagged(c, 'mem')).length ? '' : '; the holder is gone (out of memory?)'}`);
  return { effectAt: Date.now(), evidence };
}

export async function healMemory(c: Ctx): Promise<FaultHeal> {
  const before = (await usage(c.t.container)).memBytes;
  const killed = await killTagged(c, 'mem');
  if (killed === 0) return { healedAt: Date.now(), evidence: `not in place: no memory holder of this fault in ${c.f.target}` };
  await sleep(300);
  return { healedAt: Date.now(), evidence: `killed the holder; memory of ${c.f.target} ${mb(before)} → ${mb((await usage(c.t.container)).memBytes)}` };
}

// ---- kill-process and data: markers record what was there before it was destroyed ---------------

/**
 * The marker of this fault in the target: written once, by `script` (the marker is $1, args $2...),
 * before anything is destroyed; what it printed, or '' when it printed nothing (nothing to destroy).
 */
async function once(c: Ctx, script: string, args: string[]): Promise<string> {
  const wrapped = `m="$1"; mkdir -p "$(dirname "$m")"; if [ ! -s "$m" ]; then ( ${script} ) > "$m.tmp" || exit $?; [ -s "$m.tmp" ] && mv "$m.tmp" "$m"; rm -f "$m.tmp"; fi; cat "$m" 2>/dev/null; exit 0`;
  return (await sh(c.docker, c.t.container, wrapped, [marker(c), ...args])).trim();
}

export async function killProcess(c: Ctx): Promise<FaultEffect> {
  const sig = (c.f.signal ?? 'SIGKILL').replace(/^SIG/, '');
  const find = 'for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = "$2" ] && echo "${p#/proc/}"; done';
  const pids = await once(c, `${find} | tr "\\n" " "`, [c.f.process!]);
  if (!pids) throw noEffect(c.f, `no process named ${c.f.process} runs in ${c.f.target}`);
  // Only the recorded pids, and only while they still are that process: a retry kills nothing new.
  const kill = 'n="$1"; s="$2"; shift 2; for p in "$@"; do [ "$(cat /proc/$p/comm 2>/dev/null)" = "$n" ] && kill -s "$s" "$p"; done; true';
  const r = await run(c.docker, c.t.container, ['sh', '-c', kill, 'kill', c.f.process!, sig, ...pids.split(/\s+/)]).catch(() => null);
  if (r && r.code !== 0) throw new Error(`kill -s ${sig} ${pids}: ${r.err.trim()}`);
  const alive = 'for p in "$@"; do s=$(cat /proc/$p/stat 2>/dev/null) || continue; case "${s##*) }" in Z*|X*) ;; *) echo $p;; esac; done';
  const gone = await waitFor(5000, async () => {
    // Killing the container's main process takes the container down with it.
    const i = await c.t.container.inspect();
    if (!i.State.Running) return { at: Date.parse(i.State.FinishedAt), how: `killed; ${c.f.target} exited with it (code ${i.State.ExitCode})` };
    const a = await run(c.docker, c.t.container, ['sh', '-c', alive, 'alive', ...pids.split(/\s+/)]).catch(() => null);
    return a && a.code === 0 && a.out.trim() === '' ? { at: Date.now(), how: 'gone' } : undefined;
  });
  if (!gone) throw noEffect(c.f, `pid(s) ${pids} of ${c.f.process} still alive after SIG${sig}`);
  return { effectAt: gone.at, evidence: `${c.f.process} pid(s) ${pids} ${gone.how} after SIG${sig}` };
}

const sha = (c: Ctx, path: string) => sh(c.docker, c.t.container, 'sha256sum < "$1" | cut -c1-16', [path]).then((s) => s.trim());

export async function corruptFile(c: Ctx): Promise<FaultEffect> {
  const p = c.f.path!;
  if ((await run(c.docker, c.t.container, ['test', '-f', p])).code !== 0) throw noEffect(c.f, `${p} is not a file in ${c.f.target}`);
  const rec = await once(c, 'size=$(wc -c < "$2"); [ "$size" -gt 0 ] || exit 0; n=512; [ "$size" -lt $n ] && n=$size; echo "$(sha256sum < "$2" | cut -c1-16) $n $(( (size - n) / 2 ))"', [p]);
  if (!rec) throw noEffect(c.f, `${p} is empty`);
  const [orig, n, off] = rec.split(' ');
  // Only while the file still has its recorded checksum: a retry finds it corrupted and only verifies.
  if ((await sha(c, p)) === orig) await sh(c.docker, c.t.container, 'dd if=/dev/urandom of="$1" bs=1 count="$2" seek="$3" conv=notrunc 2>/dev/null', [p, n!, off!]);
  const now = await sha(c, p);
  const evidence = `sha256 of ${p} ${orig}… → ${now}… (${n} random bytes at offset ${off})`;
  if (now === orig) throw noEffect(c.f, evidence);
  return { effectAt: Date.now(), evidence };
}

export async function deleteFile(c: Ctx): Promise<FaultEffect> {
  const p = c.f.path!;
  const rec = await once(c, '[ -e "$2" ] || [ -L "$2" ] || exit 0; ls -ld "$2" | cut -c1-160', [p]);
  if (!rec) throw noEffect(c.f, `${p} does not exist in ${c.f.target}`);
  await sh(c.docker, c.t.container, 'rm -rf -- "$1"', [p]);
  if ((await run(c.docker, c.t.container, ['sh', '-c', '[ -e "$1" ] || [ -L "$1" ]', 'x', p])).code === 0) throw noEffect(c.f, `${p} is still there after rm`);
  return { effectAt: Date.now(), evidence: `${p} gone (was: ${rec.replace(/\s+/g, ' ')})` };
}

async function psql(c: Ctx, sql: string): Promise<string> {
  const r = await run(c.docker, c.t.container, ['psql', '-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', c.f.database ?? 'postgres', '-c', sql]);
  if (r.code !== 0) throw noEffect(c.f, `psql: ${(r.err || r.out).trim().split('\n')[0]}`);
  return r.out.trim();
}

export async function dropTable(c: Ctx): Promise<FaultEffect> {
  const table = c.f.table!;
  const exists = async () => (await psql(c, `SELECT to_regclass('${table}') IS NOT NULL`)) === 't';
  const rec = await once(c, '[ "$2" = true ] || exit 0; echo "$3"', [String(await exists()), 'table existed']);
  if (!rec) throw noEffect(c.f, `table ${table} does not exist in ${c.f.database ?? 'postgres'}`);
  const rows = (await exists()) ? await psql(c, `SELECT count(*) FROM ${table}`) : null;
  if (rows !== null) await psql(c, `DROP TABLE ${table}`);
  if (await exists()) throw noEffect(c.f, `to_regclass('${table}') is still set after DROP TABLE`);
  return { effectAt: Date.now(), evidence: `to_regclass('${table}') is null${rows !== null ? ` (it had ${rows} rows)` : ''}` };
}

async function redisKeys(c: Ctx): Promise<number> {
  const r = await run(c.docker, c.t.container, ['redis-cli', 'INFO', 'keyspace']);
  if (r.code !== 0) throw noEffect(c.f, `redis-cli: ${(r.err || r.out).trim()}`);
  return [...r.out.matchAll(/keys=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

export async function flushKeyspace(c: Ctx): Promise<FaultEffect> {
  const before = await redisKeys(c);
  const rec = await once(c, '[ "$2" -gt 0 ] || exit 0; echo "$2"', [String(before)]);
  if (!rec) throw noEffect(c.f, `the keyspace of ${c.f.target} is already empty`);
  const r = await run(c.docker, c.t.container, ['redis-cli', 'FLUSHALL']);
  if (r.code !== 0 || !/OK/.test(r.out)) throw noEffect(c.f, `FLUSHALL answered ${(r.out || r.err).trim()}`);
  const size = (await run(c.docker, c.t.container, ['redis-cli', 'DBSIZE'])).out.trim();
  const after = await redisKeys(c);
  if (after !== 0 || size !== '0') throw noEffect(c.f, `DBSIZE ${size}, ${after} keys after FLUSHALL`);
  return { effectAt: Date.now(), evidence: `${rec} keys → DBSIZE 0` };
}

/** A data fault's heal: nothing to undo (recovering is the drill's work); the marker goes. */
export async function healDamage(c: Ctx): Promise<FaultHeal> {
  if (c.t.info.State.Running && !c.t.info.State.Paused) await run(c.docker, c.t.container, ['rm', '-f', marker(c)]);
  const what = c.f.type === 'kill-process' ? `${c.f.process} stays killed` : c.f.type === 'drop-table' ? `table ${c.f.table} stays dropped` : c.f.type === 'flush-keyspace' ? 'the keyspace stays flushed' : `${c.f.path} stays ${c.f.type === 'delete-file' ? 'deleted' : 'corrupted'}`;
  return { healedAt: Date.now(), evidence: `${c.f.type} is not healed: ${what}; recovering it is the drill's job` };
}

export type HostCtx = Ctx;
