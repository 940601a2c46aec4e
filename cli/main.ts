#!/usr/bin/env node
// The `drill` command. Each group of commands is declared in its own module under commands/; the work
// is done by the modules beside this one.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help } from 'commander';
import * as exercise from './commands/exercise.js';
import * as machine from './commands/machine.js';
import * as people from './commands/people.js';
import * as results from './commands/results.js';
import * as run from './commands/run.js';
import * as schedule from './commands/schedule.js';
import * as validate from './commands/validate.js';
import { CliError } from './errors.js';

// `drill --help` keeps the order its users know, which is not the order of the groups.
const LISTING = ['validate', 'lint', 'run', 'report', 'revise', 'history', 'schedule', 'exercise', 'demo', 'setup', 'schema', 'status', 'step', 'decide', 'abort', 'heal', 'worker', 'server'];

// The built main.js is at dist/cli/, two levels below the package's own package.json.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('drill').description('Recovery drills and chaos experiments on Temporal').version(version).showHelpAfterError()
  // Set before the groups register, so every command inherits it: a usage error is invalid input.
  .exitOverride((err) => { throw err; });
for (const group of [validate, run, people, results, schedule, exercise, machine]) group.register(program);
program.configureHelp({
  visibleCommands(cmd) {
    const shown = Help.prototype.visibleCommands.call(this as Help, cmd);
    if (cmd !== program) return shown;
    // Anything not in the listing (the help command) keeps its place at the end.
    const place = (c: Command) => { const i = LISTING.indexOf(c.name()); return i < 0 ? LISTING.length : i; };
    return shown.sort((a, b) => place(a) - place(b));
  },
});

program.parseAsync(process.argv).catch((err: unknown) => {
  // Commander has said what was wrong already (or shown the help, or the version, both exit 0).
  // Exit 1 means "an objective was missed", so a usage error exits 2 like any invalid input.
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof CliError) {
    console.error(err.message);
    process.exitCode = err.exitCode;
  } else {
    console.error(`drill: ${(err as Error).message ?? err}`);
    process.exitCode = 3;
  }
});
