import type Docker from 'dockerode';
import { dockerActivities, dockerClient } from './docker.js';
import { notifyActivities } from './notify.js';
import { fileActivities } from './files.js';
import { probeActivities } from './probes.js';
import { sshActivities } from './ssh.js';
import { faultActivities } from './faults.js';

export function createActivities(docker: Docker = dockerClient()) {
  return { ...dockerActivities(docker), ...probeActivities, ...notifyActivities, ...fileActivities, ...sshActivities(), ...faultActivities(docker) };
}
