import type Docker from 'dockerode';
import { dockerActivities, dockerClient } from './docker.js';
import { notifyActivities } from './notify.js';
import { fileActivities } from './files.js';
import { probeActivities } from './probes.js';
import { sshActivities } from './ssh.js';
import { faultActivities } from './faults.js';
import { redactedFaults } from './redacted-faults.js';
import { sealActivities } from './seal.js';

export function createActivities(docker: Docker = dockerClient()) {
  return {
    ...dockerActivities(docker), ...probeActivities, ...notifyActivities, ...fileActivities, ...sshActivities(docker),
    ...redactedFaults(docker, faultActivities(docker)), ...sealActivities,
  };
}
