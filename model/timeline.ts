// The drill's timeline vocabulary: every kind of event a drill records. The workflows write them,
// the report and the CLI read them; one union, so a renamed event fails to compile on both sides.
export const TIMELINE_EVENT_TYPES = [
  // the drill's life
  'drill.started', 'drill.seed', 'drill.failed', 'drill.aborted',
  'topology.provisioned', 'ssh.pinned', 'cleanup.done', 'cleanup.failed',
  // steps
  'step.started', 'step.completed', 'step.failed', 'step.skipped', 'step.waiting', 'step.overrun', 'step.escalated',
  'ssh.exited',
  // people
  'manual.confirmed', 'decision', 'notification', 'breakdown', 'notify.failed',
  // probes and ledgers
  'probe.healthy', 'probe.down', 'probe.failed', 'probes.sparse', 'probes.dense', 'ledger.readback',
  // objectives
  'rto.budget', 'rto.budget.failed', 'guardrail.fired',
  // faults
  'fault.targets', 'fault.injected', 'fault.effect', 'fault.healed', 'fault.heal.failed', 'heal.requested',
  // a scenario-undisclosed exercise
  'exercise.detected', 'exercise.declared', 'exercise.paused', 'exercise.resumed', 'exercise.inject', 'exercise.revealed', 'exercise.refused',
] as const;

export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

export type TimelineEvent = { at: number; type: TimelineEventType; step?: string; detail: string };
