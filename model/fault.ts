// The fault library's vocabulary: what a plan can break, and the resolved form an activity injects
// and heals. Faults act on containers of the drill (or on targets the scenario lists explicitly);
// every one verifies that it took effect, and every one that can be undone is healed by the workflow.
import { z } from 'zod';
import { durationSchema, PAUSE, TIMER } from './duration.js';
import { topologyIndex } from './topology-index.js';
import { diskFillProblems } from './disk-fill.js';

export const FAULT_TYPES = [
  // process
  'kill', 'stop', 'restart', 'pause', 'kill-process',
  // network
  'partition', 'partition-pair', 'latency', 'loss', 'corrupt', 'duplicate', 'bandwidth', 'dns',
  // resources
  'disk-fill', 'cpu', 'memory',
  // data
  'corrupt-file', 'delete-file', 'drop-table', 'flush-keyspace',
  // clock
  'clock-skew',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/** Faults whose damage stays after the fault ends: recovering from them is the drill's work, not a heal. */
export const UNHEALABLE: ReadonlySet<FaultType> = new Set(['kill-process', 'corrupt-file', 'delete-file', 'drop-table', 'flush-keyspace']);

const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');
/** Label keys as the topology writes them: a prototype name (`__proto__`) would select every container. */
export const LABEL_KEY = /^[a-z0-9][a-z0-9.-]*$/;
const percent = z.number().min(0).max(100);

/** Which containers a fault hits: one by name, a whole site, or a seeded choice among labelled ones. */
export const selectorSchema = z.strictObject({
  target: name.optional(),
  site: name.optional(),
  /** containers of the topology carrying all these labels (`labels` in the topology) */
  labels: z.record(z.string().regex(LABEL_KEY, 'a label key: lower-case letters, digits, dots and dashes'), z.string()).optional(),
  /** with labels or site: pick this many at random (the drill's seed makes the choice reproducible) */
  random: z.number().int().min(1).optional(),
  /** ... or this share of them, rounded up */
  percent: z.number().gt(0).max(100).optional(),
});

export const faultSchema = z.strictObject({
  type: z.enum(FAULT_TYPES, { error: `fault type must be one of: ${FAULT_TYPES.join(', ')}` }),
  ...selectorSchema.shape,
  /** kill: the signal (default SIGKILL); kill-process: the signal sent to the process */
  signal: z.string().regex(/^(SIG)?[A-Z0-9]+$/).optional(),
  /** kill-process: the process name (as pgrep -x matches it) */
  process: z.string().min(1).optional(),
  /** network faults: which of the target's networks (its interface there); default: every interface */
  network: name.optional(),
  /** partition-pair: the other side, a container of the topology */
  peer: name.optional(),
  /** latency */
  delay: durationSchema(TIMER).optional(),
  jitter: durationSchema(PAUSE).optional(),
  /** loss, corrupt, duplicate: the share of packets affected, in percent */
  packets: percent.optional(),
  /** bandwidth: e.g. 1mbit, 512kbit */
  rate: z.string().regex(/^\d+(kbit|mbit|gbit)$/, 'a rate like 512kbit, 10mbit').optional(),
  /** disk-fill: the mount path inside the target to fill, and to what share of the filesystem */
  path: z.string().startsWith('/').optional(),
  level: percent.optional(),
  /** cpu: busy workers; memory: megabytes held (containers share the host's memory: kept modest) */
  workers: z.number().int().min(1).max(64).optional(),
  megabytes: z.number().int().min(1).max(4096, 'at most 4096 MB: the drill\'s containers share the host\'s memory').optional(),
  /** drop-table: the table and database (PostgreSQL in the target) */
  table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/).optional(),
  database: z.string().min(1).optional(),
  /** clock-skew: how far to move the target's clock */
  skew: durationSchema(PAUSE, { signed: true }).optional(),
});
export type FaultInput = z.output<typeof faultSchema>;

/**
 * A fault resolved onto one container of the drill: what the activity injects, verifies and heals.
 * Plain JSON with milliseconds; everything an activity needs to heal it again after a crash is here.
 */
export type FaultSpec = {
  type: FaultType;
  /** the container's logical name in the topology */
  target: string;
  signal?: string;
  process?: string;
  network?: string;
  /** partition-pair: the peer's logical name */
  peer?: string;
  delayMs?: number;
  jitterMs?: number;
  /** loss, corrupt, duplicate: percent of packets */
  packets?: number;
  rate?: string;
  path?: string;
  level?: number;
  workers?: number;
  megabytes?: number;
  table?: string;
  database?: string;
  skewMs?: number;
};

