import type Docker from 'dockerode';
import { dockerActivities, dockerClient } from './docker.js';
import { notifyActivities } from './notify.js';
import { fileActivities } from './files.js';
import { probeActivities } from './probes.js';
import { sshActivities } from './ssh.js';

export function createActivities(docker: Docker = dockerClient()) {
  return { ...dockerActivities(docker), ...probeActivities, ...notifyActivities, ...fileActivities, ...sshActivities() };
}
