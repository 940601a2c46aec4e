// Participants answering a drill from any terminal: `drill step` for a waiting step, `drill decide` for
// a gate. The drill itself accepts or refuses each answer; these commands only say who answers, and where.
import type { Command } from 'commander';
import { BREAKDOWN_CODE_LIST } from '../../model/breakdown.js';
import { CliError } from '../errors.js';
import { drillOf, exerciseView } from '../exercise.js';
import { send, type Action } from '../operator.js';
import { byOption, defaultParticipant, noteOption, reasonOption, tokenOption } from '../options.js';
import { withClient } from '../temporal.js';

const PARTICIPANT_TOKEN = 'in an exercise: your participant token (or DRILL_TOKEN); ID may be the exercise id';

async function act(drillId: string, action: Action) {
  await withClient(async (client) => {
    const ack = await send(client.workflow.getHandle(drillId), action);
    console.log(`${ack.step}: ${ack.status} (${ack.detail})`);
  });
}

/**
 * Who answers, and where: in an exercise (a token given) the drill is the exercise's, and the name is
 * the token holder's unless --by says otherwise (the drill refuses a name that is not the holder's).
 */
async function answerer(id: string, o: { by?: string; token?: string; as?: string }): Promise<{ drillId: string; by: string; as?: string; token: { token?: string } }> {
  const t = o.token || process.env.DRILL_TOKEN;
  if (!t) return { drillId: id, by: o.by ?? defaultParticipant(), ...(o.as && { as: o.as }), token: {} };
  let by = o.by;
  let as = o.as;
  await withClient(async (client) => {
    const v = await exerciseView(client, id, t);
    by ??= v.role === 'participant' ? v.you : 'facilitator';
    // The role the waiting step needs, when the holder has it: what they would act in anyway.
    const role = v.role === 'participant' ? v.waiting?.role : undefined;
    if (as === undefined && v.role === 'participant' && role !== undefined && v.roles.includes(role)) as = role;
  });
  return { drillId: drillOf(id), by: by!, ...(as && { as }), token: { token: t } };
}

export function register(program: Command): void {
  program.command('step').description('answer a waiting step: done, breakdown or skip (exit 0 accepted, 4 refused with the reason)')
    .argument('<drill-id>').argument('<step>').argument('<what>', 'done | breakdown | skip')
    .addOption(byOption())
    .option('--as <role>', 'the role you act in, for steps that need one')
    .addOption(noteOption('a note for the record; for a breakdown, what happened'))
    .option('--workaround <text>', 'with done: what you did instead of the runbook text')
    .option('--code <code>', `with breakdown: one of ${BREAKDOWN_CODE_LIST.join(', ')}`)
    .option('--effect <effect>', 'with breakdown: enlarged (the incident grew), prolonged (recovery took longer) or none', 'prolonged')
    .addOption(reasonOption('with skip: why'))
    .addOption(tokenOption(PARTICIPANT_TOKEN))
    .action(async (id: string, step: string, what: string, o) => {
      const { drillId, by, as, token } = await answerer(id, o);
      if (what === 'done') return act(drillId, { kind: 'confirm', c: { step, by, ...token, ...(as && { as }), ...(o.note && { note: o.note }), ...(o.workaround && { workaround: o.workaround }) } });
      if (what === 'breakdown') {
        if (!o.code || !o.note) throw new CliError('breakdown needs --code and --note', 2);
        return act(drillId, { kind: 'breakdown', b: { step, by, ...token, code: o.code, note: o.note, effect: o.effect } });
      }
      if (what === 'skip') {
        if (!o.reason) throw new CliError('skip needs --reason', 2);
        return act(drillId, { kind: 'skip', s: { step, by, ...token, reason: o.reason } });
      }
      throw new CliError(`unknown answer "${what}": use done, breakdown or skip`, 2);
    });

  program.command('decide').description('take the decision a gate waits for, in a role (exit 0 accepted, 4 refused with the reason)')
    .argument('<drill-id>').argument('<gate>')
    .requiredOption('--as <role>', 'the role you decide in, e.g. chief-officer')
    .addOption(byOption())
    .addOption(noteOption())
    .addOption(tokenOption(PARTICIPANT_TOKEN))
    .action(async (id: string, gate: string, o) => {
      const { drillId, by, token } = await answerer(id, o);
      return act(drillId, { kind: 'decide', d: { gate, by, ...token, as: o.as, ...(o.note && { note: o.note }) } });
    });
}
