// Effects on the orchestrator's own files: reading a scenario when a scheduled drill fires (so the run
// uses the plan as it is then, revisions accepted since included) and writing a drill's reports.
import { ApplicationFailure } from '@temporalio/common';
import type { DrillRecord } from '../model/record.js';
import { toDrillSpec, type DrillSpec } from '../model/spec.js';
import { newDrillId } from '../model/drill-id.js';
import { formatError, validateScenarioFile } from '../model/validate.js';
import type { Lang } from '../report/headings.js';
import { writeReports } from '../report/write.js';

export const fileActivities = {
  /** The scenario file as it is now, resolved into a spec; an invalid plan fails the run, not retried. */
  async loadScenario(input: { file: string; operator: DrillSpec['operator']; firedAt: number }): Promise<DrillSpec> {
    const v = await validateScenarioFile(input.file);
    if (!v.ok) throw ApplicationFailure.nonRetryable(`${input.file} is not a valid scenario:\n${v.errors.map(formatError).join('\n')}`, 'InvalidScenario');
    return toDrillSpec(v.scenario, newDrillId(v.scenario.name, new Date(input.firedAt)), input.file, input.operator);
  },

  async writeDrillReports(input: { record: DrillRecord; results: string; lang?: Lang }): Promise<{ dir: string; status: string }> {
    const { dir, report } = await writeReports(input.record, input.results, input.lang);
    return { dir, status: report.status };
  },
};

export type FileActivities = typeof fileActivities;
