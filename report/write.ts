// Writes a drill's reports under DIR/<drill-id>/: report.json, report.md, report.html, junit.xml. The
// readable reports carry the scenario's trend across the earlier drills found in DIR.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DrillRecord } from '../model/record.js';
import { buildReport, exitCodeOf, type Report } from './build.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { type Lang } from '../model/lang.js';
import { buildHistory } from './history.js';
import { readResults } from './results.js';

export async function writeReports(record: DrillRecord, resultsDir: string, lang: Lang = 'en'): Promise<{ dir: string; report: Report; exitCode: ReturnType<typeof exitCodeOf> }> {
  const report = buildReport(record);
  const dir = join(resultsDir, record.drillId);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  // A results directory that cannot be read costs the trend, never the report.
  const earlier = await readResults(resultsDir);
  // This drill counts once, as it is now, whatever copies of it the directory holds.
  const drills = [...earlier.filter((e) => e.drillId !== report.drillId && e.scenario === report.scenario), report];
  const trend = buildHistory(drills, { scenario: report.scenario }).scenarios[0];
  await writeFile(join(dir, 'report.md'), renderMarkdown(report, lang, trend));
  await writeFile(join(dir, 'report.html'), await renderHtml(report, lang, trend));
  await writeFile(join(dir, 'junit.xml'), renderJunit(report));
  return { dir, report, exitCode: exitCodeOf(report) };
}
