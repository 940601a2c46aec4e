// Validation and the dry run's plan at scale: a plan of N fault steps (10,000 by default) over C
// containers (10,000 by default), each fault picking by target, by site or by label. Prints the time
// each takes; never a pass/fail: machines are noisy. Touches neither Docker nor Temporal.
// BENCH_FAULTS and BENCH_CONTAINERS change the sizes.
import { planFaults } from '../model/plan.js';
import { toDrillSpec } from '../model/spec.js';
import { formatError, validateScenarioText } from '../model/validate.js';

const FAULTS = Number(process.env.BENCH_FAULTS ?? 10_000);
const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 10_000);

function plan(faults: number, containers: number): string {
  const topology = Array.from({ length: containers }, (_, i) =>
    `    c${i}: { image: drill/base:bookworm, site: ${i % 2 ? 'a' : 'b'}, labels: { role: r${i % 5} }, networks: [lan], ports: [6379] }`);
  const select = (i: number) => (i % 3 === 0 ? `target: c${i % containers}` : i % 3 === 1 ? 'site: a, random: 1' : 'labels: { role: r1 }, random: 1');
  const steps = Array.from({ length: faults }, (_, i) =>
    `  - { id: f${i}, kind: fault, fault: { type: pause, ${select(i)}, network: lan }, duration: 1s, background: true }`);
  return [
    'version: 1', 'name: many-faults', 'topology:', '  networks: [lan]', '  containers:', ...topology,
    'probes:', '  up: { kind: availability, target: { container: c0, port: 6379 } }',
    'objectives:', '  - { system: s, rto: 1m, rpo: 0s, availability: up }', 'steps:', ...steps, '',
  ].join('\n');
}

const seconds = (from: number) => `${((performance.now() - from) / 1000).toFixed(2)}s`;
const text = plan(FAULTS, CONTAINERS);
let t = performance.now();
const v = validateScenarioText(text, 'many-faults.yaml');
if (!v.ok) throw new Error(v.errors.slice(0, 5).map(formatError).join('\n'));
console.log(`validate: ${FAULTS} faults over ${CONTAINERS} containers in ${seconds(t)}`);
t = performance.now();
const targets = planFaults(toDrillSpec(v.scenario, 'bench'), 42);
console.log(`plan (dry run's fault targets): ${Object.keys(targets).length} faults in ${seconds(t)}`);
