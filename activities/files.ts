// Effects on the orchestrator's own files: reading a scenario when a scheduled drill fires (so the run
// uses the plan as it is then, revisions accepted since included) and writing a drill's reports.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import type { DrillRecord } from '../model/record.js';
import { toDrillSpec, type DrillSpec } from '../model/spec.js';
import { newDrillId } from '../model/drill-id.js';
import { formatError, validateScenarioFile } from '../model/validate.js';
import { type Lang } from '../model/lang.js';
import { writeReports } from '../report/write.js';

/** A pool's scenario files: each file given, and every .yaml/.yml of each directory given, in name order. */
export async function expandPool(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of paths) {
    const st = await stat(a).catch(() => null);
    if (!st) throw new Error(`${a}: no such file or directory`);
    if (!st.isDirectory()) { out.push(resolve(a)); continue; }
    const names = (await readdir(a)).filter((n) => /\.ya?ml$/.test(n) && !n.includes('.revised.')).sort();
    if (names.length === 0) throw new Error(`${a}: no scenario files (.yaml) in it`);
    out.push(...names.map((n) => resolve(join(a, n))));
  }
  return out;
}

export const fileActivities = {
  /** An exercise's pool as it is when the exercise starts: directories read again, every file validated. */
  async loadPool(input: { paths: string[]; firedAt: number }): Promise<DrillSpec[]> {
    const files = await expandPool(input.paths).catch((err: Error) => { throw ApplicationFailure.nonRetryable(err.message, ErrorType.InvalidScenario); });
    return Promise.all(files.map((file) => fileActivities.loadScenario({ file, operator: 'people', firedAt: input.firedAt })));
  },

  /** The scenario file as it is now, resolved into a spec; an invalid plan fails the run, not retried. */
  async loadScenario(input: { file: string; operator: DrillSpec['operator']; firedAt: number }): Promise<DrillSpec> {
    const v = await validateScenarioFile(input.file);
    if (!v.ok) throw ApplicationFailure.nonRetryable(`${input.file} is not a valid scenario:\n${v.errors.map(formatError).join('\n')}`, ErrorType.InvalidScenario);
    return toDrillSpec(v.scenario, newDrillId(v.scenario.name, new Date(input.firedAt)), input.file, input.operator);
  },

  async writeDrillReports(input: { record: DrillRecord; results: string; lang?: Lang }): Promise<{ dir: string; status: string }> {
    const { dir, report } = await writeReports(input.record, input.results, input.lang);
    return { dir, status: report.status };
  },
};

export type FileActivities = typeof fileActivities;
