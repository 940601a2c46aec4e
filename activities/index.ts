import type Docker from 'dockerode';
import { dockerActivities, dockerClient } from './docker.js';
import { probeActivities } from './probes.js';

export function createActivities(docker: Docker = dockerClient()) {
  return { ...dockerActivities(docker), ...probeActivities };
}
