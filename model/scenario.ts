// Scenario format v1: what a plan owner writes. The zod schema is the single definition; the JSON
// Schema for editors (model/scenario.schema.json) is exported from it by `drill schema`.
import { z } from 'zod';
import { durationSchema, MAX_TIMER_MS, PAUSE, TARGET, TIMER } from './duration.js';
import { BREAKDOWN_CODE_LIST, BREAKDOWN_EFFECTS, type BreakdownCode } from './breakdown.js';
import { faultSchema } from './fault.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');
// Each duration field has its bounds (model/duration.ts): what the drill waits on stays within a timer.
const timer = durationSchema(TIMER);
const pause = durationSchema(PAUSE);
const target = durationSchema(TARGET);

export const PROBE_PROTOCOLS = ['redis', 'tcp', 'http'] as const;

export const endpointSchema = z.strictObject({
  container: name,
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(PROBE_PROTOCOLS).default('redis'),
  /**
   * http only. Availability: the path a healthy service answers 2xx on (default /health).
   * Ledger: the resource writes go to: PUT {path}/{seq}, read back with GET {path}/present?max=N.
   */
  path: z.string().startsWith('/').optional(),
});

const containerSchema = z.strictObject({
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).default({}),
  networks: z.array(name).default([]),
  /** volume name → mount path */
  volumes: z.record(name, z.string().startsWith('/')).default({}),
  /** in-memory filesystems of a set size (mount path → size, e.g. 64m): what a disk-fill fault can fill safely */
  tmpfs: z.record(z.string().startsWith('/'), z.string().regex(/^\d+[kmg]$/, 'a size like 64m, 512k, 1g')).default({}),
  /** container ports published on 127.0.0.1, so the host reaches them the same way on any engine */
  ports: z.array(z.number().int().min(1).max(65535)).default([]),
  /** false: created with the topology but started by a step (e.g. the restore target) */
  start: z.boolean().default(true),
  /** the site the container belongs to (e.g. a, b): a Docker action may then act on the whole site at once */
  site: name.optional(),
  /** labels a fault can select containers by (e.g. role: db); set as Docker labels too */
  labels: z.record(z.string().regex(/^[a-z0-9][a-z0-9.-]*$/), z.string()).default({}),
  /**
   * An SSH host of the drill (an ops bastion): the drill authorizes its own key on it (env
   * AUTHORIZED_KEYS) and pins the host key it finds when the topology is built. Publish `port`.
   */
  ssh: z.strictObject({ user: z.string().min(1), port: z.number().int().min(1).max(65535).default(22) }).optional(),
});

/** An SSH host outside the topology, listed explicitly: its host key is declared, never learned. */
const externalHostSchema = z.strictObject({
  address: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1),
  /** the pinned host key: an OpenSSH public key line (`ssh-ed25519 AAAA...`) or its `SHA256:...` fingerprint */
  hostKey: z.string().regex(/^(ssh-[a-z0-9-]+|ecdsa-[a-z0-9-]+) [A-Za-z0-9+/=]+( .*)?$|^SHA256:[A-Za-z0-9+/]+=*$/, 'a host key is `ssh-ed25519 AAAA...` (as in known_hosts) or a `SHA256:...` fingerprint'),
  /** the private key file the worker reads (its contents never enter the drill's history, logs or reports) */
  identityFile: z.string().min(1),
});

const probeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('availability'),
    target: endpointSchema,
    interval: timer.default('200ms'),
    /** how long a healthy run must last before it counts as restored */
    sustain: pause.default('2s'),
    timeout: timer.default('1s'),
  }),
  z.strictObject({
    kind: z.literal('ledger'),
    target: endpointSchema,
    interval: timer.default('100ms'),
    timeout: timer.default('1s'),
  }),
], { error: 'probe kind must be one of: availability, ledger' });

export const DOCKER_ACTIONS = ['exec', 'stop', 'start', 'kill', 'pause', 'unpause', 'disconnect', 'connect'] as const;

export const dockerActionSchema = z.strictObject({
  action: z.enum(DOCKER_ACTIONS),
  /** one container of the topology ... */
  target: name.optional(),
  /** ... or every container of a site, at once */
  site: name.optional(),
  command: z.array(z.string()).min(1).optional(),
  network: name.optional(),
  signal: z.string().regex(/^(SIG)?[A-Z0-9]+$/).optional(),
});

/** A command on an SSH host: an ops bastion of the topology or a host listed under `hosts`. */
export const sshActionSchema = z.strictObject({
  host: name,
  /** run by the host's shell as the host's user, e.g. `promote-db pg-b` */
  command: z.string().min(1),
});

const breakdownCode = z.enum(BREAKDOWN_CODE_LIST as [BreakdownCode, ...BreakdownCode[]]);

/** What a drill found at a step or an objective, carried into the plan by `drill revise`. */
const findingSchema = z.strictObject({
  /** the drill that found it */
  drill: z.string().min(1),
  code: breakdownCode.optional(),
  effect: z.enum(BREAKDOWN_EFFECTS).optional(),
  note: z.string().min(1),
  lost: target.optional(),
});

