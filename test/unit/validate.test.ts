import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../model/scenario.js';
import { formatError, validateScenarioFile, validateScenarioText } from '../../model/validate.js';

const base = await readFile(new URL('../fixtures/minimal.yaml', import.meta.url), 'utf8');
const errorsOf = (text: string) => {
  const v = validateScenarioText(text, 'plan.yaml');
  if (v.ok) throw new Error('expected errors');
  return v.errors.map(formatError);
};
/** Line (1-based) of the first line containing `needle` in `text`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('scenario validation', () => {
  it('accepts the shipped scenarios and the minimal fixture', async () => {
    expect(validateScenarioText(base).ok).toBe(true);
    const shipped = await validateScenarioFile('scenarios/restore-from-backup.yaml');
    expect(shipped.ok ? [] : shipped.errors.map(formatError)).toEqual([]);
  });

  it('reports bad YAML with its position', () => {
    const [e] = errorsOf('version: 1\nname: [unclosed\n');
    expect(e).toMatch(/^plan\.yaml:\d+:\d+ \(scenario\): YAML: /);
  });

  it('refuses an unknown step kind at the step', () => {
    const text = base.replace('kind: docker', 'kind: teleport');
    expect(errorsOf(text)).toEqual([`plan.yaml:${lineOf(text, 'kind: teleport')}:11 steps[1].kind: step kind must be one of: docker, wait, fault, manual, gate, notify, verify`]);
  });

  it('refuses duplicate step ids, naming the first', () => {
    const text = base.replace('id: poke', 'id: settle');
    const second = text.split('\n').findIndex((l, i) => l.includes('id: settle') && i + 1 > lineOf(text, 'id: settle')) + 1;
    expect(errorsOf(text)).toEqual([`plan.yaml:${second}:9 steps[1].id: duplicate step id "settle" (first at steps[0])`]);
  });

  it('refuses a step naming a container the topology lacks', () => {
    const text = base.replace('target: web', 'target: ghost');
    expect(errorsOf(text)).toEqual([`plan.yaml:${lineOf(text, 'target: ghost')}:${text.split('\n')[lineOf(text, 'target: ghost') - 1]!.indexOf('ghost') + 1} steps[1].docker.target: no container "ghost" in the topology (have: web)`]);
  });

  it('refuses negative and unparsable durations', () => {
    const neg = errorsOf(base.replace('for: 1s', 'for: -1s'));
    expect(neg).toHaveLength(1);
    expect(neg[0]).toMatch(/^plan\.yaml:\d+:\d+ steps\[0\]\.for: duration must not be negative/);
    const bad = errorsOf(base.replace('rto: 30s', 'rto: thirty'));
    expect(bad[0]).toMatch(/^plan\.yaml:\d+:\d+ objectives\[0\]\.rto: write a duration with a unit/);
  });

  it('refuses a scenario without objectives', () => {
    const text = base.replace(/objectives:[\s\S]*?(?=steps:)/, '');
    expect(errorsOf(text)).toEqual(['plan.yaml:1:1 objectives: Invalid input: expected array, received undefined']);
  });

  it('reports an unknown field on the field itself', () => {
    const text = base.replace('      image: drill/redis:latest', '      image: drill/redis:latest\n      imagee: typo');
    expect(errorsOf(text)).toEqual([`plan.yaml:${lineOf(text, 'imagee')}:7 topology.containers.web.imagee: Unrecognized key: "imagee"`]);
  });

  it('reports every error at once', () => {
    const text = base.replace('target: web', 'target: ghost').replace('for: 1s', 'for: -1s');
    expect(errorsOf(text)).toHaveLength(2);
  });

  it('keeps the exported JSON Schema in step with the zod schema', async () => {
    const committed = JSON.parse(await readFile('model/scenario.schema.json', 'utf8'));
    expect(committed).toEqual(scenarioJsonSchema());
  });
});
