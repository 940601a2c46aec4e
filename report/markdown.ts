// report.json → report.md, readable in a pull request: the report document (document.ts) as markdown.
// Pure: the same report renders the same text.
import type { Report } from './build.js';
import { reportDocument, type Block } from './document.js';
import { type Lang } from '../model/lang.js';
import type { ScenarioHistory } from './history.js';

function block(b: Block): string[] {
  switch (b.kind) {
    case 'text': return [b.text];
    case 'list': return b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : '-'} ${item}`);
    case 'table': return [`| ${b.head.join(' | ')} |`, `|${b.head.map(() => '---').join('|')}|`, ...b.rows.map((row) => `| ${row.join(' | ')} |`)];
  }
}

export function renderMarkdown(r: Report, lang: Lang = 'en', trend?: ScenarioHistory): string {
  const doc = reportDocument(r, lang, trend);
  const out = [`# ${doc.title}`, '', '| | |', '|---|---|', ...doc.summary.map(([k, v]) => `| ${k} | ${v} |`), ''];
  if (doc.description) out.push(doc.description, '');
  for (const s of doc.sections) {
    out.push(`${'#'.repeat(s.level ?? 2)} ${s.title}`, '');
    for (const b of s.blocks) out.push(...block(b), '');
  }
  return out.join('\n');
}
