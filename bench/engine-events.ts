// The Docker engine's event stream for one drill's resources, as the engine reports them: what the
// kill sweep and the provisioning tests watch to SIGKILL a worker the moment something is created.
import type Docker from 'dockerode';
import { resourceName } from '../activities/names.js';

export type EngineEvent = { Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } };

/**
 * Calls `onEvent` for every engine event on a container, network or volume named for the drill, as
 * soon as the engine reports it. Returns a function that stops watching.
 */
export async function watchDrill(docker: Docker, drillId: string, onEvent: (e: EngineEvent) => void): Promise<() => void> {
  const prefix = resourceName(drillId, '');
  const stream = (await docker.getEvents({ filters: { type: ['container', 'network', 'volume'] } })) as NodeJS.ReadableStream & { destroy(): void };
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as EngineEvent;
      // A network event names the network; a container's and a volume's events name themselves.
      const name = e.Actor.Attributes.name ?? e.Actor.ID;
      if (name.startsWith(prefix)) onEvent(e);
    }
  });
  stream.on('error', () => {});
  return () => stream.destroy();
}
