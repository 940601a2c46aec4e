#!/usr/bin/env node
// The `drill` command.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { LANGS } from '../model/lang.js';
import { formatError, validateScenarioFile } from '../model/validate.js';
import { scenarioJsonSchema } from '../model/scenario.js';
import { stopEmbeddedServer, ensureTemporal } from '../setup/temporal-server.js';
import { createDrillWorker, DEFAULT_TASK_QUEUE } from '../worker/worker.js';
import { abortSignal, statusQuery } from '../workflows/messages.js';
import { renderView } from './progress.js';
import { CliError, connectClient, planDrill, runDrill } from './run.js';
import { heal } from './heal.js';
import { send, type Action } from './operator.js';
import { BREAKDOWN_CODE_LIST } from '../model/breakdown.js';
import { setup } from './setup.js';
import type { Client } from '@temporalio/client';
import { actOnSchedule, createSchedule, listSchedules } from './schedule.js';
import { revise } from './revise.js';
import { lint } from './lint.js';
import { history } from './history.js';
import { describeStart, describeTokens, drillOf, exerciseView, facilitate, injectFrom, renderExercise, renderReveal, reportIncident, startExercise, tokenOf } from './exercise.js';
import type { FacilitatorAction } from '../model/exercise.js';
import type { ExerciseResult } from '../workflows/exercise.js';

const program = new Command('drill').description('Recovery drills and chaos experiments on Temporal').showHelpAfterError();

program.command('validate').description('check scenario files; exit 2 with file:line:col field: message per error')
  .argument('<files...>')
  .action(async (files: string[]) => {
    let bad = 0;
    for (const f of files) {
      const v = await validateScenarioFile(f);
      if (v.ok) console.log(`${f}: ok (${v.scenario.steps.length} steps)`);
      else { bad++; for (const e of v.errors) console.error(formatError(e)); }
    }
    process.exitCode = bad ? 2 : 0;
  });

program.command('lint').description('check plans against the guideline (tier vs RTO, foundations, shared systems, RPO vs backups, yearly drills); exit 0 no finding, 1 findings, 2 invalid')
  .argument('<plans...>')
  .option('--results <dir>', 'completed drills here count as drills of the scenario a path names', 'results')
  .option('--today <date>', 'the day to count the last year back from (YYYY-MM-DD; default today, UTC)')
  .action(async (plans: string[], o) => {
    const r = await lint(plans, { results: o.results, today: o.today });
    for (const l of r.out) console.log(l);
    for (const l of r.err) console.error(l);
    process.exitCode = r.exitCode;
  });

program.command('run').description('run a drill; exit 0 objectives met, 1 missed, 2 invalid input, 3 aborted or failed')
  .argument('<file>')
  .option('--operator <mode>', 'who performs manual steps, gates and notifications: auto (unattended), people (participants answer with `drill step` / `drill decide`), interactive (this terminal prompts, others may answer too), script:FILE', 'auto')
  .option('--by <name>', 'with --operator interactive: who answers at this terminal (default $DRILL_PARTICIPANT or $USER)')
  .addOption(new Option('--lang <lang>', 'language of the report headings').choices(LANGS).default('en'))
  .option('--results <dir>', 'where reports are written', 'results')
  .option('--drill-id <id>', 'use this drill id instead of a generated one')
  .option('--task-queue <queue>', 'Temporal task queue', process.env.DRILL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE)
  .option('--no-worker', 'do not run a worker in this process (workers run elsewhere)')
  .option('--seed <n>', 'seed of the drill\'s random choices (fault targets); a drill\'s report gives the one it used', (v) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError('a whole number');
    return Number(v);
  })
  .option('--dry-run', 'print every action with its resolved target, and exit without touching anything')
  .action(async (file: string, o) => {
    if (o.dryRun) {
      const lines = await planDrill(file, o.seed);
      for (const l of lines) console.log(l);
      process.exitCode = lines.some((l) => l.includes('REFUSED:')) ? 2 : 0;
      return;
    }
    const r = await runDrill(file, { seed: o.seed, operator: o.operator, results: o.results, drillId: o.drillId, taskQueue: o.taskQueue, worker: o.worker, by: o.by, lang: o.lang });
    summarise(r.record.drillId, r.reportDir, r.exitCode);
    process.exitCode = r.exitCode;
  });

