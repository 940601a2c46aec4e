// The fault activities' evidence and failures quote what commands in the target printed (a file's
// listing, a lookup's answer, a script's stderr): redacted of the drill's secrets before they reach
// the record, like every other command output. Wrapped once here so no fault can forget it.
import type Docker from 'dockerode';
import type { FaultActivities } from '../model/fault.js';
import { redact } from './redact.js';
import { drillSecrets } from './secrets.js';

export function redactedFaults(docker: Docker, faults: FaultActivities): FaultActivities {
  const redacting = <R extends { evidence: string }>(act: (input: Parameters<FaultActivities['injectFault']>[0]) => Promise<R>) =>
    async (input: Parameters<FaultActivities['injectFault']>[0]): Promise<R> => {
      const secrets = await drillSecrets(docker, input.drillId);
      try {
        const r = await act(input);
        return { ...r, evidence: redact(r.evidence, secrets) };
      } catch (err) {
        throw redactedError(err, secrets);
      }
    };
  return { injectFault: redacting(faults.injectFault), healFault: redacting(faults.healFault) };
}

/** The failure as Temporal records it: its message and stack (which repeats the message), and its causes. */
function redactedError(err: unknown, secrets: string[]): unknown {
  for (let e = err; e instanceof Error; e = e.cause) {
    e.message = redact(e.message, secrets);
    if (e.stack) e.stack = redact(e.stack, secrets);
  }
  return err;
}
