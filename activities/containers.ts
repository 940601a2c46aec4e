// The drill's containers as every activity finds them: by logical name, and never one that lacks the
// drill's label, whatever its name. One place for that check, so no kind of action can skip it.
import type Docker from 'dockerode';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import { RUN_LABEL, resourceName } from './names.js';

export type Target = { container: Docker.Container; info: Docker.ContainerInspectInfo };

/** The engine's answers that an idempotent action expects: gone, already so, in the way. */
export const isNotFound = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;
export const isNotModified = (err: unknown) => (err as { statusCode?: number }).statusCode === 304;
export const isConflict = (err: unknown) => (err as { statusCode?: number }).statusCode === 409;

/**
 * The drill's container for a logical name; refuses one without this drill's label. With `optional`,
 * a container that does not exist is null (a heal of a target that is gone has nothing to undo).
 */
export async function drillTarget(docker: Docker, drillId: string, name: string, optional: true): Promise<Target | null>;
export async function drillTarget(docker: Docker, drillId: string, name: string, optional?: false): Promise<Target>;
export async function drillTarget(docker: Docker, drillId: string, name: string, optional = false): Promise<Target | null> {
  const container = docker.getContainer(resourceName(drillId, name));
  let info;
  try {
    info = await container.inspect();
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (optional) return null;
    throw ApplicationFailure.nonRetryable(`container "${name}" of drill ${drillId} does not exist`, ErrorType.NotFound);
  }
  if (info.Config.Labels?.[RUN_LABEL] !== drillId) {
    throw ApplicationFailure.nonRetryable(`container ${info.Name.replace(/^\//, '')} is not labelled ${RUN_LABEL}=${drillId}; refusing to touch it`, ErrorType.Unlabelled);
  }
  return { container, info };
}
