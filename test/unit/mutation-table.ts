// The classes of bad input a fuzzer found over mutations of the shipped scenarios, as a table: each
// mutation edits one scenario's YAML document and says which field the refusal must name. A mutation
// that does not fit a scenario (no such step there) returns null. Used by mutations.test.ts.
import { Alias, Pair, Scalar, type Document, isMap } from 'yaml';

export type Path = (string | number)[];
/** The field the refusal must name; `key`: located on the map key itself, not its value. */
export type Expected = { path: Path; key?: boolean; message?: RegExp; text?: (t: string) => string };
type Step = { id: string; kind: string; [k: string]: unknown };
export type Ctx = { doc: Document; steps: Step[]; containers: string[]; probes: Record<string, { kind: string }>; objectives: { system: string }[] };
export type Mutation = { name: string; apply: (c: Ctx) => Expected | null };

const PROTO = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const HUGE = `1${'0'.repeat(400)}s`;
const idx = (c: Ctx, pred: (s: Step) => boolean) => { const i = c.steps.findIndex(pred); return i < 0 ? null : i; };
const addStep = (c: Ctx, step: object): number => { c.doc.addIn(['steps'], c.doc.createNode(step)); return c.steps.length; };
const set = (c: Ctx, path: Path, value: unknown) => c.doc.setIn(path, value);
const availability = (c: Ctx) => Object.keys(c.probes).find((p) => c.probes[p]!.kind === 'availability')!;
const firstContainer = (c: Ctx) => c.containers[0]!;
/** A placeholder scalar that becomes raw YAML text once the document is written out. */
const raw = (c: Ctx, path: Path, yaml: string): ((t: string) => string) => {
  const placeholder = `mutation-placeholder-${path.join('-')}`;
  set(c, path, placeholder);
  return (t) => t.replace(placeholder, yaml);
};

const aliases: Mutation[] = [
  { name: 'an alias used over 100 times', apply: (c) => {
    const image = c.doc.getIn(['topology', 'containers', firstContainer(c), 'image'], true) as Scalar;
    const alias = c.doc.createAlias(image, 'img');
    c.doc.set('x-many', c.doc.createNode(Array.from({ length: 101 }, () => alias)));
    return { path: ['x-many', 100], message: /more than 100/ };
  } },
  { name: 'nested aliases expanding past 100 (an alias bomb)', apply: (c) => {
    const ten = (x: unknown) => Array.from({ length: 10 }, () => x);
    const a = c.doc.createNode(ten('lol'));
    c.doc.set('x-a', a);
    const b = c.doc.createNode(ten(c.doc.createAlias(a, 'a')));
    c.doc.set('x-b', b);
    c.doc.set('x-c', c.doc.createNode(ten(c.doc.createAlias(b, 'b'))));
    // x-b's ten aliases count 10; each alias of x-b then counts 11: the ninth crosses 100.
    return { path: ['x-c', 8], message: /alias bomb/ };
  } },
  { name: 'an undefined alias', apply: (c) => {
    const path = ['topology', 'containers', firstContainer(c), 'image'];
    return { path, message: /no anchor/, text: raw(c, path, '*nowhere') };
  } },
  { name: 'an alias before its anchor', apply: (c) => {
    const path = ['topology', 'containers', firstContainer(c), 'image'];
    (c.doc.getIn(['objectives', 0, 'rto'], true) as Scalar).anchor = 'later';
    return { path, message: /no anchor defined before/, text: raw(c, path, '*later') };
  } },
  { name: 'an alias inside the node it names', apply: (c) => {
    const loop = c.doc.createNode(['x']) as never as { items: unknown[]; anchor?: string };
    loop.anchor = 'loop';
    loop.items.push(new Alias('loop'));
    c.doc.set('x-loop', loop);
    return { path: ['x-loop', 1], message: /a loop/ };
  } },
  { name: 'a key twice in one map', apply: (c) => {
    const map = c.doc.getIn(['topology', 'containers', firstContainer(c)], true);
    if (!isMap(map)) return null;
    map.items.push(new Pair(new Scalar('image'), new Scalar('drill/base:bookworm')));
    return { path: ['topology', 'containers', firstContainer(c), 'image'], key: true, message: /unique/ };
  } },
  { name: '__proto__ as an env key', apply: (c) => {
    const path = ['topology', 'containers', firstContainer(c), 'env'];
    c.doc.setIn(path, c.doc.createNode({}));
    (c.doc.getIn(path, true) as { items: Pair[] }).items.push(new Pair(new Scalar('__proto__'), new Scalar('polluted')));
    return { path: [...path, '__proto__'], key: true, message: /reserve/ };
  } },
];

