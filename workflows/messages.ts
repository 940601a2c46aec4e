// The messages a running drill answers: live status (a query) and the facilitator's abort (a signal).
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DrillStatus, StepResult, TimelineEvent } from '../model/record.js';

export type DrillView = {
  drillId: string;
  scenario: string;
  status: DrillStatus;
  phase: 'provisioning' | 'steps' | 'cleanup' | 'done';
  startedAt: number;
  t0: number | null;
  steps: StepResult[];
  objectives: { system: string; rtoMs: number; rpoMs: number }[];
  lastEvents: TimelineEvent[];
};

export const statusQuery = defineQuery<DrillView>('status');
export const abortSignal = defineSignal<[reason?: string]>('abort');
