// `drill exercise`: scenario-undisclosed exercises. `start` checks the pool, mints a token for the
// facilitator and one per participant, and starts the exercise workflow; every other command speaks
// to the exercise's drill with a token, and the drill decides what that token may see and do.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { expandPool } from '../activities/files.js';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { parse } from 'yaml';
import { drillIdProblem } from '../model/drill-id.js';
import { formatDuration as d, parseDuration } from '../model/duration.js';
import { exerciseDrillId, poolFindings, poolTeam, tokenHash, type ExerciseInput, type FacilitatorAction, type Inject } from '../model/exercise.js';
import type { ParticipantView, Reveal } from '../model/exercise-view.js';
import { faultSchema } from '../model/fault.js';
import { toDrillSpec } from '../model/spec.js';
import { formatError, validateScenarioFile } from '../model/validate.js';
import { exerciseViewQuery, facilitateUpdate, incidentUpdate, type ExerciseView, type FacilitatorAnswer, type FacilitatorView } from '../workflows/messages.js';
import { exerciseWorkflow } from '../workflows/exercise.js';
import { CliError } from './errors.js';
import { refusalReason } from './operator.js';
import { renderView } from './progress.js';

export type ExerciseStart = {
  pool: string[]; window: string; seed?: number; facilitator: string; participants?: string[];
  results: string; webhook?: string; id?: string; taskQueue: string; lang?: 'en' | 'ja';
};
export type Started = { exerciseId: string; input: ExerciseInput; files: string[]; tokens: { facilitator: string; participants: Record<string, string> } };

/** The pool's scenario files now, for the checks at start; the workflow reads the paths again when it starts. */
async function poolFiles(args: string[]): Promise<string[]> {
  try {
    return await expandPool(args);
  } catch (err) {
    throw new CliError(`--pool ${(err as Error).message}`, 2);
  }
}

/** `--participant alice:operator,chief-officer` (repeatable); without any, everyone the pool names. */
function team(given: string[] | undefined, pool: ReturnType<typeof toDrillSpec>[]): Record<string, string[]> {
  if (!given?.length) {
    const t = poolTeam(pool);
    if (Object.keys(t).length === 0) throw new CliError('no participants: the pool names none; give --participant NAME:ROLE,ROLE', 2);
    return t;
  }
  return Object.fromEntries(given.map((p) => {
    const m = /^([A-Za-z0-9_.-]+)(?::([A-Za-z0-9_,.-]+))?$/.exec(p);
    if (!m) throw new CliError(`--participant ${p}: write NAME or NAME:ROLE,ROLE`, 2);
    return [m[1]!, m[2] ? m[2].split(',').filter(Boolean) : []];
  }));
}

const mint = () => randomBytes(24).toString('base64url');
export const newExerciseId = () => `exercise-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(2).toString('hex')}`;

/** Checks everything and mints the tokens; touches nothing. Shared by `exercise start` and unannounced schedules. */
export async function prepareExercise(o: Omit<ExerciseStart, 'taskQueue'>, perFiring = false): Promise<Started> {
  const files = await poolFiles(o.pool);
  const specs = [];
  const errors: string[] = [];
  for (const f of files) {
    const v = await validateScenarioFile(f);
    if (v.ok) specs.push(toDrillSpec(v.scenario, 'pool', f, 'people'));
    else errors.push(...v.errors.map(formatError));
  }
  if (errors.length) throw new CliError(errors.join('\n'), 2);
  const windowMs = parseDuration(o.window);
  if (typeof windowMs !== 'number') throw new CliError(`--window ${o.window}: ${windowMs.error}`, 2);
  if (windowMs < 1000) throw new CliError(`--window ${o.window}: at least 1s`, 2);
  if (!o.facilitator.trim()) throw new CliError('--facilitator: a name', 2);
  const members = team(o.participants, specs);
  const findings = poolFindings(specs, members);
  if (findings.length) throw new CliError(findings.join('\n'), 2);
  if (members[o.facilitator]) throw new CliError(`--facilitator ${o.facilitator} is also a participant: the facilitator knows the scenario`, 2);
  const tokens = { facilitator: mint(), participants: Object.fromEntries(Object.keys(members).map((n) => [n, mint()])) };
  if (o.id !== undefined) {
    // The id names the exercise's drill, its Docker resources and its report directory.
    const problem = drillIdProblem(o.id);
    if (problem) throw new CliError(`--id ${o.id}: ${problem}`, 2);
  }
  const exerciseId = o.id ?? newExerciseId();
  const input: ExerciseInput = {
    // A schedule's firings each take the id Temporal gives them.
    ...(!perFiring && { exerciseId }), pool: o.pool.map((p) => resolve(p)), windowMs, facilitator: o.facilitator, team: members, results: resolve(o.results),
    access: { facilitator: tokenHash(tokens.facilitator), participants: Object.fromEntries(Object.entries(tokens.participants).map(([n, t]) => [n, tokenHash(t)])) },
    ...(o.seed !== undefined && { seed: o.seed }), ...(o.webhook !== undefined && { webhook: o.webhook }), ...(o.lang !== undefined && { lang: o.lang }),
  };
  return { exerciseId, input, files, tokens };
}