/** Prototype names declared as names: refused as names (all but `constructor` fail the name rule). */
const declared = (n: string): Mutation[] => [
  { name: `${n} as a declared network`, apply: (c) => { c.doc.addIn(['topology', 'networks'], n); return { path: ['topology', 'networks', (c.doc.getIn(['topology', 'networks']) as { items: unknown[] }).items.length - 1] }; } },
  { name: `${n} as a container name`, apply: (c) => { const m = c.doc.getIn(['topology', 'containers'], true) as { items: Pair[] }; m.items.push(new Pair(new Scalar(n), c.doc.createNode({ image: 'drill/base:bookworm' }))); return { path: ['topology', 'containers', n], key: n === '__proto__' }; } },
  { name: `${n} as a probe name`, apply: (c) => { const m = c.doc.getIn(['probes'], true) as { items: Pair[] }; m.items.push(new Pair(new Scalar(n), c.doc.createNode({ kind: 'availability', target: { container: firstContainer(c), port: 1 } }))); return { path: ['probes', n], key: n === '__proto__' }; } },
  { name: `${n} as a step id`, apply: (c) => { const i = addStep(c, { id: n, kind: 'wait', for: '1s' }); return { path: ['steps', i, 'id'] }; } },
];

/**
 * Prototype names where the plan names something: every one must be refused as naming nothing. As a
 * declared name `constructor` is a valid one (the positive control in mutations.test.ts), so it is
 * only refused where it names what the plan does not declare.
 */
const prototypeNames: Mutation[] = PROTO.flatMap((n): Mutation[] => [
  { name: `${n} as a probe's container`, apply: (c) => { const p = ['probes', availability(c), 'target', 'container']; set(c, p, n); return { path: p }; } },
  { name: `${n} as a Docker step's target`, apply: (c) => { const i = idx(c, (s) => s.kind === 'docker' && !!(s.docker as { target?: string }).target); if (i === null) return null; const p = ['steps', i, 'docker', 'target']; set(c, p, n); return { path: p }; } },
  { name: `${n} as a fault's target`, apply: (c) => { const i = addStep(c, { id: 'proto-fault', kind: 'fault', fault: { type: 'pause', target: n } }); return { path: ['steps', i, 'fault', 'target'] }; } },
  { name: `${n} as a fault's peer`, apply: (c) => { const i = addStep(c, { id: 'proto-peer', kind: 'fault', fault: { type: 'partition-pair', target: firstContainer(c), peer: n } }); return { path: ['steps', i, 'fault', 'peer'] }; } },
  { name: `${n} as a container's network`, apply: (c) => { const p = ['topology', 'containers', firstContainer(c), 'networks']; set(c, p, c.doc.createNode([n])); return { path: [...p, 0] }; } },
  ...(n === 'constructor' ? [] : declared(n)),
  { name: `${n} as a container's volume`, apply: (c) => { const p = ['topology', 'containers', firstContainer(c), 'volumes']; const m = c.doc.createNode({}); (m as { items: Pair[] }).items.push(new Pair(new Scalar(n), new Scalar('/mnt/x'))); set(c, p, m); return { path: [...p, n], key: n === '__proto__' }; } },
  { name: `${n} as a site`, apply: (c) => { const i = addStep(c, { id: 'proto-site', kind: 'docker', docker: { action: 'pause', site: n } }); return { path: ['steps', i, 'docker', 'site'] }; } },
  { name: `${n} as a fault's site`, apply: (c) => { const i = addStep(c, { id: 'proto-fsite', kind: 'fault', fault: { type: 'pause', site: n } }); return { path: ['steps', i, 'fault', 'site'] }; } },
  { name: `${n} as the probe a wait waits on`, apply: (c) => { const i = addStep(c, { id: 'proto-wait', kind: 'wait', probe: n }); return { path: ['steps', i, 'probe'] }; } },
  { name: `${n} as the probe a verify checks`, apply: (c) => { const i = addStep(c, { id: 'proto-verify', kind: 'verify', probe: n }); return { path: ['steps', i, 'probe'] }; } },
  { name: `${n} as an objective's availability probe`, apply: (c) => { const p = ['objectives', 0, 'availability']; set(c, p, n); return { path: p }; } },
  { name: `${n} as the step an objective is measured from`, apply: (c) => { const p = ['objectives', 0, 'from']; set(c, p, n); return { path: p }; } },
  { name: `${n} as an SSH host`, apply: (c) => { const i = addStep(c, { id: 'proto-ssh', kind: 'ssh', host: n, command: 'true' }); return { path: ['steps', i, 'host'] }; } },
  { name: `${n} as a guardrail's probe`, apply: (c) => { set(c, ['guardrails'], c.doc.createNode([{ probe: n }])); return { path: ['guardrails', 0, 'probe'] }; } },
]);

