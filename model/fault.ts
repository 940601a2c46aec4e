// The fault library's vocabulary: what a plan can break, and the resolved form an activity injects
// and heals. Faults act on containers of the drill (or on targets the scenario lists explicitly);
// every one verifies that it took effect, and every one that can be undone is healed by the workflow.
import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';

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
const duration = z.string().regex(new RegExp(DURATION_PATTERN), { error: 'write a duration with a unit, e.g. 200ms, 5s, 2m' });
const percent = z.number().min(0).max(100);

/** Which containers a fault hits: one by name, a whole site, or a seeded choice among labelled ones. */
export const selectorSchema = z.strictObject({
  target: name.optional(),
  site: name.optional(),
  /** containers of the topology carrying all these labels (`labels` in the topology) */
  labels: z.record(z.string(), z.string()).optional(),
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
  delay: duration.optional(),
  jitter: duration.optional(),
  /** loss, corrupt, duplicate: the share of packets affected, in percent */
  packets: percent.optional(),
  /** bandwidth: e.g. 1mbit, 512kbit */
  rate: z.string().regex(/^\d+(kbit|mbit|gbit)$/, 'a rate like 512kbit, 10mbit').optional(),
  /** disk-fill: the mount path inside the target to fill, and to what share of the filesystem */
  path: z.string().startsWith('/').optional(),
  level: percent.optional(),
  /** cpu: busy workers; memory: megabytes held */
  workers: z.number().int().min(1).max(64).optional(),
  megabytes: z.number().int().min(1).optional(),
  /** drop-table: the table and database (PostgreSQL in the target) */
  table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/).optional(),
  database: z.string().min(1).optional(),
  /** clock-skew: how far to move the target's clock */
  skew: z.string().regex(new RegExp(DURATION_PATTERN.replace('^', '^-?'))).optional(),
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