program.command('revise').description('write the findings of a drill into a revised scenario beside FILE (FILE.revised.yaml), or print a unified diff')
  .argument('<file>')
  .requiredOption('--from <report>', 'the drill\'s report.json (results/<drill-id>/report.json)')
  .option('--diff', 'print a unified diff instead of writing the revised file')
  .option('--out <file>', 'where to write the revision (default: beside FILE, .revised.yaml)')
  .option('--owner <name>', 'owner of the follow-ups (default: whoever reported each breakdown)')
  .action(async (file: string, o) => {
    const r = await revise(file, { from: o.from, diff: o.diff, out: o.out, owner: o.owner });
    if (r.diff !== undefined) process.stdout.write(r.diff);
    else {
      for (const c of r.changes) console.error(`  ${c}`);
      console.log(r.changes.length ? `revised: ${r.out}` : `nothing to revise; written unchanged: ${r.out}`);
    }
  });

program.command('history').description('RTO and RPO against target drill after drill, breakdowns by code and the slowest steps, from the reports in the results directory')
  .argument('[scenario]', 'only this scenario: its name, or its scenario file')
  .option('--results <dir>', 'where the reports are (default results/)')
  .option('--json', 'print the history as JSON')
  .action(async (scenario: string | undefined, o) => history(scenario, { results: o.results, json: o.json }));

const schedule = program.command('schedule').description('scheduled drills as Temporal Schedules (workers must be running: drill worker)');
schedule.command('create').description('schedule a scenario, or an unannounced exercise from a pool: --cron EXPR or --every DURATION (e.g. 1y)')
  .option('--scenario <file>', 'the scenario; read when each drill fires, so an accepted revision is what runs')
  .option('--pool <paths...>', 'instead of --scenario: an unannounced exercise from this pool (with --window and --facilitator); only the facilitator is told when it fires')
  .option('--window <duration>', 'with --pool: the fault happens within this long of the firing')
  .option('--facilitator <name>', 'with --pool: who runs the exercise')
  .option('--participant <name:roles>', 'with --pool: a participant and their roles (repeatable; default: everyone the pool names)', (v: string, all: string[] = []) => [...all, v])
  .option('--json', 'print the schedule id (and an exercise\'s tokens) as JSON')
  .option('--cron <expr>', 'cron expression, e.g. "0 9 1 3 *" (09:00 UTC every 1 March)')
  .option('--every <duration>', 'interval, e.g. 1y, 90d, 12h')
  .option('--start <date>', 'no drill before this date')
  .option('--operator <mode>', 'auto or people', 'auto')
  .option('--results <dir>', 'where reports are written', 'results')
  .option('--id <id>', 'schedule id (default drill-<scenario name>)')
  .option('--paused', 'create it paused')
  .option('--remind <befores>', 'with --every and --start: remind the facilitator this long before each drill, e.g. 14d,1d', (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean))
  .option('--webhook <url>', 'where reminders are POSTed (they are always logged by the worker)')
  .option('--task-queue <queue>', 'Temporal task queue', process.env.DRILL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE)
  .addOption(new Option('--lang <lang>', 'language of the report headings').choices(LANGS).default('en'))
  .action(async (o) => withClient(async (client) => {
    const made = await createSchedule(client, { ...o, participants: o.participant });
    if (o.json) return console.log(JSON.stringify({ scheduleId: made.scheduleId, ...(made.exercise && { tokens: made.exercise.tokens }) }));
    console.log(`schedule ${made.scheduleId} created`);
    // The same tokens serve every firing: the facilitator hands the participants theirs now.
    if (made.exercise) console.log(describeTokens(made.exercise.tokens, `${made.scheduleId}-run-<firing time, as the facilitator's notice gives it>`));
  }));
schedule.command('list').action(async () => withClient(async (client) => console.log(await listSchedules(client))));
for (const what of ['pause', 'resume', 'delete', 'trigger'] as const) {
  schedule.command(what).argument('<schedule-id>').option('--note <text>')
    .action(async (id: string, o) => withClient(async (client) => console.log(await actOnSchedule(client, id, what, o.note))));
}

async function withClient(fn: (client: Client) => Promise<void>) {
  const { client, connection } = await connectClient(() => undefined);
  try { await fn(client); } finally { await connection.close(); }
}

