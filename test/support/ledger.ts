// What the drills' end-to-end tests share: the ledger's account of the writes before t0, checked against
// what the surviving or restored database itself holds.
import { presentSet } from '../../model/measure.js';
import type { DrillRecord } from '../../model/record.js';

/** The writes sent before `t0`: how many the ledger read back, how many were acknowledged, and how many are present without an acknowledgement. */
export function beforeT0(record: DrillRecord, ledger: string, t0: number) {
  const l = record.ledger[ledger]!;
  const present = presentSet(l.readback!);
  const writes = l.writes.filter(([, sentAt]) => sentAt < t0);
  return {
    present: writes.filter(([seq]) => present(seq)).length,
    acknowledged: writes.filter(([, , ackAt]) => ackAt >= 0).length,
    unacknowledgedPresent: writes.filter(([seq, , ackAt]) => ackAt < 0 && present(seq)).length,
  };
}

/** The timeline's last events, to say why a drill did not complete. */
export const tail = (record: DrillRecord) => `${record.failure}\n${record.timeline.slice(-12).map((e) => `${new Date(e.at).toISOString()} ${e.type} ${e.step ?? ''} ${e.detail}`).join('\n')}`;