/** A measure still to take, checked by the next drill of the scenario. */
const followUpSchema = z.strictObject({
  id: name,
  finding: z.string().min(1),
  step: name.optional(),
  /** the breakdown it answers: the next drill checks that it does not happen again at the step */
  code: breakdownCode.optional(),
  objective: name.optional(),
  owner: z.string().min(1),
  due: z.iso.date(),
  status: z.enum(['open', 'done']).default('open'),
  /** for an objective: which measure missed */
  measure: z.enum(['rto', 'rpo', 'rlo']).optional(),
  /** the drill it came from */
  from: z.string().min(1),
});

/** Where an outage's time goes: noticing it, deciding to act, recovering, proving the recovery. */
export const RTO_PHASES = ['detect', 'decide', 'recover', 'verify'] as const;

const stepBase = {
  id: name,
  title: z.string().optional(),
  /** what the drill does when this step fails */
  onFailure: z.enum(['abort', 'continue']).default('abort'),
  /** the runbook's expected duration, compared with the actual one in the report */
  expected: pause.optional(),
  timeout: timer.optional(),
  /** the RTO phase this step's time counts toward; inferred from its kind and place when absent */
  phase: z.enum(RTO_PHASES).optional(),
  findings: z.array(findingSchema).optional(),
};

export const STEP_KINDS = ['docker', 'ssh', 'wait', 'fault', 'manual', 'gate', 'notify', 'verify', 'parallel'] as const;
/** The notification timeline of a real incident report: internal escalation, vendor, regulator, public. */
export const NOTIFY_AUDIENCES = ['internal', 'vendor', 'regulator', 'public'] as const;

const leafSteps = [
  z.strictObject({ kind: z.literal('docker'), ...stepBase, docker: dockerActionSchema }),
  z.strictObject({ kind: z.literal('ssh'), ...stepBase, ...sshActionSchema.shape }),
  z.strictObject({
    kind: z.literal('wait'),
    ...stepBase,
    /** a fixed pause (e.g. let writes and backups accumulate) ... */
    for: pause.optional(),
    /** ... or until a probe holds */
    probe: name.optional(),
    until: z.enum(['healthy', 'down']).default('healthy'),
  }),
  z.strictObject({
    kind: z.literal('fault'),
    ...stepBase,
    /** a Docker action as the disaster ... */
    docker: dockerActionSchema.optional(),
    /** ... or a fault from the library, verified to take effect and healed by the drill */
    fault: faultSchema.optional(),
    /** the fault heals itself after this long; without it, it holds until the drill ends */
    duration: timer.optional(),
    /** later steps run while the fault holds (the step completes once the fault took effect) */
    background: z.boolean().default(false),
    /** this fault's effect is the disaster's t0 (default: the first fault that takes effect) */
    t0: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('manual'),
    ...stepBase,
    runbook: z.string().min(1),
    /** what the unattended operator (--operator auto) does for this step: a Docker action, or a command over SSH */
    auto: z.union([dockerActionSchema, sshActionSchema], { error: 'auto is a Docker action (action, target) or an SSH command (host, command)' }).optional(),
    /** only a participant acting in this role may confirm the step */
    role: name.optional(),
    /** an availability probe that must hold once the step is confirmed; a contradiction is a breakdown */
    verify: name.optional(),
    /** past this, the step's overrun is escalated (notified) */
    escalateAfter: timer.optional(),
  }),
  z.strictObject({
    kind: z.literal('gate'),
    ...stepBase,
    /** the decision, e.g. "Declare the disaster and activate the plan" (発動) */
    decision: z.string().min(1),
    /** the role that may take it, e.g. chief-officer */
    role: name,
    escalateAfter: timer.optional(),
  }),
  z.strictObject({
    kind: z.literal('notify'),
    ...stepBase,
    audience: z.enum(NOTIFY_AUDIENCES),
    /** who is told, e.g. "storage vendor hotline" */
    to: z.string().min(1),
    message: z.string().min(1),
    escalateAfter: timer.optional(),
  }),
  z.strictObject({ kind: z.literal('verify'), ...stepBase, probe: name }),
] as const;

const stepKindError = { error: `step kind must be one of: ${STEP_KINDS.join(', ')}` };
const stepSchema = z.discriminatedUnion('kind', [
  ...leafSteps,
  /** steps run at once; the group ends when all have (people's steps wait one at a time, so not here) */
  z.strictObject({ kind: z.literal('parallel'), ...stepBase, steps: z.array(z.discriminatedUnion('kind', [...leafSteps], stepKindError)).min(2, 'a parallel group runs at least two steps') }),
], stepKindError);

