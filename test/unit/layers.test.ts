// The project's layers, read from its import statements: a pure model at the bottom, reports over it,
// activities that touch the world, workflows that hold only deterministic code (activities reach them
// as types, through proxies), and the worker and CLI on top. A wrong-way import or a cycle fails here
// with the edges that break the rule, instead of surfacing later as a bundling or replay problem.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FOLDERS = ['model', 'workflows', 'activities', 'report', 'worker', 'setup', 'cli'] as const;
type Folder = (typeof FOLDERS)[number];

/** One relative import: `typeOnly` when the compiler erases it (`import type`, every name `type`, a type query). */
type Edge = { from: string; to: string; typeOnly: boolean };

const posix = (p: string) => p.split(sep).join('/');

function tsFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  return readdirSync(abs).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return tsFiles(rel);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [posix(rel)] : [];
  });
}

/** `./x.js` as the source file it is compiled from (`x.ts`); other files (JSON) as they are named. */
function resolve(from: string, spec: string): string {
  const p = posix(normalize(join(dirname(from), spec)));
  if (p.endsWith('.js')) return `${p.slice(0, -3)}.ts`;
  if (/\.[a-z]+$/i.test(p)) return p;
  const asFile = `${p}.ts`;
  try {
    statSync(join(ROOT, asFile));
    return asFile;
  } catch {
    return `${p}/index.ts`;
  }
}

function edgesOf(file: string): Edge[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Edge[] = [];
  const add = (spec: ts.Node | undefined, typeOnly: boolean) => {
    if (spec && ts.isStringLiteralLike(spec) && spec.text.startsWith('.')) out.push({ from: file, to: resolve(file, spec.text), typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamesTyped = clause !== undefined && clause.name === undefined && named !== undefined && ts.isNamedImports(named)
        && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause !== undefined && (clause.isTypeOnly || allNamesTyped));
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      const allNamesTyped = named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || allNamesTyped);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const files = FOLDERS.flatMap((f) => tsFiles(f));
const edges = files.flatMap(edgesOf);
const folderOf = (path: string) => path.split('/')[0]!;
const show = (e: Edge) => `${e.from} -> ${e.to}${e.typeOnly ? ' (type only)' : ''}`;

/** Every import cycle, one per strongly connected set of files, as the path that closes it. */
function cycles(): string[] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const f of files) if (!index.has(f)) connect(f);
  return components.map((component) => {
    // The shortest way from the first file back to itself, inside its component.
    const inside = new Set(component);
    const start = [...component].sort()[0]!;
    const cameFrom = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
      const v = queue.shift()!;
      const ws = (next.get(v) ?? []).filter((w) => inside.has(w));
      if (ws.includes(start)) {
        const path = [v];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start].join(' -> ');
      }
      for (const w of ws) if (!cameFrom.has(w) && w !== start) { cameFrom.set(w, v); queue.push(w); }
    }
    return component.join(', ');
  });
}

/** What each folder may import from, besides itself; npm packages are never counted. */
const ALLOWED: Record<Folder, (e: Edge) => boolean> = {
  model: () => false,
  report: (e) => folderOf(e.to) === 'model',
  // A workflow calls activities through proxies: their types, never their code, which is not deterministic.
  workflows: (e) => folderOf(e.to) === 'model' || (folderOf(e.to) === 'activities' && e.typeOnly),
  // activities/files.ts writes reports; activities/keys.ts keeps the drill's keys where setup put them.
  activities: (e) => ['model', 'report'].includes(folderOf(e.to)) || e.to === 'setup/paths.ts',
  setup: (e) => folderOf(e.to) === 'model',
  worker: (e) => folderOf(e.to) !== 'cli',
  cli: () => true,
};

const offending = (folder: Folder) => edges
  .filter((e) => folderOf(e.from) === folder && folderOf(e.to) !== folder && !ALLOWED[folder](e))
  .map(show);

describe('module layering', () => {
  it('reads the imports of every layer', () => {
    for (const f of FOLDERS) expect(files.some((x) => folderOf(x) === f), f).toBe(true);
    expect(edges.some((e) => e.from === 'model/spec.ts'), 'model/spec.ts imports').toBe(true);
  });

  it('has no import cycle', () => {
    const found = cycles();
    expect(found, `import cycles:\n  ${found.join('\n  ')}`).toEqual([]);
  });

  it.each([
    ['model', 'model/ only'],
    ['report', 'report/ and model/'],
    ['activities', 'activities/, model/, report/ and setup/paths.ts'],
    ['workflows', 'workflows/, model/, and types from activities/'],
    ['setup', 'setup/ and model/'],
    ['worker', 'anything but cli/'],
    ['cli', 'anything'],
  ] as [Folder, string][])('%s/ imports %s', (folder) => {
    const bad = offending(folder);
    expect(bad, `imports out of ${folder}/'s layer:\n  ${bad.join('\n  ')}`).toEqual([]);
  });
});