type Field = { what: string; at: (c: Ctx) => Path | null };
const manual = (c: Ctx) => idx(c, (s) => s.kind === 'manual');
const TIMERS: Field[] = [
  { what: 'a probe interval', at: (c) => ['probes', availability(c), 'interval'] },
  { what: 'a probe timeout', at: (c) => ['probes', availability(c), 'timeout'] },
  { what: 'a step timeout', at: (c) => ['steps', 0, 'timeout'] },
  { what: 'a manual step\'s timeout (with an auto action)', at: (c) => { const i = manual(c); return i === null ? null : ['steps', i, 'timeout']; } },
  { what: 'a manual step\'s escalateAfter', at: (c) => { const i = manual(c); return i === null ? null : ['steps', i, 'escalateAfter']; } },
  { what: 'a fault\'s duration', at: (c) => { const i = idx(c, (s) => s.kind === 'fault' && !!s.fault); return i === null ? null : ['steps', i, 'duration']; } },
];
const ANY: Field[] = [
  ...TIMERS,
  { what: 'a wait\'s for', at: (c) => { const i = idx(c, (s) => s.kind === 'wait' && s.for !== undefined); return i === null ? null : ['steps', i, 'for']; } },
  { what: 'a step\'s expected', at: () => ['steps', 0, 'expected'] },
  { what: 'an RTO', at: () => ['objectives', 0, 'rto'] },
  { what: 'an RPO', at: () => ['objectives', 0, 'rpo'] },
  { what: 'sparseSampling.after', at: () => ['sparseSampling', 'after'] },
  { what: 'sparseSampling.every', at: () => ['sparseSampling', 'every'] },
  { what: 'a guardrail tolerance', at: (c) => { set(c, ['guardrails'], c.doc.createNode([{ probe: availability(c) }])); return ['guardrails', 0, 'tolerance']; } },
  { what: 'a finding\'s lost', at: (c) => { set(c, ['steps', 0, 'findings'], c.doc.createNode([{ drill: 'd-1', note: 'slow' }])); return ['steps', 0, 'findings', 0, 'lost']; } },
];
const withValue = (fields: Field[], label: string, value: unknown, message?: RegExp): Mutation[] => fields.map((f) => ({
  name: `${label} as ${f.what}`,
  apply: (c) => { const p = f.at(c); if (!p) return null; set(c, p, value); return { path: p, ...(message && { message }) }; },
}));

