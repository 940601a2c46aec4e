// A drill's id: its scenario, the moment it started (sortable), and a little randomness so two drills
// of one scenario in the same second do not collide.
import { randomBytes } from 'node:crypto';

export function newDrillId(scenario: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${scenario}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * A drill id is also part of Docker names (drill-<id>-<container>), a directory under the results,
 * and a Temporal workflow id: it takes what all three allow, starts with a letter or digit (so never
 * `.` or `..`), and holds no path separator.
 */
export const DRILL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const DRILL_ID_MAX = 100;

/** Why `id` cannot be a drill id, or null when it can. */
export function drillIdProblem(id: string): string | null {
  if (!DRILL_ID_PATTERN.test(id)) return 'use letters, digits, ".", "_" and "-", starting with a letter or digit (it names Docker resources and the report directory)';
  if (id.length > DRILL_ID_MAX) return `at most ${DRILL_ID_MAX} characters, got ${id.length}`;
  return null;
}
