// Test harness: a real worker on the run's real Temporal dev server, and Docker look-ups to check
// what a drill left behind. Nothing here stands in for Temporal or Docker.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import Docker from 'dockerode';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { RUN_LABEL } from '../../activities/names.js';
import type { DrillRecord } from '../../model/record.js';
import { toDrillSpec, type DrillSpec } from '../../model/spec.js';
import { validateScenarioText, formatError } from '../../model/validate.js';
import { installRuntime, workflowsPath } from '../../worker/worker.js';
import { drillWorkflow } from '../../workflows/drill.js';

export const docker = new Docker();
export const temporalAddress = () => inject('temporalAddress');
export const uniqueId = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
const workflowBundle = () => (bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never }));

export async function harness() {
  installRuntime();
  const address = temporalAddress();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const workerConnection = await NativeConnection.connect({ address });
  const taskQueue = uniqueId('test');
  const worker = await Worker.create({ connection: workerConnection, taskQueue, workflowBundle: await workflowBundle(), activities: createActivities(docker) });
  const running = worker.run();
  return {
    client, taskQueue,
    start: (spec: DrillSpec) => client.workflow.start(drillWorkflow, { taskQueue, workflowId: spec.drillId, args: [spec] }),
    run: async (spec: DrillSpec): Promise<DrillRecord> => (await client.workflow.start(drillWorkflow, { taskQueue, workflowId: spec.drillId, args: [spec] })).result(),
    async close() {
      worker.shutdown();
      await running;
      await workerConnection.close();
      await connection.close();
    },
  };
}

export function specFrom(yamlText: string, drillId = uniqueId('t'), operator: DrillSpec['operator'] = 'auto'): DrillSpec {
  const v = validateScenarioText(yamlText, 'test.yaml');
  if (!v.ok) throw new Error(v.errors.map(formatError).join('\n'));
  return toDrillSpec(v.scenario, drillId, undefined, operator);
}

/** Everything Docker holds that carries the drill's label. */
export async function leftovers(drillId: string) {
  const filters = { label: [`${RUN_LABEL}=${drillId}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters }),
  ]);
  return { containers: containers.length, networks: networks.length, volumes: volumes.Volumes?.length ?? 0 };
}
