// `drill lint PLAN...`: validation first (an invalid plan is refused as `drill validate` refuses it),
// then the guideline's rules (model/lint.ts) with completed drills under results/ as drill evidence.
import { readFile } from 'node:fs/promises';
import { formatError, scenarioLocator, validateScenarioText } from '../model/validate.js';
import { formatFinding, lintScenario, type DrillEvidence } from '../model/lint.js';
import { readResults } from '../report/results.js';
import { CliError } from './errors.js';

export type LintOutcome = { exitCode: 0 | 1 | 2; out: string[]; err: string[] };

export async function lint(files: string[], opts: { results: string; today?: string }): Promise<LintOutcome> {
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today) || Number.isNaN(Date.parse(today))) throw new CliError(`--today must be a date (YYYY-MM-DD), got "${today}"`, 2);
  const history = await completedDrills(opts.results);
  const out: string[] = [];
  const err: string[] = [];
  let invalid = false;
  let found = false;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      invalid = true;
      err.push(formatError({ file, line: 1, col: 1, field: '', message: `cannot read file: ${(e as Error).message}` }));
      continue;
    }
    const v = validateScenarioText(text, file);
    if (!v.ok) { invalid = true; err.push(...v.errors.map(formatError)); continue; }
    const findings = lintScenario({ scenario: v.scenario, locate: scenarioLocator(text), today, history });
    if (findings.length === 0) out.push(`${file}: no findings`);
    else { found = true; out.push(...findings.map((f) => formatFinding(file, f))); }
  }
  return { exitCode: invalid ? 2 : found ? 1 : 0, out, err };
}

/**
 * Completed drills in a results directory, read as `drill history` reads them. An aborted or failed
 * drill did not get through the path, so it is no evidence; what is not a readable report (a drill
 * still being written, someone's notes) is passed over rather than failing the lint.
 */
export async function completedDrills(dir: string): Promise<DrillEvidence[]> {
  return (await readResults(dir)).filter((r) => r.status === 'completed')
    .map((r) => ({ scenario: r.scenario, drillId: r.drillId, date: new Date(r.startedAt).toISOString().slice(0, 10) }));
}