export async function startExercise(client: Client, o: ExerciseStart): Promise<Started> {
  const started = await prepareExercise(o);
  try {
    await client.workflow.start(exerciseWorkflow, { taskQueue: o.taskQueue, workflowId: started.exerciseId, args: [started.input] });
  } catch (err) {
    throw new CliError(`exercise ${started.exerciseId}: ${(err as Error).message}`, 3);
  }
  return started;
}

/** The tokens to hand out, and how to follow the exercise with one. */
export function describeTokens(tokens: Started['tokens'], exerciseId: string): string {
  return [
    `facilitator token (keep it; it sees everything):  ${tokens.facilitator}`,
    'participant tokens (give each person their own; they see symptoms only):',
    ...Object.entries(tokens.participants).map(([n, t]) => `  ${n}: ${t}`),
    `follow it:  DRILL_TOKEN=<token> drill exercise status ${exerciseId}`,
  ].join('\n');
}

export const describeStart = (s: Started): string =>
  `exercise ${s.exerciseId} started: the scenario, its target and its moment are sealed\n${describeTokens(s.tokens, s.exerciseId)}`;

/** The token from --token, else DRILL_TOKEN. */
export function tokenOf(given: string | undefined): string {
  const t = given ?? process.env.DRILL_TOKEN;
  if (!t) throw new CliError('give your exercise token: --token T or DRILL_TOKEN', 2);
  return t;
}

/** An exercise id or its drill's id: both name the drill that answers. */
export const drillOf = (id: string) => (id.endsWith('.drill') ? id : exerciseDrillId(id));

