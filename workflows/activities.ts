// Every activity the workflows call, proxied once, each with a named option set. Timeouts and retries
// are decisions about the drill (how long a heal may keep trying, how long a probe segment runs), so
// they are read here, in one place, not at each call.
import { ActivityCancellationType, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { DockerActivities } from '../activities/docker.js';
import type { FileActivities } from '../activities/files.js';
import type { NotifyActivities } from '../activities/notify.js';
import type { ProbeActivities } from '../activities/probes.js';
import type { SealActivities } from '../activities/seal.js';
import type { SshActivities } from '../activities/ssh.js';
import { ErrorType } from '../model/errors.js';
import type { FaultActivities } from '../model/fault.js';

/** One probe activity covers this much time; the workflow strings segments together. */
export const PROBE_SEGMENT_MS = 2000;
const PROBE_HEARTBEAT = '5s';
/** A step that declares no timeout of its own. */
export const DEFAULT_STEP_TIMEOUT_MS = 120_000;

const OPTIONS = {
  /** creating and removing the drill's containers, networks and volumes */
  provisioning: { startToCloseTimeout: '5m', heartbeatTimeout: '1m', retry: { maximumAttempts: 3, initialInterval: '1s' } },
  /**
   * Provisioning and teardown that resume from any point (activities/provision.ts): a short heartbeat
   * timeout, so a killed worker's attempt is retried within seconds; an abort waits for provisioning to
   * stop creating, so the teardown after it finds everything there is to remove.
   */
  resumableProvisioning: {
    startToCloseTimeout: '5m', heartbeatTimeout: '5s', cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: [ErrorType.Unlabelled, ErrorType.ImageMissing] },
  },
  /** a webhook that is down is retried for a while; the log line is written at once */
  notification: { startToCloseTimeout: '30s', retry: { maximumAttempts: 5, initialInterval: '1s' } },
  /** one probe segment: sampled for PROBE_SEGMENT_MS, resumed from its heartbeat after a worker dies */
  probeSegment: { startToCloseTimeout: PROBE_SEGMENT_MS + 30_000, heartbeatTimeout: PROBE_HEARTBEAT, retry: { maximumAttempts: 10, initialInterval: '200ms' } },
  /**
   * On abort the drill waits for an injection under way to end before it heals: a heal that ran first
   * would find nothing to undo, and the fault would land after it.
   */
  faultInjection: {
    startToCloseTimeout: '3m', heartbeatTimeout: '30s', cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { maximumAttempts: 3, initialInterval: '1s', nonRetryableErrorTypes: [ErrorType.NoEffect, ErrorType.Unsupported, ErrorType.Unlabelled] },
  },
  /** A heal is worth retrying for a long time: leaving a fault in place is the failure chaos tools have. */
  faultHeal: { startToCloseTimeout: '3m', heartbeatTimeout: '30s', retry: { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '20s' } },
  /** `drill heal` after the drill ended: fewer retries, a person is waiting at a terminal */
  lateHeal: { startToCloseTimeout: '3m', heartbeatTimeout: '30s', retry: { maximumAttempts: 5, initialInterval: '1s' } },
  files: { startToCloseTimeout: '2m', retry: { maximumAttempts: 3 } },
  /** drawing an exercise's seal: instant; a retry only follows a worker lost mid-call */
  seal: { startToCloseTimeout: '30s', retry: { maximumAttempts: 10, initialInterval: '1s' } },
} satisfies Record<string, ActivityOptions>;

export const provisioning = proxyActivities<DockerActivities>(OPTIONS.provisioning);
export const resumableProvisioning = proxyActivities<DockerActivities>(OPTIONS.resumableProvisioning);
export const notifier = proxyActivities<NotifyActivities>(OPTIONS.notification);
export const probeSegments = proxyActivities<ProbeActivities>(OPTIONS.probeSegment);
export const faultInjection = proxyActivities<FaultActivities>(OPTIONS.faultInjection);
export const faultHeal = proxyActivities<FaultActivities>(OPTIONS.faultHeal);
export const lateHeal = proxyActivities<FaultActivities>(OPTIONS.lateHeal);
export const files = proxyActivities<FileActivities>(OPTIONS.files);
export const sealing = proxyActivities<SealActivities>(OPTIONS.seal);

// A step's own timeout sets its activity's: one proxy per distinct timeout, made the first time.
function byTimeout<T>(make: (timeoutMs: number) => T): (timeoutMs: number) => T {
  const made = new Map<number, T>();
  return (timeoutMs) => {
    let p = made.get(timeoutMs);
    if (!p) made.set(timeoutMs, (p = make(timeoutMs)));
    return p;
  };
}

/** Option sets that follow a step's own timeout. */
const TIMED = {
  /** a Docker action of a step (exec, stop, start, ...), bounded by the step's timeout */
  dockerAction: (timeoutMs: number): ActivityOptions => ({ startToCloseTimeout: timeoutMs, heartbeatTimeout: '10s', retry: { maximumAttempts: 3, initialInterval: '1s' } }),
  /** an SSH command: the activity outlives the command's own timeout, so the command's kill is reported */
  sshCommand: (timeoutMs: number): ActivityOptions => ({ startToCloseTimeout: timeoutMs + 60_000, heartbeatTimeout: '15s', retry: { maximumAttempts: 3, initialInterval: '1s' } }),
  /** waiting for a probe to hold: the activity outlives the wait, so a timeout is the probe's answer */
  probeWait: (waitTimeoutMs: number): ActivityOptions => ({ startToCloseTimeout: waitTimeoutMs + 30_000, heartbeatTimeout: PROBE_HEARTBEAT, retry: { maximumAttempts: 5, initialInterval: '200ms' } }),
};

export const dockerActions = byTimeout((ms) => proxyActivities<DockerActivities>(TIMED.dockerAction(ms)));
export const sshCommands = byTimeout((ms) => proxyActivities<SshActivities>(TIMED.sshCommand(ms)));
export const probeWaits = byTimeout((ms) => proxyActivities<ProbeActivities>(TIMED.probeWait(ms)));