/** Recovery priority tiers (復旧優先度), fastest first; each has an RTO band, checked by `drill lint`. */
export const PRIORITY_TIERS = ['S', 'A', 'B', 'C', 'D', 'E'] as const;
/** How a service gets back: to the standby site (unplanned or planned), back to the primary, or from backup. */
export const RECOVERY_PATHS = ['failover', 'switchover', 'failback', 'restore'] as const;

const objectiveSchema = z.strictObject({
  system: name,
  rto: target,
  rpo: target,
  /** recovery level objective: the level service is restored to */
  rlo: z.string().default('100%'),
  /** the availability probe that decides when service is back */
  availability: name,
  /** the write ledger that counts what was lost */
  ledger: name.optional(),
  /**
   * A planned disruption (a failback, a switchover): measure this objective from the start of that
   * step instead of the fault's t0, with only what was lost from then on counted against it.
   */
  from: name.optional(),
  /** the step whose completion shows the data back (a check of the restored data): ends the RTO to data; default: the ledger's read-back */
  dataCheck: name.optional(),
  findings: z.array(findingSchema).optional(),
  // Plan metadata: not used by a drill run, only checked against the guideline by `drill lint`.
  /** recovery priority tier: S 0–3h, A 3h–1d, B 1–3d, C 3d–1wk, D 1–2wk, E over 2wk */
  tier: z.enum(PRIORITY_TIERS).optional(),
  /** systems (other objectives' `system`) this one cannot run without: foundations such as auth, DNS, a database */
  dependsOn: z.array(name).optional(),
  /** the priority businesses (非常時優先業務) that use this system, each with the RTO it needs */
  usedBy: z.array(z.strictObject({ business: z.string().min(1), rto: target })).optional(),
  /** how often a backup generation is taken */
  backupInterval: target.optional(),
  /** replication to a standby; sync or async lets the RPO be shorter than the backup interval */
  replication: z.enum(['sync', 'async', 'none']).optional(),
});

export const scenarioSchema = z.strictObject({
  version: z.literal(1, { error: 'version must be 1' }),
  name,
  description: z.string().optional(),
  topology: z.strictObject({
    networks: z.array(name).default([]),
    volumes: z.array(name).default([]),
    containers: z.record(name, containerSchema).refine((c) => Object.keys(c).length > 0, 'declare at least one container'),
  }),
  /** SSH hosts outside the topology that steps may run commands on */
  hosts: z.record(name, externalHostSchema).default({}),
  probes: z.record(name, probeSchema).default({}),
  /** who may act in which roles; when declared, a participant must hold the role they act in */
  participants: z.record(name, z.array(name).min(1)).optional(),
  /** where escalations and RTO budget warnings go besides the drill's log */
  escalation: z.strictObject({
    /** POSTed to as is: only http(s), and a redirect is not followed (a plan cannot point the worker at files or other schemes) */
    webhook: z.url({ protocol: /^https?$/, error: 'a webhook is an http:// or https:// URL' }).optional(),
  }).default({}),
  /**
   * While people keep a drill waiting, probes sample in bursts instead of continuously, so a wait of
   * days stays within the workflow's history limits: after `after` of waiting, one burst every
   * `every` (default: a tenth of the wait so far, between 30s and 10m).
   */
  // A pause shorter than a second between bursts samples about as often as no sparse sampling at all.
  sparseSampling: z.strictObject({ after: pause.default('30m'), every: durationSchema({ min: 1000, max: MAX_TIMER_MS, ceiling: TIMER.ceiling }).optional() }).default({ after: '30m' }),
  /**
   * Availability probes that must keep holding for the whole drill (the vault stays reachable, a
   * service outside the blast radius stays healthy): one failing longer than its tolerance aborts the
   * drill, which heals every fault and says which guardrail fired.
   */
  guardrails: z.array(z.strictObject({ probe: name, tolerance: pause.default('1s') })).default([]),
  /** the most containers the drill's faults may touch, checked before any fault runs */
  blastRadius: z.strictObject({ maxContainers: z.number().int().min(1) }).optional(),
  /** seeds every random choice of the drill (fault targets), so a drill can be replayed as it was */
  seed: z.number().int().min(0).optional(),
  objectives: z.array(objectiveSchema).min(1, 'declare at least one objective (RTO/RPO per system)'),
  steps: z.array(stepSchema).min(1, 'declare at least one step'),
  /** measures still to take, from earlier drills (written by `drill revise`) */
  followUps: z.array(followUpSchema).optional(),
  /** the plan's recovery paths and when each was last drilled (`drill lint` wants switchover and failback yearly) */
  drills: z.array(z.strictObject({
    path: z.enum(RECOVERY_PATHS),
    /** the scenario that drills it: its completed drills under results/ count as drills of the path */
    scenario: name.optional(),
    /** absent: never drilled, unless results/ holds a completed drill of `scenario` */
    lastDrilled: z.iso.date().optional(),
  })).optional(),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioStep = Scenario['steps'][number];
export type DockerActionInput = z.output<typeof dockerActionSchema>;
export type SshActionInput = z.output<typeof sshActionSchema>;

export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' });
}