const exercise = program.command('exercise').description('scenario-undisclosed exercises: the facilitator starts one from a pool; participants see only symptoms');
exercise.command('start').description('start an exercise: seals which pool scenario, target and moment; prints the facilitator\'s and each participant\'s token')
  .requiredOption('--pool <paths...>', 'scenario files, or directories of them (e.g. scenarios/unannounced)')
  .requiredOption('--window <duration>', 'the fault happens within this long of the start, e.g. 30m')
  .requiredOption('--facilitator <name>', 'who runs the exercise (not a participant)')
  .option('--seed <n>', 'seed of the sealed choice: the same pool, window and seed choose the same', (v) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError('a whole number');
    return Number(v);
  })
  .option('--participant <name:roles>', 'a participant and their roles, e.g. alice:operator (repeatable; default: everyone the pool names)', (v: string, all: string[] = []) => [...all, v])
  .option('--webhook <url>', 'where the facilitator\'s notices go (exercise started, escalations, RTO budget)')
  .option('--results <dir>', 'where the reports (with the reveal) are written', 'results')
  .option('--id <id>', 'exercise id (default exercise-<time>-<random>)')
  .option('--json', 'print the exercise id and tokens as JSON')
  .option('--detach', 'return once started (a `drill worker` carries it out)')
  .option('--task-queue <queue>', 'Temporal task queue', process.env.DRILL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE)
  .option('--no-worker', 'do not run a worker in this process (workers run elsewhere)')
  .addOption(new Option('--lang <lang>', 'language of the report headings').choices(LANGS).default('en'))
  .action(async (o) => {
    const { client, connection, address } = await connectClient(() => undefined);
    try {
      const s = await startExercise(client, { pool: o.pool, window: o.window, seed: o.seed, facilitator: o.facilitator, participants: o.participant, results: o.results, webhook: o.webhook, id: o.id, taskQueue: o.taskQueue, lang: o.lang });
      console.log(o.json ? JSON.stringify({ exerciseId: s.exerciseId, tokens: s.tokens }) : describeStart(s));
      if (o.detach) return;
      const done = client.workflow.getHandle(s.exerciseId).result() as Promise<ExerciseResult>;
      let r: ExerciseResult;
      if (o.worker) {
        const { worker, connection: wc } = await createDrillWorker(address, o.taskQueue);
        try { r = await worker.runUntil(done); } finally { await wc.close(); }
      } else r = await done;
      console.error(`exercise ${r.exerciseId}: ${r.status}; report (with the reveal, for the facilitator): ${r.reportDir}/report.md`);
    } finally { await connection.close(); }
  });
exercise.command('status').description('what your token may see: participants, the symptoms; the facilitator, everything').argument('<exercise-id>')
  .option('--token <token>', 'your token (or DRILL_TOKEN)').option('--json')
  .action(async (id: string, o) => withClient(async (client) => {
    const v = await exerciseView(client, id, tokenOf(o.token));
    console.log(o.json ? JSON.stringify(v) : renderExercise(v));
  }));
for (const what of ['detect', 'declare'] as const) {
  exercise.command(what).description(what === 'detect' ? 'a participant reports that something is wrong (time to detect)' : 'a participant declares the incident (time to declare); the runbook\'s steps open to the team')
    .argument('<exercise-id>').option('--token <token>', 'your token (or DRILL_TOKEN)').option('--note <text>')
    .action(async (id: string, o) => withClient(async (client) => console.log(await reportIncident(client, id, tokenOf(o.token), what, o.note))));
}
for (const what of ['pause', 'resume', 'abort', 'reveal'] as const) {
  exercise.command(what).description(`the facilitator ${what === 'reveal' ? 'reveals the sealed scenario, target and moment' : `${what}s the exercise`}`)
    .argument('<exercise-id>').option('--token <token>', 'the facilitator\'s token (or DRILL_TOKEN)').option('--reason <text>').option('--json')
    .action(async (id: string, o) => withClient(async (client) => {
      const action: FacilitatorAction = what === 'pause' || what === 'abort' ? { kind: what, ...(o.reason && { reason: o.reason }) } : { kind: what };
      const a = await facilitate(client, id, tokenOf(o.token), action);
      console.log(o.json ? JSON.stringify(a) : a.reveal ? renderReveal(a.reveal) : a.detail);
    }));
}
exercise.command('inject').description('the facilitator adds a complication: a person unavailable (access revoked), the vendor unreachable, or one more fault')
  .argument('<exercise-id>').option('--token <token>', 'the facilitator\'s token (or DRILL_TOKEN)')
  .option('--unavailable <name>', 'this participant is unavailable for the rest of the exercise')
  .option('--vendor-unreachable <duration>', 'notifying the vendor does not go through for this long, e.g. 2h')
  .option('--fault <yaml>', 'a fault as in a scenario, e.g. "{ type: kill, target: pg-b }"')
  .option('--for <duration>', 'with --fault: heal it after this long (default: when the exercise ends)')
  .option('--note <text>')
  .action(async (id: string, o) => {
    const inject = injectFrom(o);
    await withClient(async (client) => console.log((await facilitate(client, id, tokenOf(o.token), { kind: 'inject', inject })).detail));
  });

