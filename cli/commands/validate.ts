// Checking plans before anyone runs them: `drill validate`, `drill lint`, and the JSON Schema that lets
// an editor check them while they are written (`drill schema`).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { scenarioJsonSchema } from '../../model/scenario.js';
import { formatError, validateScenarioFile } from '../../model/validate.js';
import { lint } from '../lint.js';
import { resultsOption } from '../options.js';

export function register(program: Command): void {
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
    .addOption(resultsOption('completed drills here count as drills of the scenario a path names'))
    .option('--today <date>', 'the day to count the last year back from (YYYY-MM-DD; default today, UTC)')
    .action(async (plans: string[], o) => {
      const r = await lint(plans, { results: o.results, today: o.today });
      for (const l of r.out) console.log(l);
      for (const l of r.err) console.error(l);
      process.exitCode = r.exitCode;
    });

  program.command('schema').description('print (or write) the scenario JSON Schema, for editors')
    .option('--out <file>')
    .action(async (o) => {
      const text = JSON.stringify(scenarioJsonSchema(), null, 2) + '\n';
      if (o.out) await writeFile(o.out, text); else process.stdout.write(text);
    });
}
