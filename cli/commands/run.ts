// A drill from start to finish: `drill run` (and `drill demo`, the headline drill on a fresh machine),
// then what can be done to one by its id while it runs or after: status, abort, heal.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { abortSignal, statusQuery } from '../../workflows/messages.js';
import { heal } from '../heal.js';
import { byOption, langOption, noWorkerOption, operatorOption, reasonOption, resultsOption, seedOption, taskQueueOption } from '../options.js';
import { renderView } from '../progress.js';
import { planDrill, runDrill } from '../run.js';
import { setup } from '../setup.js';
import { withClient, withWorker } from '../temporal.js';

// The built module runs from dist/cli/commands/; the scenarios stay at the package's root.
const HEADLINE_SCENARIO = new URL('../../../scenarios/restore-from-backup.yaml', import.meta.url);

function summarise(drillId: string, dir: string, exitCode: number) {
  const verdict = ['objectives met', 'an objective was missed', 'invalid input', 'aborted or failed'][exitCode];
  console.log(`drill ${drillId}: ${verdict}`);
  console.log(`report: ${dir}/report.md`);
}

export function register(program: Command): void {
  program.command('run').description('run a drill; exit 0 objectives met, 1 missed, 2 invalid input, 3 aborted or failed')
    .argument('<file>')
    .addOption(operatorOption('who performs manual steps, gates and notifications: auto (unattended), people (participants answer with `drill step` / `drill decide`), interactive (this terminal prompts, others may answer too), script:FILE'))
    .addOption(byOption('with --operator interactive: who answers at this terminal (default $DRILL_PARTICIPANT or $USER)'))
    .addOption(langOption())
    .addOption(resultsOption())
    .option('--drill-id <id>', 'use this drill id instead of a generated one')
    .addOption(taskQueueOption())
    .addOption(noWorkerOption())
    .addOption(seedOption('seed of the drill\'s random choices (fault targets); a drill\'s report gives the one it used'))
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

  program.command('demo').description('set up what is missing, run the headline drill (restore from backup), print the report path')
    .addOption(resultsOption())
    .action(async (o) => {
      await setup();
      const r = await runDrill(fileURLToPath(HEADLINE_SCENARIO), { operator: 'auto', results: o.results, worker: true });
      summarise(r.record.drillId, r.reportDir, r.exitCode);
      process.exitCode = r.exitCode === 3 ? 3 : 0;
    });

  program.command('status').description('show a running or finished drill').argument('<drill-id>')
    .action(async (id: string) => withClient(async (client) => {
      console.log(renderView(await client.workflow.getHandle(id).query(statusQuery), Date.now()));
    }));

  program.command('abort').description('abort a running drill; it heals and cleans up').argument('<drill-id>').addOption(reasonOption())
    .action(async (id: string, o) => withClient(async (client) => {
      await client.workflow.getHandle(id).signal(abortSignal, o.reason);
      console.log(`abort sent to ${id}`);
    }));

  program.command('heal').description('heal a drill\'s faults now: a running drill heals every fault in place; for an ended one, the faults it could not heal are healed here. Exit 0 healed, 3 not')
    .argument('<drill-id>')
    .addOption(taskQueueOption())
    .addOption(noWorkerOption())
    .action(async (id: string, o) => withClient(async (client, address) => {
      process.exitCode = await heal(client, id, o.taskQueue, (healing) => withWorker(address, o.taskQueue, o.worker, () => healing), (s) => console.log(s));
    }));
}
