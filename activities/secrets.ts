// The secret values output is redacted of (activities/redact.ts), looked up by the activity itself
// from the drill's containers as the engine holds them, so they never pass through the workflow's
// history to get there. Only env entries whose names say they are secret count, and passwords inside
// URL-valued entries: every other value (PATH, HOME, a host name, a port) is ordinary output, and
// redacting it would make a runbook command's output unreadable without protecting anything.
import type Docker from 'dockerode';
import { RUN_LABEL } from './names.js';
import { MIN_SECRET_LENGTH } from './redact.js';

/** Name words that say a value is secret: `MYSQL_ROOT_PASSWORD`, `apiKey`, `AWS_SECRET_ACCESS_KEY`, `DB_PWD`. */
const SECRET_WORDS = new Set([
  'password', 'passwd', 'pass', 'passphrase', 'pwd', 'secret', 'secrets', 'token', 'tokens', 'key', 'keys', 'apikey',
  'credential', 'credentials', 'privatekey', 'salt', 'cookie', 'dsn', 'pat',
]);
/** Values no one uses as a secret, which would otherwise be redacted from every line they appear in. */
const PLAIN_VALUES = /^(true|false|yes|no|on|off|none|null|enabled|disabled)$/i;
/** Whole names that hold shell state, not secrets, though their words match. */
const NOT_SECRET = new Set(['PWD', 'OLDPWD']);
/** Words that say the value is meant to be shown: `SSH_PUBLIC_KEY`, `AUTHORIZED_KEYS` (the drill's bastions hold its key there). */
const PUBLIC_WORDS = new Set(['public', 'pub', 'authorized']);

/** The words of an env name: `MYSQL_ROOT_PASSWORD` → mysql, root, password; `apiKey` → api, key. */
const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

/** Does this env name hold a secret? `*_FILE` names hold a path to one (the images' convention), not the secret. */
export function isSecretName(name: string): boolean {
  if (NOT_SECRET.has(name) || /_FILE$/i.test(name)) return false;
  const w = words(name);
  if (w.some((x) => PUBLIC_WORDS.has(x))) return false;
  return w.some((x) => SECRET_WORDS.has(x)) || /password|passwd|secret|token|apikey/i.test(name);
}

/** The secret values of `NAME=value` entries: secret-named ones, and the password of any URL with one. */
export function secretValues(env: string[]): string[] {
  const out = new Set<string>();
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const [name, value] = [entry.slice(0, eq), entry.slice(eq + 1)];
    if (isSecretName(name) && value.length >= MIN_SECRET_LENGTH && !PLAIN_VALUES.test(value)) out.add(value);
    const password = urlPassword(value);
    if (password && password.length >= MIN_SECRET_LENGTH) out.add(password);
  }
  return [...out];
}

/** `postgres://app:s3cret@db/app` → `s3cret` (decoded, as a client would send it); null otherwise. */
function urlPassword(value: string): string | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) return null;
  try {
    const p = new URL(value).password;
    return p ? decodeURIComponent(p) : null;
  } catch {
    return null;
  }
}

/**
 * The secret values of every container of the drill (any of them may hold what another prints: an
 * app's database password is the database's). Read from the engine each time: a container recreated
 * since may hold new ones. Fails when the engine cannot be read, so output is never let through unredacted.
 */
export async function drillSecrets(docker: Docker, drillId: string): Promise<string[]> {
  const listed = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${drillId}`] } });
  const envs = await Promise.all(listed.map((c) => docker.getContainer(c.Id).inspect().then((i) => i.Config.Env ?? [], (err: { statusCode?: number }) => {
    // Removed between the listing and the look-up: it holds nothing any more.
    if (err.statusCode === 404) return [];
    throw err;
  })));
  return secretValues(envs.flat());
}
