// Learning from drills once they are over: the findings written back into the plan (`drill revise`),
// and the objectives drill after drill (`drill history`).
import type { Command } from 'commander';
import { drillReport } from '../ended.js';
import { history } from '../history.js';
import { jsonOption, langOption, resultsOption } from '../options.js';
import { revise } from '../revise.js';
import { withClient } from '../temporal.js';
import { summarise } from './run.js';

export function register(program: Command): void {
  program.command('report').description('write the reports of an ended drill from its record (report.json, .md, .html, junit.xml); exit as drill run does')
    .argument('<drill-id>')
    .addOption(resultsOption())
    .addOption(langOption())
    .action(async (id: string, o) => withClient(async (client) => {
      const r = await drillReport(client, id, o.results, o.lang);
      summarise(id, r.dir, r.exitCode);
      process.exitCode = r.exitCode;
    }));

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
    .addOption(resultsOption('where the reports are (default results/)', null))
    .addOption(jsonOption('print the history as JSON'))
    .action(async (scenario: string | undefined, o) => history(scenario, { results: o.results, json: o.json }));
}
