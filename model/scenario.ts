// Scenario format v1: what a plan owner writes. The zod schema is the single definition; the JSON
// Schema for editors (model/scenario.schema.json) is exported from it by `drill schema`.
import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');
const duration = z.string().regex(new RegExp(DURATION_PATTERN.replace('^', '^-?')), {
  error: 'write a duration with a unit, e.g. 200ms, 5s, 2m, 1h30m',
});

export const endpointSchema = z.strictObject({
  container: name,
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(['redis', 'tcp']).default('redis'),
});

const containerSchema = z.strictObject({
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).default({}),
  networks: z.array(name).default([]),
  /** volume name → mount path */
  volumes: z.record(name, z.string().startsWith('/')).default({}),
  /** container ports published on 127.0.0.1, so the host reaches them the same way on any engine */
  ports: z.array(z.number().int().min(1).max(65535)).default([]),
  /** false: created with the topology but started by a step (e.g. the restore target) */
  start: z.boolean().default(true),
});

const probeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('availability'),
    target: endpointSchema,
    interval: duration.default('200ms'),
    /** how long a healthy run must last before it counts as restored */
    sustain: duration.default('2s'),
    timeout: duration.default('1s'),
  }),
  z.strictObject({
    kind: z.literal('ledger'),
    target: endpointSchema,
    interval: duration.default('100ms'),
    timeout: duration.default('1s'),
  }),
], { error: 'probe kind must be one of: availability, ledger' });

export const DOCKER_ACTIONS = ['exec', 'stop', 'start', 'kill', 'pause', 'unpause', 'disconnect', 'connect'] as const;

export const dockerActionSchema = z.strictObject({
  action: z.enum(DOCKER_ACTIONS),
  target: name,
  command: z.array(z.string()).min(1).optional(),
  network: name.optional(),
  signal: z.string().regex(/^(SIG)?[A-Z0-9]+$/).optional(),
});

const stepBase = {
  id: name,
  title: z.string().optional(),
  /** what the drill does when this step fails */
  onFailure: z.enum(['abort', 'continue']).default('abort'),
  /** the runbook's expected duration, compared with the actual one in the report */
  expected: duration.optional(),
  timeout: duration.optional(),
};

export const STEP_KINDS = ['docker', 'wait', 'fault', 'manual', 'verify'] as const;

const stepSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('docker'), ...stepBase, docker: dockerActionSchema }),
  z.strictObject({
    kind: z.literal('wait'),
    ...stepBase,
    /** a fixed pause (e.g. let writes and backups accumulate) ... */
    for: duration.optional(),
    /** ... or until a probe holds */
    probe: name.optional(),
    until: z.enum(['healthy', 'down']).default('healthy'),
  }),
  z.strictObject({ kind: z.literal('fault'), ...stepBase, docker: dockerActionSchema }),
  z.strictObject({
    kind: z.literal('manual'),
    ...stepBase,
    runbook: z.string().min(1),
    /** what the unattended operator (--operator auto) does for this step */
    auto: dockerActionSchema.optional(),
  }),
  z.strictObject({ kind: z.literal('verify'), ...stepBase, probe: name }),
], { error: `step kind must be one of: ${STEP_KINDS.join(', ')}` });

const objectiveSchema = z.strictObject({
  system: name,
  rto: duration,
  rpo: duration,
  /** recovery level objective: the level service is restored to */
  rlo: z.string().default('100%'),
  /** the availability probe that decides when service is back */
  availability: name,
  /** the write ledger that counts what was lost */
  ledger: name.optional(),
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
  probes: z.record(name, probeSchema).default({}),
  objectives: z.array(objectiveSchema).min(1, 'declare at least one objective (RTO/RPO per system)'),
  steps: z.array(stepSchema).min(1, 'declare at least one step'),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioStep = Scenario['steps'][number];
export type DockerActionInput = z.output<typeof dockerActionSchema>;

export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' });
}
