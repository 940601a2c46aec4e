// Edits to a YAML text that leave every character they do not concern as it was: comments, folded
// and literal block text, flow style and spacing. A value is set or a list appended to in place; only
// a flow mapping that must grow is rewritten in block style, from its own source text.
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

type Set_ = { value: unknown; comment?: string };
/** A mapping's edits; `depth` orders edits at one offset, `inFlow` says it lies inside a flow collection. */
type MapEdits = { sets: Map<string, Set_>; appends: Map<string, unknown[]>; depth: number; inFlow: boolean };
type TextEdit = { start: number; end: number; text: string; depth: number };

const STRINGIFY = { lineWidth: 0 } as const;

export class YamlEditor {
  readonly doc: Document;
  private readonly eol: string;
  private readonly edits = new Map<YAMLMap, MapEdits>();

  constructor(private readonly text: string) {
    this.doc = parseDocument(text);
    if (this.doc.errors.length) throw new Error(`the scenario does not parse: ${this.doc.errors[0]!.message}`);
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  /** `key: value` in the mapping, with a comment after it; nothing changes when it already says so. */
  set(map: YAMLMap, key: string, value: unknown, comment?: string): boolean {
    const now = map.get(key);
    const line = this.commentAfter(map.get(key, true) as Node | undefined);
    if (now === value && (comment === undefined || line === comment.trim())) return false;
    this.of(map).sets.set(key, { value, ...(comment !== undefined && { comment }) });
    return true;
  }

  /** Items added at the end of the list under `key` (created when absent). */
  append(map: YAMLMap, key: string, items: unknown[]): void {
    if (items.length === 0) return;
    const edits = this.of(map).appends;
    edits.set(key, [...(edits.get(key) ?? []), ...items]);
  }

  toString(): string {
    const all = [...this.edits].flatMap(([map, e]) => (map.flow ? [this.rewriteFlow(map, e)] : this.editBlock(map, e)));
    // From the end, so earlier offsets hold; at one offset the outer edit first, so the inner one reads before it.
    all.sort((a, b) => b.start - a.start || a.depth - b.depth);
    let out = this.text;
    for (const e of all) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    return out;
  }

  private of(map: YAMLMap): MapEdits {
    let e = this.edits.get(map);
    if (!e) this.edits.set(map, (e = { sets: new Map(), appends: new Map(), ...this.placeOf(map) }));
    return e;
  }

  private placeOf(target: Node): { depth: number; inFlow: boolean } {
    let place = { depth: 0, inFlow: false };
    const walk = (n: unknown, depth: number, inFlow: boolean): boolean => {
      if (n === target) { place = { depth, inFlow }; return true; }
      if (isMap(n)) return n.items.some((p) => walk(p.value, depth + 1, inFlow || !!n.flow));
      if (isSeq(n)) return n.items.some((i) => walk(i, depth + 1, inFlow || !!n.flow));
      return false;
    };
    walk(this.doc.contents, 0, false);
    return place;
  }

  private js(n: unknown): unknown {
    return (n as Node).toJS(this.doc);
  }

  private column(offset: number): number {
    return offset - (this.text.lastIndexOf('\n', offset - 1) + 1);
  }

  /** Where the line a node ends on ends (before its line break), a comment on that line included. */
  private lineEnd(node: Node): number {
    let end = node.range![1];
    while (end > node.range![0] && /\s/.test(this.text[end - 1]!)) end--;
    const nl = this.text.indexOf('\n', end);
    if (nl < 0) return this.text.length;
    return this.text[nl - 1] === '\r' ? nl - 1 : nl;
  }

  private commentAfter(node: Node | undefined): string | null {
    if (!node?.range) return null;
    const rest = this.text.slice(node.range[1], this.lineEnd(node));
    const m = /^\s*#\s?(.*)$/.exec(rest);
    return m ? m[1]!.trim() : null;
  }

  /** A value as YAML at `col`: a scalar on its line, a collection in block style on the lines after. */
  private render(value: unknown, col: number): string {
    const body = new Document(value).toString(STRINGIFY).replace(/\n$/, '');
    if (typeof value !== 'object' || value === null) return ` ${body.split('\n').join(this.eol + ' '.repeat(col))}`;
    return this.eol + body.split('\n').map((l) => (l === '' ? l : ' '.repeat(col) + l)).join(this.eol);
  }

  private renderItems(items: unknown[], col: number): string {
    return items.map((item) => {
      const body = new Document([item]).toString(STRINGIFY).replace(/\n$/, '');
      return this.eol + body.split('\n').map((l) => (l === '' ? l : ' '.repeat(col) + l)).join(this.eol);
    }).join('');
  }

  private pairText(key: string, s: Set_, col: number): string {
    return `${key}:${this.render(s.value, col + 2)}${s.comment !== undefined ? ` #${s.comment}` : ''}`;
  }

  /** A block mapping: values replaced where they stand, new keys and list items added after the last line. */
  private editBlock(map: YAMLMap, e: MapEdits): TextEdit[] {
    const out: TextEdit[] = [];
    const first = map.items[0]?.key as Node | undefined;
    const col = first?.range ? this.column(first.range[0]) : 0;
    const added: string[] = [];
    for (const [key, s] of e.sets) {
      const pair = this.pairOf(map, key);
      const v = pair?.value as Node | undefined;
      if (v?.range && isScalar(v)) {
        const end = s.comment !== undefined && this.commentAfter(v) !== null ? this.lineEnd(v) : v.range[1];
        out.push({ start: v.range[0], end, text: `${this.render(s.value, col + 2).slice(1)}${s.comment !== undefined ? ` #${s.comment}` : ''}`, depth: e.depth });
      } else added.push(this.pairText(key, s, col));
    }
    for (const [key, items] of e.appends) {
      const seq = this.pairOf(map, key)?.value as Node | undefined;
      if (isSeq(seq) && !seq.flow && seq.range && seq.items.length) {
        const last = seq.items[seq.items.length - 1] as Node;
        out.push({ start: this.lineEnd(last), end: this.lineEnd(last), text: this.renderItems(items, this.column(seq.range[0])), depth: e.depth + 1 });
      } else {
        const existing = isSeq(seq) ? seq.items.map((i) => this.js(i)) : [];
        if (seq?.range) {
          // A flow list (or a lone value) under the key becomes a block list of what it had and the new items.
          const colon = this.text.lastIndexOf(':', seq.range[0]);
          out.push({ start: colon + 1, end: seq.range[1], text: this.renderItems([...existing, ...items], col + 2), depth: e.depth });
        } else added.push(`${key}:${this.renderItems(items, col + 2)}`);
      }
    }
    const lastPair = map.items[map.items.length - 1];
    const lastNode = (lastPair?.value ?? lastPair?.key) as Node | undefined;
    if (added.length && lastNode?.range) {
      const at = this.lineEnd(lastNode);
      out.push({ start: at, end: at, text: added.map((a) => this.eol + ' '.repeat(col) + a).join(''), depth: e.depth });
    }
    return out;
  }

  /**
   * A flow mapping that must grow: rewritten in block style, each untouched value as its source reads
   * (in flow style still, without comments, when it lies inside another flow collection).
   */
  private rewriteFlow(map: YAMLMap, e: MapEdits): TextEdit {
    const [start, end] = map.range!;
    if (e.inFlow) return { start, end, text: this.flowText(map, e), depth: e.depth };
    const col = this.column(start);
    const lines: string[] = [];
    const source = (n: Node) => this.text.slice(n.range![0], n.range![1]);
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const set = e.sets.get(key);
      const more = e.appends.get(key);
      if (set) lines.push(this.pairText(key, set, col));
      else if (more) {
        const had = isSeq(pair.value) ? pair.value.items.map((i) => this.js(i)) : [];
        lines.push(`${source(pair.key as Node)}:${this.renderItems([...had, ...more], col + 2)}`);
      } else lines.push(`${source(pair.key as Node)}: ${pair.value ? source(pair.value as Node) : ''}`.trimEnd());
    }
    const has = (k: string) => this.pairOf(map, k) !== undefined;
    for (const [key, set] of e.sets) if (!has(key)) lines.push(this.pairText(key, set, col));
    for (const [key, items] of e.appends) if (!has(key)) lines.push(`${key}:${this.renderItems(items, col + 2)}`);
    return { start, end, text: lines.join(this.eol + ' '.repeat(col)), depth: e.depth };
  }

  private flowText(map: YAMLMap, e: MapEdits): string {
    const flow = (value: unknown) => {
      const d = new Document(value);
      if (isMap(d.contents) || isSeq(d.contents)) d.contents.flow = true;
      return d.toString(STRINGIFY).replace(/\n$/, '');
    };
    const value = (key: string, had: unknown) => (e.sets.has(key) ? e.sets.get(key)!.value : e.appends.has(key) ? [...((had as unknown[] | undefined) ?? []), ...e.appends.get(key)!] : had);
    const keys = [...new Set([...map.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')), ...e.sets.keys(), ...e.appends.keys()])];
    const had = this.js(map) as Record<string, unknown>;
    return `{ ${keys.map((k) => `${k}: ${flow(value(k, had[k]))}`).join(', ')} }`;
  }

  private pairOf(map: YAMLMap, key: string): Pair | undefined {
    return map.items.find((p) => isScalar(p.key) && p.key.value === key);
  }
}
