// A drill from start to finish: `drill run` (and `drill demo`, the headline drill on a fresh machine),
// then what can be done to one by its id while it runs or after: status, abort, heal.
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { abortSignal } from '../../workflows/messages.js';
import { drillStatus } from '../ended.js';
import { heal } from '../heal.js';
import { INTERRUPT_MODES } from '../interrupt.js';
import { byOption, langOption, noWorkerOption, operatorOption, ownTaskQueueOption, queueOf, reasonOption, resultsOption, seedOption } from '../options.js';
import { planDrill, runDrill, type RunOutcome } from '../run.js';
import { parseTimeScale } from '../script.js';
import { setup } from '../setup.js';
import { withClient, withWorker } from '../temporal.js';

// The built module runs from dist/cli/commands/; the scenarios stay at the package's root.
const HEADLINE_SCENARIO = new URL('../../../scenarios/restore-from-backup.yaml', import.meta.url);

const VERDICTS: Record<number, string> = { 0: 'objectives met', 1: 'an objective was missed', 2: 'invalid input', 3: 'aborted or failed', 5: 'an objective was not measured' };

/** The verdict and where the report is (`drill run`, `drill report`). */
export function summarise(drillId: string, dir: string, exitCode: number) {
  console.log(`drill ${drillId}: ${VERDICTS[exitCode] ?? `exit ${exitCode}`}`);
  console.log(`report: ${dir}/report.md`);
}

function finish(r: RunOutcome): void {
  // A detached run exits now: the drill goes on with its own worker, nothing here waits for it.
  if (!r.ended) process.exit(r.exitCode);
  summarise(r.record.drillId, r.reportDir, r.exitCode);
  process.exitCode = r.exitCode;
}

export function register(program: Command): void {
  program.command('run').description('run a drill; exit 0 objectives met, 1 missed, 2 invalid input, 3 aborted or failed, 5 an objective not measured; 130, 129, 143 when this terminal let go of the drill (Ctrl-C, closed, SIGTERM): it goes on')
    .argument('<file>')
    .addOption(operatorOption('who performs manual steps, gates and notifications: auto (unattended), people (participants answer with `drill step` / `drill decide`), interactive (this terminal prompts, others may answer too), script:FILE'))
    .addOption(byOption('with --operator interactive: who answers at this terminal (default $DRILL_PARTICIPANT or $USER)'))
    .addOption(langOption())
    .addOption(resultsOption())
    .option('--drill-id <id>', 'use this drill id instead of a generated one (letters, digits, ".", "_", "-")')
    .addOption(ownTaskQueueOption())
    .addOption(noWorkerOption())
    .addOption(new Option('--on-interrupt <what>', 'what Ctrl-C, SIGTERM or a closed terminal does to the drill: ask (at a terminal, on Ctrl-C; otherwise detach), abort (heal and remove everything), detach (it goes on; its worker writes the reports)').choices(INTERRUPT_MODES).default('ask'))
    .addOption(new Option('--time-scale <k>', 'with --operator script:FILE: multiply the script\'s times (after, at) by k, e.g. 0.1 for a rehearsal at ten times the pace').argParser(parseTimeScale))
    .addOption(seedOption('seed of the drill\'s random choices (fault targets); a drill\'s report gives the one it used'))
    .option('--dry-run', 'print every action with its resolved target, and exit without touching anything')
    .action(async (file: string, o) => {
      if (o.dryRun) {
        const lines = await planDrill(file, o.seed);
        for (const l of lines) console.log(l);
        process.exitCode = lines.some((l) => l.includes('REFUSED:')) ? 2 : 0;
        return;
      }
      finish(await runDrill(file, {
        seed: o.seed, operator: o.operator, results: o.results, drillId: o.drillId, taskQueue: o.taskQueue, worker: o.worker, by: o.by, lang: o.lang,
        onInterrupt: o.onInterrupt, timeScale: o.timeScale,
      }));
    });

  program.command('demo').description('set up what is missing, run the headline drill (restore from backup), print the report path')
    .addOption(resultsOption())
    .action(async (o) => {
      await setup();
      const r = await runDrill(fileURLToPath(HEADLINE_SCENARIO), { operator: 'auto', results: o.results, worker: true });
      if (!r.ended) process.exit(r.exitCode);
      summarise(r.record.drillId, r.reportDir, r.exitCode);
      process.exitCode = r.exitCode === 3 ? 3 : 0;
    });

  program.command('status').description('show a running or ended drill (an ended one needs no worker)').argument('<drill-id>')
    .action(async (id: string) => withClient(async (client) => { console.log(await drillStatus(client, id)); }));

  program.command('abort').description('abort a running drill; it heals and cleans up').argument('<drill-id>').addOption(reasonOption())
    .action(async (id: string, o) => withClient(async (client) => {
      await client.workflow.getHandle(id).signal(abortSignal, o.reason);
      console.log(`abort sent to ${id}`);
    }));

  program.command('heal').description('heal a drill\'s faults now: a running drill heals every fault in place; for an ended one, the faults it could not heal are healed here. Exit 0 healed, 3 not')
    .argument('<drill-id>')
    .addOption(ownTaskQueueOption())
    .addOption(noWorkerOption())
    .action(async (id: string, o) => withClient(async (client, address) => {
      const taskQueue = queueOf(o.taskQueue, o.worker, `drill-heal-${id}`);
      process.exitCode = await heal(client, id, taskQueue, (healing) => withWorker(address, taskQueue, o.worker, () => healing), (s) => console.log(s));
    }));
}
