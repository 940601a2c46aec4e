// What a scenario's YAML must not do before it is turned into data: an alias naming no anchor, an
// alias inside the node it names (a loop), aliases that expand into more nodes than a plan needs (an
// alias bomb), a key twice in one map, and a `__proto__` key, which JavaScript objects reserve and
// would silently drop.
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';

/** More alias expansions than this and the document is refused, as the YAML library would refuse it. */
export const MAX_ALIAS_EXPANSIONS = 100;

export type YamlFinding = { offset: number; field: string; message: string };

export function yamlFindings(doc: Document): YamlFinding[] {
  const out: YamlFinding[] = [];
  const anchors = new Map<string, Node>();
  const weights = new Map<Node, number>();
  // What an alias of this node turns into: the node, and what every alias inside it turns into.
  const weight = (node: Node): number => {
    const known = weights.get(node);
    if (known !== undefined) return known;
    weights.set(node, Infinity);
    let w = 1;
    visit(node, { Alias(_, a) { const t = anchors.get(a.source); if (t) w += weight(t); } });
    weights.set(node, w);
    return w;
  };
  let expanded = 0;
  visit(doc, {
    Node(_, node, path) {
      const at = (message: string) => out.push({ offset: node.range?.[0] ?? 0, field: fieldOf(path, node), message });
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (!target) at(`YAML: alias *${node.source} names no anchor defined before it (write &${node.source} on an earlier node)`);
        else if (path.includes(target)) at(`YAML: alias *${node.source} lies inside the node &${node.source} it names, a loop`);
        else if (expanded <= MAX_ALIAS_EXPANSIONS && (expanded += weight(target)) > MAX_ALIAS_EXPANSIONS) {
          at(`YAML: aliases expand to more than ${MAX_ALIAS_EXPANSIONS} nodes by here (an alias bomb); write the values out`);
        }
        return;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      if (isMap(node)) {
        // Checked here with a set: the YAML library's own check compares every key with every other.
        const keys = new Set<string>();
        for (const pair of node.items) {
          if (!isScalar(pair.key)) continue;
          const key = pair.key;
          const flag = (message: string) => out.push({ offset: key.range?.[0] ?? 0, field: fieldOf([...path, node, pair], key), message });
          const id = `${typeof key.value}:${String(key.value)}`;
          if (keys.has(id)) flag(`YAML: map keys must be unique: "${String(key.value)}" is already a key here`);
          keys.add(id);
          if (key.value === '__proto__') flag('"__proto__" cannot be a key: JavaScript objects reserve it, and its value would be dropped');
        }
      }
    },
  });
  return out;
}

/** `steps[2].fault.target` for a node met while visiting, from its ancestors. */
function fieldOf(path: readonly unknown[], node: unknown): string {
  let field = '';
  const chain = [...path, node];
  chain.forEach((p, i) => {
    const next = chain[i + 1];
    if (isSeq(p) && next !== undefined) field += `[${p.items.indexOf(next as never)}]`;
    else if (isPair(p) && next !== undefined) field += `${field ? '.' : ''}${isScalar(p.key) ? String(p.key.value) : '?'}`;
  });
  return field;
}
