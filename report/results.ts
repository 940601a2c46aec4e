// Reading a results directory: every drill's report.json (and any JSON put directly in it), skipping
// with a warning what is not a report, and a drill copied twice.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from './build.js';
import { asReport } from './history.js';

/** report.json of each drill directory, and any JSON put directly in the results directory. */
export async function reportFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.json')) files.push(join(dir, e.name));
    else if (e.isDirectory()) {
      const inside = await readdir(join(dir, e.name)).catch(() => [] as string[]);
      if (inside.includes('report.json')) files.push(join(dir, e.name, 'report.json'));
    }
  }
  return files.sort();
}

export async function readReports(files: string[], warn: (line: string) => void): Promise<Report[]> {
  const reports = new Map<string, { report: Report; file: string }>();
  for (const file of files) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      warn(`skipped ${file}: not readable JSON (${(err as Error).message.split('\n')[0]})`);
      continue;
    }
    const report = asReport(value);
    if (typeof report === 'string') { warn(`skipped ${file}: ${report}`); continue; }
    // A copied drill directory would count the same drill twice.
    const seen = reports.get(report.drillId);
    if (seen) { warn(`skipped ${file}: drill ${report.drillId} already read from ${seen.file}`); continue; }
    reports.set(report.drillId, { report, file });
  }
  return [...reports.values()].map((r) => r.report);
}


/** Every readable report in a directory, quietly: for evidence and trends, a missing or unreadable directory is no drills. */
export async function readResults(dir: string): Promise<Report[]> {
  return reportFiles(dir).then((files) => readReports(files, () => undefined), () => []);
}
