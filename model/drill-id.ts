// A drill's id: its scenario, the moment it started (sortable), and a little randomness so two drills
// of one scenario in the same second do not collide.
import { randomBytes } from 'node:crypto';

export function newDrillId(scenario: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${scenario}-${stamp}-${randomBytes(2).toString('hex')}`;
}