async function unreachable<T>(id: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no running exercise ${id} on this Temporal server (it has ended, or not started its drill yet)`, 3);
    if (err instanceof WorkflowUpdateFailedError) throw new CliError(`refused: ${refusalReason(err)}`, 4);
    const reason = refusalReason(err);
    // A query the drill refuses (a wrong token) is a refusal, not an unreachable server.
    if (/token|exercise/.test(reason)) throw new CliError(`refused: ${reason}`, 4);
    throw new CliError(`could not reach exercise ${id}: ${reason}`, 3);
  }
}

export const exerciseView = (client: Client, id: string, token: string): Promise<ExerciseView> =>
  unreachable(id, client.workflow.getHandle(drillOf(id)).query(exerciseViewQuery, token));

export const reportIncident = (client: Client, id: string, token: string, what: 'detect' | 'declare', note?: string): Promise<string> =>
  unreachable(id, client.workflow.getHandle(drillOf(id)).executeUpdate(incidentUpdate, { args: [{ token, what, ...(note !== undefined && { note }) }] }));

export async function facilitate(client: Client, id: string, token: string, action: FacilitatorAction): Promise<FacilitatorAnswer> {
  const handle = client.workflow.getHandle(drillOf(id));
  if (action.kind === 'reveal') {
    // An ended exercise takes no more updates, but still answers its query, token checked as ever.
    const { status } = await unreachable(id, handle.describe());
    if (status.name !== 'RUNNING') {
      const v = await exerciseView(client, id, token);
      if (v.role !== 'facilitator') throw new CliError('refused: only the facilitator can reveal', 4);
      return { detail: `revealed (the exercise has ended): ${v.reveal.scenario}`, reveal: v.reveal };
    }
  }
  return unreachable(id, handle.executeUpdate(facilitateUpdate, { args: [{ token, action }] }));
}

/** `inject` options into an inject: exactly one of --unavailable, --vendor-unreachable, --fault. */
export function injectFrom(o: { unavailable?: string; vendorUnreachable?: string; fault?: string; for?: string; note?: string }): Inject {
  const given = [o.unavailable, o.vendorUnreachable, o.fault].filter((x) => x !== undefined).length;
  if (given !== 1) throw new CliError('give exactly one of --unavailable NAME, --vendor-unreachable DURATION, --fault YAML', 2);
  const note = o.note !== undefined ? { note: o.note } : {};
  const ms = (flag: string, text: string) => {
    const v = parseDuration(text);
    if (typeof v !== 'number') throw new CliError(`${flag} ${text}: ${v.error}`, 2);
    return v;
  };
  if (o.unavailable !== undefined) return { kind: 'unavailable', person: o.unavailable, ...note };
  if (o.vendorUnreachable !== undefined) return { kind: 'vendor-unreachable', forMs: ms('--vendor-unreachable', o.vendorUnreachable), ...note };
  let doc: unknown;
  try { doc = parse(o.fault!); } catch (err) { throw new CliError(`--fault: not YAML: ${(err as Error).message}`, 2); }
  const f = faultSchema.safeParse(doc);
  if (!f.success) throw new CliError(`--fault: ${f.error.issues.map((i) => `${i.path.join('.') || 'fault'}: ${i.message}`).join('; ')}`, 2);
  return { kind: 'fault', fault: f.data, ...(o.for !== undefined && { forMs: ms('--for', o.for) }), ...note };
}

const at = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : new Date(ms).toISOString().slice(11, 19));

export function renderReveal(r: Reveal): string {
  return [
    `scenario: ${r.scenario}${r.scenarioFile ? ` (${r.scenarioFile})` : ''}, pool entry ${r.pool}, seed ${r.seed}`,
    `moment: planned ${d(r.momentPlannedMs)} into the exercise, let loose at ${at(r.momentAt)}; t0 ${at(r.t0)}`,
    ...r.faults.map((f) => `fault ${f.step}: ${f.type} on ${f.target}, took effect ${at(f.effectAt)}, healed ${at(f.healedAt)}`),
    ...r.injects.map((i) => `inject at ${at(i.at)}: ${i.detail}`),
  ].join('\n');
}

function renderParticipant(v: ParticipantView): string {
  const lines = [`exercise ${v.exercise}: ${v.status}; you are ${v.you}${v.roles.length ? ` (${v.roles.join(', ')})` : ''}${v.available ? '' : ' — UNAVAILABLE: your access was revoked'}`];
  for (const s of v.symptoms) lines.push(`  ${s.state === 'ok' ? '✔' : s.state === 'failing' ? '✘' : '·'} ${s.probe.padEnd(20)} ${s.state}${s.since !== null ? ` since ${at(s.since)}` : ''}${s.error ? `: ${s.error}` : ''}`);
  for (const a of v.alerts.slice(-5)) lines.push(`  alert ${at(a.at)} ${a.text}`);
  lines.push(v.declared ? `  incident declared by ${v.declared.by} at ${at(v.declared.at)}` : v.detected ? `  reported by ${v.detected.by} at ${at(v.detected.at)}; not declared yet` : '  no incident declared');
  if (v.waiting) lines.push(`  waiting on ${v.waiting.id} (${v.waiting.kind}${v.waiting.role ? `, role ${v.waiting.role}` : ''}) since ${at(v.waiting.since)}: ${v.waiting.text}`);
  for (const a of v.answered) lines.push(`  ✔ ${a.step} ${a.status} by ${a.by}`);
  for (const b of v.breakdowns) lines.push(`  breakdown on ${b.step}: ${b.code} by ${b.by}`);
  if (v.revealed) lines.push('revealed:', renderReveal(v.revealed));
  return lines.join('\n');
}

function renderFacilitator(v: FacilitatorView, now: number): string {
  const ex = v.exercise;
  const lines = [`exercise ${ex.exerciseId} (facilitator ${ex.facilitator})${v.paused ? ' — PAUSED' : ''}`];
  lines.push(`  sealed: ${ex.choice.scenario}; ${ex.choice.faults.map((f) => `${f.step} ${f.type} on ${f.targets.join(', ')}`).join('; ')}; moment ${d(ex.choice.momentMs)} in (${ex.momentAt ? `let loose at ${at(ex.momentAt)}` : 'not yet'})`);
  lines.push(`  detected: ${ex.detected ? `${ex.detected.by} at ${at(ex.detected.at)}` : 'not yet'}; declared: ${ex.declared ? `${ex.declared.by} at ${at(ex.declared.at)}` : 'not yet'}`);
  for (const i of ex.injects) lines.push(`  inject ${at(i.at)}: ${i.detail}`);
  if (ex.unavailable.length) lines.push(`  unavailable: ${ex.unavailable.join(', ')}`);
  lines.push(renderView(v.drill, now));
  return lines.join('\n');
}

export const renderExercise = (v: ExerciseView, now = Date.now()) => (v.role === 'facilitator' ? renderFacilitator(v, now) : renderParticipant(v));
