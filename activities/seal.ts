// The exercise's seal is drawn here, outside workflow code: a workflow's Math.random is seeded from its
// run ID, which anyone who can list workflows reads, so a seal drawn there is computed, not secret.
import { randomInt } from 'node:crypto';

/** Seeds span what `seededRandom` takes (32 bits): `--seed` with the revealed seed chooses the same again. */
const SEED_SPAN = 2 ** 32;

export const sealActivities = {
  /** A seed from the operating system's cryptographic source, drawn afresh for every exercise (and every scheduled firing). */
  async drawSeed(): Promise<number> {
    return randomInt(0, SEED_SPAN);
  },
};

export type SealActivities = typeof sealActivities;