/** What injecting a fault observed: when it took effect, and the measurement that proves it did. */
export type FaultEffect = { effectAt: number; evidence: string };
/** What healing observed: when the target was back, and how that was checked. */
export type FaultHeal = { healedAt: number; evidence: string };

/** A fault step's fault as the spec carries it: the selection still to resolve, durations in ms. */
export type FaultPlan = Omit<FaultSpec, 'target'> & { select: { target?: string; site?: string; labels?: Record<string, string>; random?: number; percent?: number } };

export function toFaultPlan(f: FaultInput, ms: (d: string) => number): FaultPlan {
  const { type, target, site, labels, random, percent, delay, jitter, skew, ...rest } = f;
  const params = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Omit<FaultSpec, 'type' | 'target'>;
  return {
    type, ...params,
    ...(delay !== undefined && { delayMs: ms(delay) }),
    ...(jitter !== undefined && { jitterMs: ms(jitter) }),
    ...(skew !== undefined && { skewMs: ms(skew) }),
    select: {
      ...(target !== undefined && { target }), ...(site !== undefined && { site }), ...(labels !== undefined && { labels }),
      ...(random !== undefined && { random }), ...(percent !== undefined && { percent }),
    },
  };
}

/** A small seeded generator (mulberry32): the same seed gives the same choices on every replay and dry run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Topology = { containers: Record<string, { site?: string; labels?: Record<string, string> }> };

/** The containers a selection names, before any random choice, in the topology's order. */
export function candidates(select: FaultPlan['select'], topology: Topology): string[] {
  if (select.target !== undefined) return [select.target];
  // A copy: `choose` shuffles it in place.
  return [...topologyIndex(topology).select(select.site, select.labels)];
}

/** How many of `n` candidates a selection takes: all, `random`, or `percent` rounded up. */
export function takeCount(select: FaultPlan['select'], n: number): number {
  if (select.random !== undefined) return Math.min(n, select.random);
  if (select.percent !== undefined) return Math.min(n, Math.ceil((n * select.percent) / 100));
  return n;
}

/**
 * The chosen containers: a seeded partial shuffle of the candidates, so the choice replays exactly.
 * The swaps are kept aside rather than made on a copy: choosing one of thousands costs one draw.
 */
export function choose(select: FaultPlan['select'], topology: Topology, random: () => number): string[] {
  const pool = select.target !== undefined ? [select.target] : topologyIndex(topology).select(select.site, select.labels);
  const k = takeCount(select, pool.length);
  if (k === pool.length) return [...pool];
  const swapped = new Map<number, string>();
  const at = (i: number) => swapped.get(i) ?? pool[i]!;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    const [a, b] = [at(i), at(j)];
    swapped.set(i, b);
    swapped.set(j, a);
  }
  return Array.from({ length: k }, (_, i) => at(i));
}

/** The activities that inject and heal faults (activities/faults.ts). */
export type FaultActivities = {
  injectFault(input: { drillId: string; key: string; fault: FaultSpec }): Promise<FaultEffect>;
  healFault(input: { drillId: string; key: string; fault: FaultSpec }): Promise<FaultHeal>;
};

/** A fault's own parameters, as a scenario names them (its selection aside). */
export type FaultParam = Exclude<keyof FaultInput, 'type' | keyof FaultPlan['select']>;

/**
 * What a fault needs besides its type and selection, by type, as a scenario names it: validation
 * refuses a plan without them, and the inject activity a resolved fault (under `specParam`'s names).
 */
export const REQUIRED_PARAMS: Partial<Record<FaultType, FaultParam[]>> = {
  'kill-process': ['process'], 'partition-pair': ['peer'], latency: ['delay'], loss: ['packets'], corrupt: ['packets'],
  duplicate: ['packets'], bandwidth: ['rate'], 'disk-fill': ['path', 'level'], memory: ['megabytes'],
  'corrupt-file': ['path'], 'delete-file': ['path'], 'drop-table': ['table'], 'clock-skew': ['skew'],
};

const IN_MS = { delay: 'delayMs', jitter: 'jitterMs', skew: 'skewMs' } as const;

