// Orchestration overhead: a drill of N automated `docker exec` steps against the same N exec calls
// made directly with dockerode in one process. Both run here, one after the other, in one run;
// the figures are printed side by side with their ratio. Never a pass/fail: machines are noisy.
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { toDrillSpec } from '../model/spec.js';
import { scenarioSchema } from '../model/scenario.js';
import { drillRunner } from './drill-runner.js';

const N = Number(process.env.BENCH_STEPS ?? 50);
const IMAGE = 'drill/redis:latest';
const COMMAND = ['sh', '-c', 'echo step'];

async function execDirect(docker: Docker, container: Docker.Container): Promise<void> {
  const exec = await container.exec({ Cmd: COMMAND, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const sink = new PassThrough();
  sink.resume();
  docker.modem.demuxStream(stream, sink, sink);
  await new Promise<void>((resolve, reject) => { stream.on('end', resolve); stream.on('error', reject); });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) throw new Error(`exec exited ${ExitCode}`);
}

async function direct(docker: Docker): Promise<number> {
  const container = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', 'infinity'], Labels: { 'drill.bench': 'direct' } });
  await container.start();
  try {
    await execDirect(docker, container); // warm
    const t = performance.now();
    for (let i = 0; i < N; i++) await execDirect(docker, container);
    return performance.now() - t;
  } finally {
    await container.remove({ force: true });
  }
}

function spec(steps: number) {
  const scenario = scenarioSchema.parse({
    version: 1, name: 'bench',
    topology: { containers: { box: { image: IMAGE, command: ['sleep', 'infinity'] } } },
    probes: {},
    objectives: [{ system: 'box', rto: '1m', rpo: '0s', availability: 'none' }],
    steps: Array.from({ length: steps }, (_, i) => ({ id: `exec-${i + 1}`, kind: 'docker', docker: { action: 'exec', target: 'box', command: COMMAND } })),
  });
  return toDrillSpec(scenario, `bench-${randomBytes(3).toString('hex')}`);
}

async function main() {
  const docker = new Docker();
  const drills = await drillRunner();
  const runDrill = async (steps: number) => {
    const t = performance.now();
    const record = await drills.run(spec(steps));
    const wall = performance.now() - t;
    const first = record.steps[0]!.startedAt!;
    const last = record.steps[record.steps.length - 1]!.endedAt!;
    return { steps: last - first, wall };
  };
  await runDrill(3); // warm: workflow bundle, sticky cache, image layers
  const directMs = await direct(docker);
  const drill = await runDrill(N);
  await drills.close();
  const per = (ms: number) => (ms / N).toFixed(1);
  console.log(`direct dockerode: ${N} execs in ${directMs.toFixed(0)} ms (${per(directMs)} ms/exec)`);
  console.log(`drill workflow:   ${N} exec steps in ${drill.steps.toFixed(0)} ms (${per(drill.steps)} ms/step); whole drill with provision and cleanup ${drill.wall.toFixed(0)} ms`);
  console.log(`overhead ratio (drill steps / direct): ${(drill.steps / directMs).toFixed(2)}x; per step +${((drill.steps - directMs) / N).toFixed(1)} ms`);
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
