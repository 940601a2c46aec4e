// `drill run --operator interactive` in a real terminal (tmux, on its own socket): a participant reads
// the runbook text and the step's timer, is refused in the wrong role, decides the gate, reports a
// breakdown, does the work, confirms with a workaround, and the report says so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aptInstall, isDebianRoot } from '../../setup/engine.js';
import { resourceName } from '../../activities/names.js';
import type { Report } from '../../report/build.js';
import { docker, leftovers, temporalAddress, uniqueId } from '../support/harness.js';

const socket = uniqueId('drill-tmux');
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-J', '-t', 'drill').stdout;
const prompt = () => screen().trimEnd().split('\n').at(-1)!.trimEnd();
/** Types a line once the prompt (the screen's last line) asks for it, and the screen shows `context`. */
async function answer(when: RegExp, line: string, context?: RegExp) {
  await expect.poll(prompt, { timeout: 90_000, interval: 250 }).toMatch(when);
  if (context) expect(screen()).toMatch(context);
  if (line) tmux('send-keys', '-t', 'drill', '-l', line);
  tmux('send-keys', '-t', 'drill', 'Enter');
}
/** How many times a text has appeared on screen so far. */
const count = (text: string) => screen().split(text).length - 1;

beforeAll(() => {
  if (spawnSync('sh', ['-c', 'command -v tmux']).status !== 0) {
    if (!isDebianRoot()) throw new Error('this test needs tmux (apt-get install tmux)');
    aptInstall(['tmux'], (s) => console.log(s));
  }
});
afterAll(() => { tmux('kill-server'); });

describe('drill run --operator interactive', () => {
  it('takes decisions, breakdowns and confirmations at the terminal prompt', async () => {
    const id = uniqueId('tty');
    const results = mkdtempSync(join(tmpdir(), 'drill-tty-'));
    const runner = join(results, 'run.sh');
    writeFileSync(runner, [
      `cd ${JSON.stringify(process.cwd())}`,
      `export TEMPORAL_ADDRESS=${temporalAddress()} DRILL_TASK_QUEUE=${uniqueId('tty')}`,
      `node dist/cli/main.js run test/fixtures/interactive.yaml --operator interactive --by cho --drill-id ${id} --results ${results}`,
      'echo "EXIT=$?"',
      'sleep 300',
    ].join('\n'));
    expect(tmux('new-session', '-d', '-s', 'drill', '-x', '200', '-y', '50', `sh ${runner}`).status).toBe(0);

    await answer(/^\[\d+(\.\d+)?s\] declare>$/, 'd', /⏸ declare \(gate — needs the role chief-officer\)\n\s+Declare the disaster and activate the plan/);
    await answer(/acting as role \(needed: chief-officer\):$/, 'operator');
    await answer(/note \(optional\):$/, '');
    await expect.poll(screen, { timeout: 30_000 }).toContain('→ refused: this needs the role "chief-officer"; cho acted as "operator"');
    await answer(/declare>$/, 'd');
    await answer(/acting as role \(needed: chief-officer\):$/, 'chief-officer');
    await answer(/note \(optional\):$/, 'site A is gone');
    await expect.poll(() => count('→ completed: accepted'), { timeout: 30_000 }).toBe(1);

    await answer(/tell-users>$/, 'd', /⏸ tell-users \(notify\)\n\s+public → status page: Orders are unavailable/);
    await answer(/note \(optional\):$/, 'posted');
    await expect.poll(() => count('→ completed: accepted'), { timeout: 30_000 }).toBe(2);

    // The timer runs against the expected duration and shows the overrun.
    await answer(/^\[\d+(\.\d+)?s \/ 3\.0s OVERRUN\] restart>$/, 'b', /⏸ restart \(manual, expected 3\.0s\)\n\s+Start the web service again/);
    await answer(/cause code .*:$/, 'procedure-missing');
    await answer(/effect: .*\[prolonged\]:$/, '');
    await answer(/what happened:$/, 'runbook does not say which host');
    await expect.poll(screen, { timeout: 30_000 }).toContain('→ waiting: breakdown recorded');
    // The participant does the work by hand; the step's automation (auto: start web) may have done it already.
    await docker.getContainer(resourceName(id, 'web')).start().catch((err: { statusCode?: number }) => { if (err.statusCode !== 304) throw err; });
    await answer(/restart>$/, 'd');
    await answer(/note \(optional\):$/, '');
    await answer(/workaround, .*:$/, 'docker start from the console');
    await expect.poll(screen, { timeout: 90_000, interval: 500 }).toMatch(/EXIT=0/);

    const report: Report = JSON.parse(readFileSync(join(results, id, 'report.json'), 'utf8'));
    expect(report.decisions).toEqual([expect.objectContaining({ step: 'declare', decidedBy: 'cho', role: 'chief-officer' })]);
    expect(report.breakdowns).toEqual([expect.objectContaining({ step: 'restart', code: 'procedure-missing', effect: 'prolonged', by: 'cho' })]);
    expect(report.people.find((p) => p.step === 'restart')).toMatchObject({ workaround: 'docker start from the console', overrun: true, confirmedBy: 'cho' });
    expect(report.notifications).toEqual([expect.objectContaining({ audience: 'public', to: 'status page', by: 'cho' })]);
    expect(await leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
