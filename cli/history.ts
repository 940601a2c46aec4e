// `drill history [SCENARIO]`: every report.json under the results directory, read into the history of
// each scenario. One bad file must not hide a year of drills: it is skipped with a warning.
import { formatError, validateScenarioFile } from '../model/validate.js';
import { buildHistory, looksLikeScenarioName, renderHistory } from '../report/history.js';
import { readReports, reportFiles } from '../report/results.js';
import { CliError } from './errors.js';

export const DEFAULT_RESULTS = 'results';

/** A scenario name as given, or the `name:` of a scenario file. */
async function scenarioName(arg: string): Promise<string> {
  if (looksLikeScenarioName(arg)) return arg;
  const v = await validateScenarioFile(arg);
  if (!v.ok) throw new CliError(v.errors.map(formatError).join('\n'), 2);
  return v.scenario.name;
}

export async function history(scenarioArg: string | undefined, opts: { results?: string; json?: boolean }): Promise<void> {
  const dir = (opts.results ?? DEFAULT_RESULTS).replace(/(.)\/+$/, '$1');
  const scenario = scenarioArg === undefined ? undefined : await scenarioName(scenarioArg);
  const warn = (line: string) => console.error(`warning: ${line}`);
  // Said on stderr under --json so stdout stays parseable.
  const say = (line: string) => (opts.json ? console.error(line) : console.log(line));
  let files: string[];
  try {
    files = await reportFiles(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // No results/ yet is how every project starts; a --results that is not there is a mistake.
    if (code === 'ENOENT' && opts.results === undefined) files = [];
    else if (code === 'ENOENT') throw new CliError(`${dir}: no such results directory`, 2);
    else throw new CliError(`${dir}: cannot read the results directory (${(err as Error).message})`, 2);
  }
  const reports = await readReports(files, warn);
  const h = buildHistory(reports, scenario === undefined ? {} : { scenario });
  if (opts.json) process.stdout.write(JSON.stringify(h, null, 2) + '\n');
  if (reports.length === 0) {
    say(`no drill reports in ${dir}/ (a drill writes ${dir}/<drill-id>/report.json: npx drill run FILE)`);
    return;
  }
  if (h.scenarios.length === 0) {
    const known = [...new Set(reports.map((r) => r.scenario))].sort();
    say(`no drills of scenario "${scenario}" in ${dir}/ (scenarios there: ${known.join(', ')})`);
    return;
  }
  if (!opts.json) process.stdout.write(renderHistory(h));
}