const durations: Mutation[] = [
  ...withValue(TIMERS, '0s', '0s', /more than 0/),
  ...withValue(TIMERS, '0.4ms (rounds to 0)', '0.4ms', /more than 0/),
  ...withValue(TIMERS, '25d (past the 24.8-day timer limit)', '25d', /24\.8 days/),
  ...withValue(ANY, 'a negative duration', '-5s', /negative/),
  ...withValue(ANY, '1 and 400 zeros', HUGE, /too large/),
  ...withValue(ANY, 'a duration without a unit', '30', /unit/),
  ...withValue(ANY, 'a bare number', 30, /unit/),
  ...withValue(ANY, 'words', 'five minutes', /unit/),
  ...withValue([{ what: 'an RTO', at: () => ['objectives', 0, 'rto'] }], '400d (past a plan\'s year)', '400d', /year/),
  ...withValue([{ what: 'sparseSampling.every', at: () => ['sparseSampling', 'every'] }], '500ms', '500ms', /at least 1\.0s/),
  { name: 'a latency fault of 0ms', apply: (c) => { const i = addStep(c, { id: 'no-delay', kind: 'fault', fault: { type: 'latency', target: firstContainer(c), delay: '0ms' } }); return { path: ['steps', i, 'fault', 'delay'], message: /more than 0/ }; } },
];

const diskFill = (path: string, size: string, level: number): ((c: Ctx) => Expected) => (c) => {
  set(c, ['topology', 'containers', firstContainer(c), 'tmpfs'], c.doc.createNode({ '/scratch': size }));
  const i = addStep(c, { id: 'fill', kind: 'fault', fault: { type: 'disk-fill', target: firstContainer(c), path, level } });
  return { path: ['steps', i, 'fault', 'path'] };
};
const faults: Mutation[] = [
  { name: 'a disk-fill path leaving its tmpfs with ..', apply: diskFill('/scratch/../var/lib', '64m', 50) },
  { name: 'a disk-fill path with ./..', apply: diskFill('/scratch/./../etc', '64m', 50) },
  { name: 'a disk-fill over 2 GiB (size × level)', apply: diskFill('/scratch', '4g', 60) },
  { name: 'a disk-fill of 3g to 100%', apply: diskFill('/scratch/data', '3g', 100) },
  { name: 'a tmpfs mount written with ..', apply: (c) => { const p = ['topology', 'containers', firstContainer(c), 'tmpfs']; set(c, p, c.doc.createNode({ '/scratch/..': '64m' })); return { path: [...p, '/scratch/..'] }; } },
  { name: 'a fault selecting by label __proto__', apply: (c) => { const i = addStep(c, { id: 'proto-labels', kind: 'fault', fault: { type: 'pause', labels: {} } }); (c.doc.getIn(['steps', i, 'fault', 'labels'], true) as { items: Pair[] }).items.push(new Pair(new Scalar('__proto__'), new Scalar('db'))); return { path: ['steps', i, 'fault', 'labels', '__proto__'], key: true }; } },
  { name: 'a fault selecting by an upper-case label key', apply: (c) => { const i = addStep(c, { id: 'odd-labels', kind: 'fault', fault: { type: 'pause', labels: { Role: 'db' } } }); return { path: ['steps', i, 'fault', 'labels', 'Role'] }; } },
];

const webhooks: Mutation[] = ['file:///etc/passwd', 'data:text/plain,hello', 'javascript:alert(1)', 'ftp://files.example/x', 'not a url'].map((url) => ({
  name: `a ${url.split(':')[0]} webhook`, apply: (c) => { set(c, ['escalation'], c.doc.createNode({ webhook: url })); return { path: ['escalation', 'webhook'], message: /http/ }; },
}));

