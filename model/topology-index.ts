// Look-ups into a drill's topology by name, site and label, built once per topology: validating a
// plan of thousands of faults (or choosing their targets) must not walk every container per fault.
// Lookups are by own name only, so `constructor` or `toString` never finds something no one declared.

type Topology = { containers: Record<string, { site?: string | undefined; labels?: Record<string, string> }> };
export type TopologyIndex = {
  /** container names in the topology's order */
  names: readonly string[];
  has(name: string): boolean;
  /** containers of the site (if given) carrying every one of the labels (if given), in the topology's order */
  select(site: string | undefined, labels: Record<string, string> | undefined): readonly string[];
};

// The topology of a spec or a validated scenario is not changed once built, so its index is kept.
const built = new WeakMap<object, TopologyIndex>();

export function topologyIndex(topology: Topology): TopologyIndex {
  const cached = built.get(topology.containers);
  if (cached) return cached;
  const names = Object.keys(topology.containers);
  const bySite = new Map<string, string[]>();
  const byLabel = new Map<string, string[]>();
  const push = (m: Map<string, string[]>, k: string, n: string) => { const l = m.get(k); if (l) l.push(n); else m.set(k, [n]); };
  const labelKey = (k: string, v: string) => `${k}\u0000${v}`;
  for (const n of names) {
    const c = topology.containers[n]!;
    if (c.site !== undefined) push(bySite, c.site, n);
    for (const [k, v] of Object.entries(c.labels ?? {})) push(byLabel, labelKey(k, v), n);
  }
  const sets = new Map<string, Set<string>>();
  // Thousands of faults name the same few selections: each is worked out once.
  const selections = new Map<string, readonly string[]>();
  const setOf = (k: string) => { let s = sets.get(k); if (!s) sets.set(k, (s = new Set(byLabel.get(k) ?? []))); return s; };
  const index: TopologyIndex = {
    names,
    has: (name) => Object.hasOwn(topology.containers, name),
    select(site, labels) {
      const keys = Object.entries(labels ?? {}).map(([k, v]) => labelKey(k, v)).sort();
      const memo = `${site ?? ''}\u0001${keys.join('\u0001')}`;
      const known = selections.get(memo);
      if (known) return known;
      const lists = [...(site !== undefined ? [bySite.get(site) ?? []] : []), ...keys.map((k) => byLabel.get(k) ?? [])];
      // Walk the shortest list that must hold (already in topology order) and check the rest against it.
      const shortest = lists.length ? lists.reduce((a, b) => (b.length < a.length ? b : a)) : names;
      const chosen = Object.freeze(shortest.filter((n) => (site === undefined || topology.containers[n]!.site === site) && keys.every((k) => setOf(k).has(n))));
      selections.set(memo, chosen);
      return chosen;
    },
  };
  built.set(topology.containers, index);
  return index;
}
