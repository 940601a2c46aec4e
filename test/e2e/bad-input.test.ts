// Bad scenario input through the `drill` command: every command that reads a plan (validate, lint,
// run --dry-run, exercise start) refuses a YAML alias problem the way it refuses any other error,
// `file:line:col field: message` with exit 2, instead of crashing with exit 3 and no location.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { temporalAddress } from '../support/harness.js';

type Out = { code: number | null; stdout: string; stderr: string };
const drill = (...args: string[]) => new Promise<Out>((done) => {
  execFile(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress() } },
    (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
});

const dir = mkdtempSync(join(tmpdir(), 'drill-bad-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shipped = readFileSync('scenarios/unannounced/primary-db-crash.yaml', 'utf8');
/** The shipped scenario with lines added after `name:`, written into a pool directory of its own. */
function plan(name: string, extra: string): { file: string; line: number } {
  const pool = join(dir, name);
  mkdirSync(pool);
  const file = join(pool, `${name}.yaml`);
  const lines = shipped.split('\n');
  const at = lines.findIndex((l) => l.startsWith('name:')) + 1;
  lines.splice(at, 0, ...extra.split('\n'));
  writeFileSync(file, lines.join('\n'));
  return { file, line: at + extra.split('\n').length };
}

const bomb = plan('alias-bomb', `x-one: &one 1\nx-many: [${Array(101).fill('*one').join(', ')}]`);
const undefinedAlias = plan('undefined-alias', 'x-what: *nowhere');
const CASES = [
  { what: 'an alias used 101 times', ...bomb, field: 'x-many[100]', message: /more than 100 nodes/ },
  { what: 'an undefined alias', ...undefinedAlias, field: 'x-what', message: /alias \*nowhere names no anchor/ },
];

describe('a YAML alias problem, through every command that reads a plan', () => {
  for (const c of CASES) {
    const located = (out: Out) => {
      const line = out.stderr.trim().split('\n').find((l) => l.startsWith(`${c.file}:`));
      expect(line, out.stderr).toMatch(new RegExp(`^${c.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${c.line}:\\d+ ${c.field.replace(/[[\]]/g, '\\$&')}: `));
      expect(line).toMatch(c.message);
    };
    it(`validate refuses ${c.what} with exit 2 and its place`, async () => {
      const r = await drill('validate', c.file);
      expect(r.code, r.stderr).toBe(2);
      located(r);
    });
    it(`lint refuses ${c.what} with exit 2 and its place`, async () => {
      const r = await drill('lint', c.file, '--results', dir);
      expect(r.code, r.stderr).toBe(2);
      located(r);
    });
    it(`run --dry-run refuses ${c.what} with exit 2 and its place`, async () => {
      const r = await drill('run', c.file, '--dry-run');
      expect(r.code, r.stderr).toBe(2);
      located(r);
    });
    it(`exercise start refuses a pool holding ${c.what} with exit 2 and its place`, async () => {
      const r = await drill('exercise', 'start', '--pool', join(c.file, '..'), '--window', '1m', '--facilitator', 'fran', '--results', dir, '--detach', '--task-queue', `bad-input-${Date.now()}`);
      expect(r.code, r.stderr).toBe(2);
      located(r);
    });
  }
});

describe('drill validate on mutated shipped scenarios', () => {
  const refused = async (name: string, extra: string, field: string, message: RegExp) => {
    const p = plan(name, extra);
    const r = await drill('validate', p.file);
    expect(r.code, r.stderr).toBe(2);
    const line = r.stderr.split('\n').find((l) => l.includes(` ${field}: `));
    expect(line, r.stderr).toMatch(new RegExp(`^${p.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${p.line}:\\d+ `));
    expect(line).toMatch(message);
  };

  it('refuses a webhook that is not http(s)', () => refused('file-webhook', 'escalation: { webhook: "file:///etc/passwd" }', 'escalation.webhook', /http/));
  it('refuses a sparse sampling pause of 0', () => refused('sparse-zero', 'sparseSampling: { every: 0s }', 'sparseSampling.every', /at least 1\.0s/));
  it('refuses a follow-up naming a step the plan lacks', () => refused('dangling-follow-up',
    'followUps: [{ id: a, finding: x, step: nowhere, owner: cho, due: 2026-12-22, from: d-1 }]', 'followUps[0].step', /no step "nowhere"/));
});
