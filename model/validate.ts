// Reads a scenario file and refuses it, before anything runs, with errors that say where and what:
// `file:line:col field: message`. Nothing here touches Docker or Temporal.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './scenario.js';
import { crossCheck } from './cross-check.js';
import { yamlFindings } from './yaml-guard.js';
import { fieldName, type Path, type Position } from './scenario-path.js';

export { fieldName, type Path, type Position } from './scenario-path.js';

export type ScenarioError = { file: string; line: number; col: number; field: string; message: string };
export type Validated = { ok: true; scenario: Scenario; file: string } | { ok: false; errors: ScenarioError[]; file: string };

export function formatError(e: ScenarioError): string {
  return `${e.file}:${e.line}:${e.col} ${e.field || '(scenario)'}: ${e.message}`;
}

export async function validateScenarioFile(file: string): Promise<Validated> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, file, errors: [{ file, line: 1, col: 1, field: '', message: `cannot read file: ${(err as Error).message}` }] };
  }
  return validateScenarioText(text, file);
}

export function validateScenarioText(text: string, file = '<scenario>'): Validated {
  const lines = new LineCounter();
  // Duplicate keys are refused by yamlFindings, in linear time.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number) => lines.linePos(offset);
  if (doc.errors.length > 0) {
    return {
      ok: false, file,
      errors: doc.errors.map((e) => ({ file, ...at(e.pos[0]), field: '', message: `YAML: ${e.message.split('\n')[0]}` })),
    };
  }
  // Aliases and reserved keys are refused on the document, before they can become (or break) data.
  const unsafe = yamlFindings(doc);
  if (unsafe.length > 0) return { ok: false, file, errors: unsafe.map((f) => ({ file, ...at(f.offset), field: f.field, message: f.message })) };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: -1 });
  } catch (err) {
    return { ok: false, file, errors: [{ file, line: 1, col: 1, field: '', message: `YAML: ${(err as Error).message}` }] };
  }
  const locate = (path: Path) => locatePath(doc, path, at);
  const { issues, scenario } = parseScenario(raw);
  const errors: ScenarioError[] = issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    // An unknown key is reported on the key itself, not its parent object.
    if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
      const key = issue.keys[0]!;
      return { file, ...locateKey(doc, path, key, at), field: fieldName([...path, key]), message: issue.message };
    }
    return { file, ...locate(path), field: fieldName(path), message: issue.message };
  });
  if (scenario) errors.push(...crossCheck(scenario).map(({ path, message }) => ({ file, ...locate(path), field: fieldName(path), message })));
  return errors.length > 0 || !scenario ? { ok: false, file, errors } : { ok: true, file, scenario };
}

/**
 * The schema's issues, and the scenario to cross-check. A duration out of its bounds does not stop the
 * cross-checks: with each such field set to its least value the plan is checked on, so a plan with a
 * wrong duration and a wrong reference hears of both at once.
 */
function parseScenario(raw: unknown): { issues: z.core.$ZodIssue[]; scenario?: Scenario } {
  const parsed = scenarioSchema.safeParse(raw);
  if (parsed.success) return { issues: [], scenario: parsed.data };
  const issues = parsed.error.issues;
  const least = (i: z.core.$ZodIssue) => (i.code === 'custom' ? (i.params as { durationMin?: number } | undefined)?.durationMin : undefined);
  if (!issues.every((i) => least(i) !== undefined)) return { issues };
  const mended = structuredClone(raw) as Record<string | number, unknown>;
  for (const i of issues) setIn(mended, i.path as (string | number)[], `${least(i)}ms`);
  const again = scenarioSchema.safeParse(mended);
  return again.success ? { issues, scenario: again.data } : { issues };
}

function setIn(root: Record<string | number, unknown>, path: (string | number)[], value: unknown) {
  let node: unknown = root;
  for (const k of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[k];
  (node as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

/**
 * The position finder validation uses, for checks that run later on a valid scenario (`drill lint`),
 * so their findings point where a validation error on the same path would.
 */
export function scenarioLocator(text: string): (path: Path) => Position {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  return (path) => locatePath(doc, path, (o) => lines.linePos(o));
}

/** Position of the deepest node on `path` that exists (a missing field points at its parent). */
function locatePath(doc: Document, path: Path, at: (o: number) => { line: number; col: number }) {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return at(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/** Position of a key itself (for a field that should not be there). */
function locateKey(doc: Document, parent: Path, key: string, at: (o: number) => { line: number; col: number }) {
  const map = doc.getIn(parent, true);
  if (isMap(map)) {
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair && isNode(pair.key) && pair.key.range) return at(pair.key.range[0]);
  }
  return locatePath(doc, parent, at);
}