program.command('demo').description('set up what is missing, run the headline drill (restore from backup), print the report path')
  .option('--results <dir>', 'where reports are written', 'results')
  .action(async (o) => {
    await setup();
    const scenario = fileURLToPath(new URL('../../scenarios/restore-from-backup.yaml', import.meta.url));
    const r = await runDrill(scenario, { operator: 'auto', results: o.results, worker: true });
    summarise(r.record.drillId, r.reportDir, r.exitCode);
    process.exitCode = r.exitCode === 3 ? 3 : 0;
  });

program.command('setup').description('install or start what drills need here: Docker engine, Temporal CLI, reference images')
  .action(async () => { await setup(); });

program.command('schema').description('print (or write) the scenario JSON Schema, for editors')
  .option('--out <file>')
  .action(async (o) => {
    const text = JSON.stringify(scenarioJsonSchema(), null, 2) + '\n';
    if (o.out) await writeFile(o.out, text); else process.stdout.write(text);
  });

program.command('status').description('show a running or finished drill').argument('<drill-id>')
  .action(async (id: string) => {
    const { client, connection } = await connectClient(() => undefined);
    try { console.log(renderView(await client.workflow.getHandle(id).query(statusQuery), Date.now())); } finally { await connection.close(); }
  });

const defaultBy = () => process.env.DRILL_PARTICIPANT ?? process.env.USER ?? 'participant';

async function act(drillId: string, action: Action) {
  const { client, connection } = await connectClient(() => undefined);
  try {
    const ack = await send(client.workflow.getHandle(drillId), action);
    console.log(`${ack.step}: ${ack.status} (${ack.detail})`);
  } finally {
    await connection.close();
  }
}

program.command('step').description('answer a waiting step: done, breakdown or skip (exit 0 accepted, 4 refused with the reason)')
  .argument('<drill-id>').argument('<step>').argument('<what>', 'done | breakdown | skip')
  .option('--by <name>', 'who you are (default $DRILL_PARTICIPANT or $USER)')
  .option('--as <role>', 'the role you act in, for steps that need one')
  .option('--note <text>', 'a note for the record; for a breakdown, what happened')
  .option('--workaround <text>', 'with done: what you did instead of the runbook text')
  .option('--code <code>', `with breakdown: one of ${BREAKDOWN_CODE_LIST.join(', ')}`)
  .option('--effect <effect>', 'with breakdown: enlarged (the incident grew), prolonged (recovery took longer) or none', 'prolonged')
  .option('--reason <text>', 'with skip: why')
  .option('--token <token>', 'in an exercise: your participant token (or DRILL_TOKEN); ID may be the exercise id')
  .action(async (id: string, step: string, what: string, o) => {
    const { drillId, by, as, token } = await answerer(id, o);
    if (what === 'done') return act(drillId, { kind: 'confirm', c: { step, by, ...token, ...(as && { as }), ...(o.note && { note: o.note }), ...(o.workaround && { workaround: o.workaround }) } });
    if (what === 'breakdown') {
      if (!o.code || !o.note) throw new CliError('breakdown needs --code and --note', 2);
      return act(drillId, { kind: 'breakdown', b: { step, by, ...token, code: o.code, note: o.note, effect: o.effect } });
    }
    if (what === 'skip') {
      if (!o.reason) throw new CliError('skip needs --reason', 2);
      return act(drillId, { kind: 'skip', s: { step, by, ...token, reason: o.reason } });
    }
    throw new CliError(`unknown answer "${what}": use done, breakdown or skip`, 2);
  });