/** A parameter's name in a FaultSpec: durations are resolved to milliseconds (toFaultPlan). */
export const specParam = (p: FaultParam): keyof FaultSpec => (p in IN_MS ? IN_MS[p as keyof typeof IN_MS] : (p as Exclude<FaultParam, keyof typeof IN_MS>));

type Finding = { path: (string | number)[]; message: string };
type FaultTopology = { networks: string[]; containers: Record<string, { site?: string | undefined; labels?: Record<string, string>; networks: string[]; volumes: Record<string, string>; tmpfs?: Record<string, string> }> };

/** A short list for a message: a topology of thousands of containers is not printed whole. */
export const listed = (names: readonly string[], max = 10) => (names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`);

const networkSets = new WeakMap<string[], Set<string>>();
const networkSet = (networks: string[]) => networkSets.get(networks) ?? networkSets.set(networks, new Set(networks)).get(networks)!;

/** Per selection (one array per selection, from the topology index): what a question about all its containers answered. */
const perSelection = new WeakMap<readonly string[], Map<string, string[]>>();
function onceFor(pool: readonly string[], question: string, answer: () => string[]): string[] {
  let answers = perSelection.get(pool);
  if (!answers) perSelection.set(pool, (answers = new Map()));
  let got = answers.get(question);
  if (!got) answers.set(question, (got = answer()));
  return got;
}

/** A library fault's references and parameters against the topology. */
export function faultFindings(f: FaultInput, topology: FaultTopology, path: (string | number)[]): Finding[] {
  const out: Finding[] = [];
  const index = topologyIndex(topology);
  const ways = [f.target, f.site, f.labels].filter((x) => x !== undefined).length;
  if (ways !== 1) out.push({ path, message: 'a fault selects its containers by exactly one of `target`, `site` or `labels`' });
  if (f.target !== undefined && !index.has(f.target)) {
    out.push({ path: [...path, 'target'], message: `no container "${f.target}" in the topology (have: ${listed(index.names)}); a container outside the drill is never touched` });
  }
  if (f.site !== undefined && index.select(f.site, undefined).length === 0) out.push({ path: [...path, 'site'], message: `no container of the topology is in site "${f.site}"` });
  const pool = f.target === undefined && ways === 1 ? index.select(f.site, f.labels) : [];
  if (f.labels !== undefined && pool.length === 0) out.push({ path: [...path, 'labels'], message: `no container of the topology carries ${Object.entries(f.labels).map(([k, v]) => `${k}=${v}`).join(', ')}` });
  if (f.random !== undefined && f.percent !== undefined) out.push({ path: [...path, 'random'], message: 'choose `random` or `percent`, not both' });
  if ((f.random !== undefined || f.percent !== undefined) && f.target !== undefined) out.push({ path: [...path, f.random !== undefined ? 'random' : 'percent'], message: 'a random choice needs a set to choose from: `site` or `labels`, not `target`' });
  for (const k of REQUIRED_PARAMS[f.type] ?? []) if (f[k] === undefined) out.push({ path: [...path, k], message: `a ${f.type} fault needs \`${k}\`` });
  if (f.peer !== undefined && !index.has(f.peer)) out.push({ path: [...path, 'peer'], message: `no container "${f.peer}" in the topology` });
  if (f.peer !== undefined && f.peer === f.target) out.push({ path: [...path, 'peer'], message: 'a partition between a container and itself cuts nothing: name another container' });
  if (f.type === 'clock-skew') {
    out.push({ path: [...path, 'type'], message: 'containers share the host kernel\'s wall clock (time namespaces do not cover it), so one container\'s clock cannot be skewed: build libfaketime into the image, or drill on a VM' });
  }
  const targets: readonly string[] = f.target !== undefined ? (index.has(f.target) ? [f.target] : []) : pool;
  if (f.type === 'disk-fill' && f.path !== undefined) {
    const fill = f.path;
    for (const message of onceFor(targets, `disk-fill\u0000${fill}\u0000${f.level}`, () => diskFillProblems(fill, f.level, targets, topology))) out.push({ path: [...path, 'path'], message });
  }
  if (f.network !== undefined) {
    const network = f.network;
    if (!networkSet(topology.networks).has(network)) out.push({ path: [...path, 'network'], message: `no network "${network}" in topology.networks` });
    else for (const n of onceFor(targets, `off\u0000${network}`, () => targets.filter((t) => !topology.containers[t]!.networks.includes(network)))) {
      out.push({ path: [...path, 'network'], message: `container "${n}" is not on network "${network}"` });
    }
  }
  return out;
}
