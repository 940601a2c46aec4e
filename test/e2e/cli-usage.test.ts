// The command line itself: a usage error is invalid input (exit 2; exit 1 means an objective was
// missed), and `drill --version` says which release this is.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const drill = (...args: string[]) => {
  // Nothing here reaches Temporal or Docker: an address that answers nothing proves it.
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('usage errors', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown option', ['run', 'test/fixtures/quick.yaml', '--no-such-option'], /error: unknown option '--no-such-option'/],
    ['a missing argument', ['run'], /error: missing required argument 'file'/],
    ['a choice not offered', ['run', 'test/fixtures/quick.yaml', '--lang', 'fr'], /error: option '--lang <lang>' argument 'fr' is invalid/],
    ['a bad option value', ['run', 'test/fixtures/quick.yaml', '--seed', 'abc'], /error: option '--seed <n>' argument 'abc' is invalid/],
    ['an unknown command', ['rnu'], /error: unknown command 'rnu'/],
    ['a missing required option', ['revise', 'test/fixtures/quick.yaml'], /error: required option '--from <report>' not specified/],
    ['no command at all', [], /Usage: drill/],
    ['a group without its command', ['exercise'], /Usage: drill exercise/],
  ];
  for (const [what, args, says] of cases) {
    it(`exits 2 for ${what}`, () => {
      const r = drill(...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(says);
    });
  }

  it('exits 0 for --help', () => {
    const r = drill('run', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: drill run');
  });
});

describe('drill --version', () => {
  it('prints the package version and exits 0', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = drill(flag);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });
});
