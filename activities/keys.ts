// The drill's own SSH identity. Each drill gets an Ed25519 key derived from the worker secret and the
// drill id, so any worker holding the secret can act for any drill after a crash, and no private key
// ever passes through the workflow's history, the timeline or a report: only public keys do.
import { createHash, createHmac, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../setup/paths.js';

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

let cached: Buffer | undefined;
/**
 * DRILL_SSH_SECRET, or a random secret kept in the state directory. Workers of one cluster on several
 * machines must share it (set DRILL_SSH_SECRET), or a drill's SSH steps only run where it started.
 */
function workerSecret(): Buffer {
  if (process.env.DRILL_SSH_SECRET) return Buffer.from(process.env.DRILL_SSH_SECRET, 'utf8');
  if (cached) return cached;
  const file = join(stateDir(), 'ssh-secret');
  if (!existsSync(file)) {
    // Written whole under another name, then linked into place: a worker starting at the same moment
    // sees no file or the whole secret, never an empty one; the first link wins.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  cached = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
  return cached;
}

const sshString = (b: Buffer | string) => {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};
const uint32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };

export type DrillKey = { publicKey: string; privateKey: string };

/** The drill's key pair: `publicKey` as an authorized_keys line, `privateKey` in OpenSSH format (what ssh2 reads). */
export function drillKey(drillId: string): DrillKey {
  const seed = createHmac('sha256', workerSecret()).update(`drill-ssh:${drillId}`).digest();
  const pub = Buffer.from(createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x!, 'base64url');
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const comment = `drill-${drillId}`;
  // openssh-key-v1, unencrypted: the check ints match, the private part is seed || public, padded to 8.
  const check = uint32(seed.readUInt32BE(0));
  let secret = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const pad = Buffer.from(Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, i) => i + 1));
  secret = Buffer.concat([secret, pad]);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''), uint32(1), sshString(blob), sshString(secret)]);
  const lines = body.toString('base64').match(/.{1,70}/g)!.join('\n');
  return {
    publicKey: `ssh-ed25519 ${blob.toString('base64')} ${comment}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`,
  };
}

/** `SHA256:...` as ssh-keygen -l prints it, from an OpenSSH public key line or a raw key blob. */
export function fingerprint(key: string | Buffer): string {
  const blob = typeof key === 'string' ? Buffer.from(key.trim().split(/\s+/)[1] ?? '', 'base64') : key;
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Does the key the server presented match the pinned one (a public key line or a fingerprint)? */
export function matchesPin(presented: Buffer, pinned: string): boolean {
  const p = pinned.trim();
  if (p.startsWith('SHA256:')) return fingerprint(presented) === p.replace(/=+$/, '');
  return Buffer.from(p.split(/\s+/)[1] ?? '', 'base64').equals(presented);
}
