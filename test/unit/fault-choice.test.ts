// A fault's targets are chosen through an index of the topology (so a plan of thousands of faults
// does not walk every container per fault), and chosen exactly as before: a recorded drill replays,
// and a seed given to `drill run --seed` picks what it picked. The expected choices below were made
// by the choice as it was before the index.
import { describe, expect, it } from 'vitest';
import { candidates, choose, seededRandom, type FaultPlan } from '../../model/fault.js';

const topology = {
  containers: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`c${i}`, { site: i % 3 ? 'a' : 'b', labels: { role: `r${i % 4}`, zone: i % 2 ? '1' : '0' } }])),
};

describe('choosing a fault\'s targets', () => {
  it.each<[FaultPlan['select'], number, string[]]>([
    [{ site: 'a', random: 3 }, 7, ['c1', 'c2', 'c11']],
    [{ labels: { role: 'r1' }, percent: 50 }, 11, ['c5', 'c9']],
    [{ site: 'a', labels: { zone: '1' }, random: 2 }, 3, ['c7', 'c5']],
    [{ labels: { role: 'r2', zone: '0' } }, 5, ['c2', 'c6', 'c10']],
    [{ site: 'b', percent: 100 }, 9, ['c0', 'c3', 'c6', 'c9']],
    [{ labels: { zone: '0' }, random: 4 }, 42, ['c6', 'c0', 'c10', 'c4']],
  ])('chooses %j with seed %i as it always has', (select, seed, chosen) => {
    expect(choose(select, topology, seededRandom(seed))).toEqual(chosen);
    // Choosing again from the same (indexed) topology changes neither the choice nor the candidates.
    expect(choose(select, topology, seededRandom(seed))).toEqual(chosen);
  });

  it('gives every caller a list of its own', () => {
    const a = candidates({ site: 'a' }, topology);
    a.reverse();
    expect(candidates({ site: 'a' }, topology)).toEqual(['c1', 'c2', 'c4', 'c5', 'c7', 'c8', 'c10', 'c11']);
  });

  it('finds nothing under a prototype name', () => {
    expect(candidates({ labels: { constructor: 'x' } }, topology)).toEqual([]);
    expect(candidates({ site: 'constructor' }, topology)).toEqual([]);
  });
});
