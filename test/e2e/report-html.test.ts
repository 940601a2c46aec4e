// report.html as a reader gets it: rendered from recorded drills, the same bytes every time, with every
// section report.md has; then opened from file:// in headless Chromium, where it must fetch nothing,
// draw its charts with their markers, and print to PDF on white.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aptInstall, isDebianRoot } from '../../setup/engine.js';
import type { DrillRecord } from '../../model/record.js';
import { buildReport } from '../../report/build.js';
import { renderHtml } from '../../report/html.js';
import { renderMarkdown } from '../../report/markdown.js';
import { writeReports } from '../../report/write.js';

const load = async (name: string): Promise<DrillRecord> => JSON.parse(await readFile(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
// A real restore-from-backup drill (ledger, lost writes), and a real drill with people in it: a gate
// decided by its role, a breakdown on a manual step, a public notification.
const drills = { restore: await load('restore-record.json'), interactive: await load('interactive-record.json') };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const svgTexts = (html: string) => [...html.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('report.html from a recorded drill', () => {
  for (const [name, record] of Object.entries(drills)) {
    it(`${name}: renders the same bytes from the same record, with every section of report.md`, async () => {
      const html = await renderHtml(buildReport(structuredClone(record)));
      expect(await renderHtml(buildReport(structuredClone(record)))).toBe(html);
      const md = renderMarkdown(buildReport(structuredClone(record)));
      const headings = [...md.matchAll(/^(#{2,3}) (.+)$/gm)].map((m) => `<h${m[1]!.length}>${esc(m[2]!)}</h${m[1]!.length}>`);
      expect(headings.length).toBeGreaterThan(5);
      for (const h of headings) expect(html).toContain(h);
      expect(html).toContain(`<h1>Drill report: ${record.spec.scenario}</h1>`);
      for (const e of record.timeline) expect(html).toContain(esc(e.detail));
      expect(html.match(/<figure id="(steps|impact)-chart">\n<h3>[^<]+<\/h3>\n<svg /g)).toHaveLength(2);
    });
  }

  it('restore: matches the golden file', async () => {
    await expect(await renderHtml(buildReport(drills.restore))).toMatchFileSnapshot('../fixtures/restore-report.html');
  });

  it('fetches nothing: no script, stylesheet link, font or image source; only XML namespaces name a URL', async () => {
    for (const record of Object.values(drills)) {
      const html = await renderHtml(buildReport(record));
      expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|@import|@font-face|\ssrc=/i);
      expect([...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]).filter((u) => !u!.startsWith('#'))).toEqual([]);
      const urls = new Set([...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]));
      expect([...urls].sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
    }
  });

  it('draws the RTO line, t0, detection, decisions and recovery as labelled markers', async () => {
    const restore = svgTexts(await renderHtml(buildReport(drills.restore)));
    expect(restore).toEqual(expect.arrayContaining(['t0', 'detected', 'restored', 'RTO t0+2m00s']));
    // 116 acknowledged writes were lost: the write chart shows the outcome among its legend entries.
    expect(restore).toEqual(expect.arrayContaining(['acknowledged', 'acknowledged, then lost', 'never acknowledged']));
    const interactive = await renderHtml(buildReport(drills.interactive));
    expect(svgTexts(interactive)).toEqual(expect.arrayContaining(['t0', 'restored', 'decided: declare', 'RTO t0+5m00s']));
    expect(interactive).toContain('procedure-missing');
    expect(interactive).toContain('decided by cho (chief-officer)');
    expect(interactive).toContain('public → status page: Orders are unavailable');
    expect(svgTexts(interactive)).toContain('19.7s, expected 3.0s (+16.7s)');
  });

  it('still renders a drill where no fault took effect, and one aborted mid-step', async () => {
    const noFault = structuredClone(drills.restore);
    noFault.t0 = null;
    const html = await renderHtml(buildReport(noFault));
    expect(html).toContain('no fault took effect');
    expect(svgTexts(html)).not.toContain('t0');
    const aborted = structuredClone(drills.interactive);
    aborted.status = 'aborted';
    const restart = aborted.steps.find((s) => s.id === 'restart')!;
    restart.status = 'running';
    delete restart.endedAt;
    delete restart.durationMs;
    for (const s of aborted.steps.slice(aborted.steps.indexOf(restart) + 1)) {
      s.status = 'pending';
      delete s.startedAt;
      delete s.endedAt;
      delete s.durationMs;
    }
    const abortedHtml = await renderHtml(buildReport(aborted));
    expect(abortedHtml).not.toContain('could not be drawn');
    expect(svgTexts(abortedHtml).some((t) => t.endsWith('— running'))).toBe(true);
  });
});

describe('report.html in headless Chromium', () => {
  const executablePath = '/usr/bin/chromium';
  let browser: Browser;
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    if (!existsSync(executablePath)) {
      if (!isDebianRoot()) throw new Error(`${executablePath} is missing: install Debian's chromium (apt-get install chromium)`);
      aptInstall(['chromium'], (s) => console.log(s));
    }
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    dir = await mkdtemp(join(tmpdir(), 'drill-report-html-'));
    for (const [name, record] of Object.entries(drills)) {
      const written = await writeReports(record, dir);
      files[name] = join(written.dir, 'report.html');
    }
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const name of Object.keys(drills)) {
    it(`${name}: opens from file:// without a fetch, draws its charts, prints to PDF`, async () => {
      const page = await browser.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('**/*', (route) => (/^(file|data):/.test(route.request().url()) ? route.continue() : route.abort()));
      await page.goto(pathToFileURL(files[name]!).href, { waitUntil: 'load' });

      expect(requests.filter((u) => !/^(file|data):/.test(u))).toEqual([]);
      expect(errors).toEqual([]);
      const charts = () => page.evaluate(() => [...document.querySelectorAll('figure svg')].map((svg) => {
        const box = svg.getBoundingClientRect();
        return {
          id: svg.closest('figure')!.id, width: box.width, height: box.height,
          marks: svg.querySelectorAll('path, rect, line').length,
          texts: [...svg.querySelectorAll('text')].map((t) => t.textContent ?? ''),
        };
      }));
      const screen = await charts();
      expect(screen.map((c) => c.id)).toEqual(['steps-chart', 'impact-chart']);
      for (const c of screen) {
        expect(c.width).toBeGreaterThan(300);
        expect(c.height).toBeGreaterThan(80);
        expect(c.marks).toBeGreaterThan(20);
      }
      const markers = ['t0', 'detected', 'restored', ...(name === 'interactive' ? ['decided: declare'] : [])];
      expect(screen[0]!.texts).toEqual(expect.arrayContaining(markers));
      expect(screen[0]!.texts.some((t) => t.startsWith('RTO t0+'))).toBe(true);
      expect(screen[1]!.texts).toEqual(expect.arrayContaining(markers));

      await page.emulateMedia({ media: 'print' });
      const print = await page.evaluate(() => {
        const dark = [...document.querySelectorAll('*')].filter((el) => {
          const m = getComputedStyle(el).backgroundColor.match(/[\d.]+/g)?.map(Number);
          if (!m || m.length < 3 || m[3] === 0) return false;
          return 0.2126 * m[0]! + 0.7152 * m[1]! + 0.0722 * m[2]! < 160;
        }).map((el) => el.tagName);
        const breaks = [...document.querySelectorAll('section.major')].map((s) => getComputedStyle(s).breakBefore);
        return { dark, breaks };
      });
      expect(print.dark).toEqual([]);
      expect(print.breaks.length).toBeGreaterThanOrEqual(3);
      expect(new Set(print.breaks)).toEqual(new Set(['page']));
      for (const c of await charts()) expect(c.width * c.height).toBeGreaterThan(0);

      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(20_000);
      // Chromium writes page objects uncompressed: one page for the summary, then one per page break at least.
      expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length).toBeGreaterThanOrEqual(1 + print.breaks.length);
      await page.close();
    });
  }
});