program.command('decide').description('take the decision a gate waits for, in a role (exit 0 accepted, 4 refused with the reason)')
  .argument('<drill-id>').argument('<gate>')
  .requiredOption('--as <role>', 'the role you decide in, e.g. chief-officer')
  .option('--by <name>', 'who you are (default $DRILL_PARTICIPANT or $USER)')
  .option('--note <text>')
  .option('--token <token>', 'in an exercise: your participant token (or DRILL_TOKEN); ID may be the exercise id')
  .action(async (id: string, gate: string, o) => {
    const { drillId, by, token } = await answerer(id, o);
    return act(drillId, { kind: 'decide', d: { gate, by, ...token, as: o.as, ...(o.note && { note: o.note }) } });
  });

/**
 * Who answers, and where: in an exercise (a token given) the drill is the exercise's, and the name is
 * the token holder's unless --by says otherwise (the drill refuses a name that is not the holder's).
 */
async function answerer(id: string, o: { by?: string; token?: string; as?: string }): Promise<{ drillId: string; by: string; as?: string; token: { token?: string } }> {
  const t = o.token || process.env.DRILL_TOKEN;
  if (!t) return { drillId: id, by: o.by ?? defaultBy(), ...(o.as && { as: o.as }), token: {} };
  let by = o.by;
  let as = o.as;
  await withClient(async (client) => {
    const v = await exerciseView(client, id, t);
    by ??= v.role === 'participant' ? v.you : 'facilitator';
    // The role the waiting step needs, when the holder has it: what they would act in anyway.
    const role = v.role === 'participant' ? v.waiting?.role : undefined;
    if (as === undefined && v.role === 'participant' && role !== undefined && v.roles.includes(role)) as = role;
  });
  return { drillId: drillOf(id), by: by!, ...(as && { as }), token: { token: t } };
}

program.command('abort').description('abort a running drill; it heals and cleans up').argument('<drill-id>').option('--reason <text>')
  .action(async (id: string, o) => {
    const { client, connection } = await connectClient(() => undefined);
    try { await client.workflow.getHandle(id).signal(abortSignal, o.reason); console.log(`abort sent to ${id}`); } finally { await connection.close(); }
  });

program.command('heal').description('heal a drill\'s faults now: a running drill heals every fault in place; for an ended one, the faults it could not heal are healed here. Exit 0 healed, 3 not')
  .argument('<drill-id>')
  .option('--task-queue <queue>', 'Temporal task queue', process.env.DRILL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE)
  .option('--no-worker', 'do not run a worker in this process (workers run elsewhere)')
  .action(async (id: string, o) => {
    const { client, connection, address } = await connectClient(() => undefined);
    try {
      const runWorker = async <T>(p: Promise<T>): Promise<T> => {
        if (!o.worker) return p;
        const { worker, connection: wc } = await createDrillWorker(address, o.taskQueue);
        try { return await worker.runUntil(p); } finally { await wc.close(); }
      };
      process.exitCode = await heal(client, id, o.taskQueue, runWorker, (s) => console.log(s));
    } finally {
      await connection.close();
    }
  });

program.command('worker').description('run a worker (for TEMPORAL_ADDRESS clusters, or drills started with --no-worker)')
  .option('--task-queue <queue>', 'Temporal task queue', process.env.DRILL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE)
  .action(async (o) => {
    const address = await ensureTemporal((s) => console.error(s));
    const { worker } = await createDrillWorker(address, o.taskQueue);
    console.error(`worker polling ${o.taskQueue} on ${address}`);
    await worker.run();
  });

const server = program.command('server').description('the embedded Temporal dev server');
server.command('start').action(async () => console.log(`Temporal at ${await ensureTemporal((s) => console.error(s))}`));
server.command('stop').action(() => console.log(stopEmbeddedServer() ? 'stopped' : 'not running (started by this product)'));

function summarise(drillId: string, dir: string, exitCode: number) {
  const verdict = ['objectives met', 'an objective was missed', 'invalid input', 'aborted or failed'][exitCode];
  console.log(`drill ${drillId}: ${verdict}`);
  console.log(`report: ${dir}/report.md`);
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CliError) {
    console.error(err.message);
    process.exitCode = err.exitCode;
  } else {
    console.error(`drill: ${(err as Error).message ?? err}`);
    process.exitCode = 3;
  }
});