const followUp = (o: object) => ({ id: 'fu-1', finding: 'x', owner: 'cho', due: '2026-12-22', from: 'd-1', ...o });
const crossChecks: Mutation[] = [
  { name: 'a follow-up naming a missing step', apply: (c) => { set(c, ['followUps'], c.doc.createNode([followUp({ step: 'nowhere' })])); return { path: ['followUps', 0, 'step'] }; } },
  { name: 'a follow-up naming a missing objective', apply: (c) => { set(c, ['followUps'], c.doc.createNode([followUp({ objective: 'nowhere', measure: 'rto' })])); return { path: ['followUps', 0, 'objective'] }; } },
  { name: 'a follow-up naming neither step nor objective', apply: (c) => { set(c, ['followUps'], c.doc.createNode([followUp({})])); return { path: ['followUps', 0] }; } },
  { name: 'two follow-ups with one id', apply: (c) => { set(c, ['followUps'], c.doc.createNode([followUp({ step: c.steps[0]!.id }), followUp({ step: c.steps[1]!.id })])); return { path: ['followUps', 1, 'id'] }; } },
  { name: 'a follow-up\'s measure without an objective', apply: (c) => { set(c, ['followUps'], c.doc.createNode([followUp({ step: c.steps[0]!.id, measure: 'rto' })])); return { path: ['followUps', 0, 'measure'] }; } },
  { name: 'a finding without a note', apply: (c) => { set(c, ['steps', 0, 'findings'], c.doc.createNode([{ drill: 'd-1', lost: '3s' }])); return { path: ['steps', 0, 'findings', 0, 'note'] }; } },
  { name: 'duplicate step ids', apply: (c) => { set(c, ['steps', 1, 'id'], c.steps[0]!.id); return { path: ['steps', 1, 'id'], message: /duplicate/ }; } },
  { name: 'a wait on a missing probe', apply: (c) => { const i = idx(c, (s) => s.kind === 'wait' && s.probe !== undefined)!; set(c, ['steps', i, 'probe'], 'ghost'); return { path: ['steps', i, 'probe'] }; } },
  { name: 'a verify of a missing probe', apply: (c) => { const i = idx(c, (s) => s.kind === 'verify'); if (i === null) return null; set(c, ['steps', i, 'probe'], 'ghost'); return { path: ['steps', i, 'probe'] }; } },
  { name: 'an objective on a missing probe', apply: (c) => { set(c, ['objectives', 0, 'availability'], 'ghost'); return { path: ['objectives', 0, 'availability'] }; } },
  { name: 'a probe of a missing container', apply: (c) => { const p = ['probes', availability(c), 'target', 'container']; set(c, p, 'ghost'); return { path: p }; } },
  { name: 'a Docker action on a missing container', apply: (c) => { const i = addStep(c, { id: 'ghost-stop', kind: 'docker', docker: { action: 'stop', target: 'ghost' } }); return { path: ['steps', i, 'docker', 'target'] }; } },
  { name: 'a manual step verified by a missing probe', apply: (c) => { const i = manual(c); if (i === null) return null; set(c, ['steps', i, 'verify'], 'ghost'); return { path: ['steps', i, 'verify'] }; } },
];

const types: Mutation[] = [
  { name: 'version 2', apply: (c) => { set(c, ['version'], 2); return { path: ['version'] }; } },
  { name: 'steps as a map', apply: (c) => { set(c, ['steps'], c.doc.createNode({ a: 1 })); return { path: ['steps'] }; } },
  { name: 'a port as text', apply: (c) => { set(c, ['topology', 'containers', firstContainer(c), 'ports'], c.doc.createNode(['http'])); return { path: ['topology', 'containers', firstContainer(c), 'ports', 0] }; } },
  { name: 'a port out of range', apply: (c) => { const p = ['probes', availability(c), 'target', 'port']; set(c, p, 70000); return { path: p }; } },
  { name: 'onFailure: maybe', apply: (c) => { set(c, ['steps', 0, 'onFailure'], 'maybe'); return { path: ['steps', 0, 'onFailure'] }; } },
  { name: 'an upper-case scenario name', apply: (c) => { set(c, ['name'], 'Bad Name'); return { path: ['name'] }; } },
  { name: 'a negative seed', apply: (c) => { set(c, ['seed'], -1); return { path: ['seed'] }; } },
  { name: 'a blast radius of 0', apply: (c) => { set(c, ['blastRadius'], c.doc.createNode({ maxContainers: 0 })); return { path: ['blastRadius', 'maxContainers'] }; } },
  { name: 'an unknown step kind', apply: (c) => { set(c, ['steps', 0, 'kind'], 'teleport'); return { path: ['steps', 0, 'kind'] }; } },
  { name: 'an unknown key in sparseSampling', apply: (c) => { set(c, ['sparseSampling'], c.doc.createNode({ evry: '1m' })); return { path: ['sparseSampling', 'evry'], key: true }; } },
  { name: 'a list where text belongs', apply: (c) => { set(c, ['steps', 0, 'id'], c.doc.createNode(['a'])); return { path: ['steps', 0, 'id'] }; } },
];

export const MUTATIONS: Mutation[] = [...aliases, ...prototypeNames, ...durations, ...faults, ...webhooks, ...crossChecks, ...types];
