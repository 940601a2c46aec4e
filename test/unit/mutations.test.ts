// Every class of bad input a fuzzer found (alias bombs, prototype names, durations out of bounds, a
// disk-fill leaving its tmpfs, webhooks of other schemes, dangling follow-ups, wrong types...), applied
// to every shipped scenario: each is refused with the field it names and its file:line:col, and none
// makes validation throw. A positive control shows prototype names are not simply banned.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { formatError, validateScenarioText, type Validated } from '../../model/validate.js';
import { MUTATIONS, type Ctx, type Expected, type Path } from './mutation-table.js';

const SHIPPED = [
  ...readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).map((f) => `scenarios/${f}`),
  ...readdirSync('scenarios/unannounced').filter((f) => f.endsWith('.yaml')).map((f) => `scenarios/unannounced/${f}`),
];

const SOURCES = new Map(SHIPPED.map((f) => [f, parseDocument(readFileSync(f, 'utf8'))]));
const fieldName = (path: Path) => path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');

function context(doc: Document): Ctx {
  const s = doc.toJS() as { steps: Ctx['steps']; topology: { containers: Record<string, unknown> }; probes: Ctx['probes']; objectives: Ctx['objectives'] };
  return { doc, steps: s.steps, containers: Object.keys(s.topology.containers), probes: s.probes, objectives: s.objectives };
}

/** Where the refusal must point: the node at the path (or its deepest existing parent), or the key itself. */
function expectedAt(text: string, e: Expected): string {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const pos = (o: number) => { const p = lines.linePos(o); return `${p.line}:${p.col}`; };
  if (e.key) {
    const map = doc.getIn(e.path.slice(0, -1), true);
    const pairs = isMap(map) ? map.items.filter((p) => isScalar(p.key) && p.key.value === e.path[e.path.length - 1]) : [];
    const key = pairs[pairs.length - 1]?.key;
    if (isNode(key) && key.range) return pos(key.range[0]);
  }
  for (let n = e.path.length; n >= 0; n--) {
    const node = doc.getIn(e.path.slice(0, n), true);
    if (isNode(node) && node.range) return pos(node.range[0]);
  }
  return '1:1';
}

describe('bad input over the shipped scenarios', () => {
  it('starts from scenarios that validate', () => {
    expect(SHIPPED.length).toBeGreaterThanOrEqual(10);
    for (const file of SHIPPED) {
      const v = validateScenarioText(readFileSync(file, 'utf8'), file);
      expect(v.ok ? [] : v.errors.map(formatError), file).toEqual([]);
    }
  });

  it.each(MUTATIONS.map((m) => [m.name, m] as const))('refuses %s with its place, without throwing', (_name, m) => {
    let applied = 0;
    const problems: string[] = [];
    for (const file of SHIPPED) {
      const doc = SOURCES.get(file)!.clone();
      const e = m.apply(context(doc));
      if (!e) continue;
      applied++;
      const text = e.text ? e.text(doc.toString()) : doc.toString();
      let v: Validated;
      try {
        v = validateScenarioText(text, file);
      } catch (err) {
        problems.push(`${file}: validation threw ${(err as Error).stack}`);
        continue;
      }
      if (v.ok) { problems.push(`${file}: accepted`); continue; }
      const field = fieldName(e.path);
      const at = expectedAt(text, e);
      const hit = v.errors.find((x) => x.field === field && `${x.line}:${x.col}` === at && (!e.message || e.message.test(x.message)));
      if (!hit) problems.push(`${file}: wanted ${file}:${at} ${field}${e.message ? ` ${e.message}` : ''}, got:\n    ${v.errors.map(formatError).join('\n    ')}`);
      else expect(formatError(hit)).toMatch(new RegExp(`^${file}:\\d+:\\d+ `));
    }
    expect(applied, 'the mutation fits no shipped scenario').toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('accepts a container named constructor that is declared and used: prototype names are looked up, not banned', () => {
    const doc = parseDocument(readFileSync('scenarios/site-failover.yaml', 'utf8'));
    doc.setIn(['topology', 'containers', 'constructor'], doc.createNode({ image: 'drill/redis:latest', ports: [6379] }));
    doc.setIn(['probes', 'constructor-up'], doc.createNode({ kind: 'availability', target: { container: 'constructor', port: 6379 } }));
    doc.addIn(['steps'], doc.createNode({ id: 'constructor', kind: 'docker', docker: { action: 'pause', target: 'constructor' } }));
    const v = validateScenarioText(doc.toString(), 'constructor.yaml');
    expect(v.ok ? [] : v.errors.map(formatError)).toEqual([]);
  });
});
