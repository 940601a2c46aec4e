// The reference images, built offline: the base from Debian's packages (debootstrap + docker import),
// the rest from images/<name>/ on top of it. A content hash label skips a rebuild when nothing changed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { ensureDebootstrap } from './engine.js';

export const BASE_IMAGE = 'drill/base:bookworm';
/** Reference images: tag → build context under images/. */
export const REFERENCE_IMAGES: Record<string, string> = { 'drill/redis:latest': 'redis', 'drill/site:latest': 'site', 'drill/netem:latest': 'netem' };
const HASH_LABEL = 'drill.context-hash';

/** The build contexts: images/ at the project's root, whether this runs from setup/ or dist/setup/. */
export const imagesDir = () => fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../images/' : '../../images/', import.meta.url));

function hashDir(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(name).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 16);
}

async function imageLabels(docker: Docker, tag: string): Promise<Record<string, string> | null> {
  try {
    return (await docker.getImage(tag).inspect()).Config.Labels ?? {};
  } catch {
    return null;
  }
}

function sh(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-8).join('\n')}`);
}

export async function ensureImages(log: (s: string) => void, docker = new Docker()): Promise<void> {
  const root = imagesDir();
  if ((await imageLabels(docker, BASE_IMAGE)) === null) {
    ensureDebootstrap(log);
    log(`building ${BASE_IMAGE} offline with debootstrap (about a minute)`);
    sh('bash', [join(root, 'base', 'build.sh'), BASE_IMAGE], root);
  }
  for (const [tag, context] of Object.entries(REFERENCE_IMAGES)) {
    const dir = join(root, context);
    const hash = hashDir(dir);
    if ((await imageLabels(docker, tag))?.[HASH_LABEL] === hash) continue;
    log(`building ${tag} from images/${context}`);
    sh('docker', ['build', '--network', 'host', '--build-arg', `BASE=${BASE_IMAGE}`, '--label', `${HASH_LABEL}=${hash}`, '-t', tag, dir], dir);
  }
}
