// The failure types activities throw (as an ApplicationFailure's `type`) and workflows, the CLI and
// tests match: one list, so the thrower and the matcher cannot drift apart.
export const ErrorType = {
  /** a topology image that is not on the engine */
  ImageMissing: 'ImageMissing',
  /** a container, network or sidecar under the drill's name without the drill's label: never touched */
  Unlabelled: 'Unlabelled',
  NotFound: 'NotFound',
  NotRunning: 'NotRunning',
  NoHostKey: 'NoHostKey',
  AuthFailed: 'AuthFailed',
  NoIdentity: 'NoIdentity',
  Timeout: 'Timeout',
  /** an SSH host whose key is not the one pinned */
  HostKeyMismatch: 'HostKeyMismatch',
  /** a probe that did not come to hold within its wait */
  ProbeTimeout: 'ProbeTimeout',
  /** a fault's parameters that the fault library cannot apply */
  BadFault: 'BadFault',
  /** a fault whose measured effect was not there */
  NoEffect: 'NoEffect',
  /** a fault this engine or kernel cannot inject */
  Unsupported: 'Unsupported',
  TooLarge: 'TooLarge',
  InvalidScenario: 'InvalidScenario',
  WebhookRefused: 'WebhookRefused',
  /** a probe's target port that the topology does not publish */
  NotPublished: 'NotPublished',
} as const;

export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];
