// Writes a drill's reports under DIR/<drill-id>/: report.json, report.md, report.html, junit.xml.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DrillRecord } from '../model/record.js';
import { buildReport, type Report } from './build.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import type { Lang } from './headings.js';

export async function writeReports(record: DrillRecord, resultsDir: string, lang: Lang = 'en'): Promise<{ dir: string; report: Report }> {
  const report = buildReport(record);
  const dir = join(resultsDir, record.drillId);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  await writeFile(join(dir, 'report.md'), renderMarkdown(report, lang));
  await writeFile(join(dir, 'report.html'), await renderHtml(report, lang));
  await writeFile(join(dir, 'junit.xml'), renderJunit(report));
  return { dir, report };
}
