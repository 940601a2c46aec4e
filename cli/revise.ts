// `drill revise FILE --from REPORT`: the drill's findings written into a revised scenario beside the
// original (or shown as a unified diff). The original is never touched; the revision must validate.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { formatError, validateScenarioText } from '../model/validate.js';
import type { Report } from '../report/build.js';
import { reviseScenario } from '../report/revise.js';
import { CliError } from './errors.js';

export function revisedPath(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.revised${ext || '.yaml'}`);
}

export async function revise(file: string, opts: { from: string; diff?: boolean; out?: string; owner?: string }): Promise<{ out?: string; diff?: string; changes: string[] }> {
  const text = await readFile(file, 'utf8').catch((err: Error) => { throw new CliError(`${file}: ${err.message}`, 2); });
  const valid = validateScenarioText(text, file);
  if (!valid.ok) throw new CliError(valid.errors.map(formatError).join('\n'), 2);
  let report: Report;
  try {
    report = JSON.parse(await readFile(opts.from, 'utf8'));
  } catch (err) {
    throw new CliError(`${opts.from}: not a readable report.json (${(err as Error).message})`, 2);
  }
  if (!Array.isArray(report?.steps) || !Array.isArray(report?.objectives) || typeof report.drillId !== 'string') {
    throw new CliError(`${opts.from}: not a drill report (report.json with drillId, steps and objectives)`, 2);
  }
  if (report.scenario !== valid.scenario.name) {
    throw new CliError(`${opts.from}: a report of scenario "${report.scenario}", not of "${valid.scenario.name}" (${file})`, 2);
  }
  const revision = reviseScenario(text, report, opts.owner ? { owner: opts.owner } : {});
  const out = opts.out ?? revisedPath(file);
  const check = validateScenarioText(revision.text, out);
  if (!check.ok) throw new CliError(`the revision does not validate (a bug; nothing written):\n${check.errors.map(formatError).join('\n')}`, 3);
  if (opts.diff) return { diff: createTwoFilesPatch(file, out, text, revision.text, '', `revised from drill ${report.drillId}`), changes: revision.changes };
  await writeFile(out, revision.text);
  return { out, changes: revision.changes };
}
