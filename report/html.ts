// report.json → report.html: what report.md says, as HTML tables and lists, plus the pictures (steps
// against the runbook, impact over time) inlined as SVG. One self-contained file: no script, no font,
// nothing fetched, so it opens from an archive or an air-gapped share and prints to PDF as it is.
// Pure apart from the chart rendering being async: the same report renders the same bytes.
import type { Report } from './build.js';
import { renderCharts, type Chart } from './charts.js';
import { type Lang } from '../model/lang.js';
import { heading } from './headings.js';
import { reportDocument, type Block, type Section } from './document.js';
import type { ScenarioHistory } from './history.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/**
 * The document's inline markup as HTML: `code`, **strong** (a verdict gets its colour), backslash
 * escapes for what came from a record; everything else escaped.
 */
export function inline(text: string): string {
  let out = '';
  let strong = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) out += esc(text[++i]!);
    else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) { out += esc(c); continue; }
      out += `<code>${esc(text.slice(i + 1, end))}</code>`;
      i = end;
    } else if (c === '*' && text[i + 1] === '*') {
      out += strong ? '</strong>' : '<strong>';
      strong = !strong;
      i++;
    } else out += esc(c);
  }
  if (strong) out += '</strong>';
  return out.replace(/<strong>(met|MISSED|not measured|verified fixed|still failing|not exercised)<\/strong>/g, (_m, v: string) => `<strong class="${v === 'met' || v === 'verified fixed' ? 'met' : v === 'not exercised' || v === 'not measured' ? 'unmeasured' : 'missed'}">${v}</strong>`);
}

function block(b: Block): string {
  switch (b.kind) {
    case 'text': return `<p>${inline(b.text)}</p>`;
    case 'list': return b.items.length ? `<${b.ordered ? 'ol' : 'ul'}>\n${b.items.map((i) => `<li>${inline(i)}</li>`).join('\n')}\n</${b.ordered ? 'ol' : 'ul'}>` : '';
    case 'table': {
      const cell = (tag: 'th' | 'td', c: string, i: number) => `<${tag}${b.numeric?.includes(i) ? ' class="num"' : ''}>${inline(c)}</${tag}>`;
      return ['<table>', `<thead><tr>${b.head.map((h, i) => cell('th', h, i)).join('')}</tr></thead>`, '<tbody>',
        ...b.rows.map((r) => `<tr>${r.map((c, i) => cell('td', c, i)).join('')}</tr>`), '</tbody></table>'].join('\n');
    }
  }
}


const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1b1f23; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6em; margin: 0 0 .5em; }
h2 { font-size: 1.25em; margin: 1.8em 0 .6em; padding-bottom: .2em; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
nav { font-size: 12px; color: #57606a; margin: .4em 0 1em; }
nav a { color: #0b5cad; margin-right: .9em; white-space: nowrap; }
table { border-collapse: collapse; margin: .5em 0 .8em; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #f3f5f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary th { background: #f3f5f7; font-weight: 600; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em; background: #f3f5f7; padding: 0 .25em; border-radius: 3px; }
.met { color: #1a7f37; } .missed { color: #b03a2e; } .unmeasured { color: #57606a; }
.rel { color: #57606a; }
figure { margin: .6em 0 1.4em; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: .4em; font-size: .86em; color: #57606a; max-width: 62em; }
li { margin: .15em 0; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10.5px; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  section.major { break-before: page; }
  h2, h3 { break-after: avoid; }
  figure, tr, li { break-inside: avoid; }
  thead { display: table-header-group; }
  thead th, table.summary th, code { background: none; }
  table { font-size: 10px; }
}
`.trim();

export async function renderHtml(r: Report, lang: Lang = 'en', trend?: ScenarioHistory): Promise<string> {
  const doc = reportDocument(r, lang, trend);
  const charts = await renderCharts(r);
  // The pictures are the report's "impact over time": right before the timelines they illustrate.
  const impact: Section | null = charts.length ? { id: 'charts', title: heading(lang)('impact'), major: true, blocks: [] } : null;
  const sections = doc.sections.flatMap((s) => (s.id === 'response-timeline' && impact ? [impact, s] : [s]));
  const body = (s: Section) => (s === impact
    ? charts.map((c) => `<figure id="${c.id}">\n<h3>${esc(c.title)}</h3>\n${c.error ? `<p class="missed">This chart could not be drawn: ${esc(c.error)}</p>` : c.svg}\n<figcaption>${esc(c.caption)}</figcaption>\n</figure>`).join('\n')
    : s.blocks.map(block).join('\n'));
  return [
    '<!doctype html>',
    `<html lang="${lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    // Enforces what the file promises: nothing is fetched, whatever a viewer does with it.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${inline(doc.title)} (${esc(r.drillId)})</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<header>',
    `<h1>${inline(doc.title)}</h1>`,
    `<nav>${sections.filter((s) => (s.level ?? 2) === 2).map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join(' ')}</nav>`,
    `<table class="summary">\n<tbody>\n${doc.summary.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${inline(v)}</td></tr>`).join('\n')}\n</tbody></table>`,
    doc.description ? `<p class="description">${inline(doc.description)}</p>` : '',
    '</header>',
    ...sections.map((s) => {
      const level = s.level ?? 2;
      return `<section id="${s.id}"${s.major ? ' class="major"' : ''}>\n<h${level}>${esc(s.title)}</h${level}>\n${body(s)}\n</section>`;
    }),
    '</main>',
    '</body>',
    '</html>',
  ].filter((line) => line !== '').join('\n') + '\n';
}
