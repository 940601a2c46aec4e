// The drill's SSH identity and what may leave an SSH step: checked against OpenSSH's own tools.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { drillKey, fingerprint, matchesPin } from '../../activities/keys.js';
import { redact } from '../../activities/redact.js';
import { shellLine } from '../../activities/once.js';

process.env.DRILL_SSH_SECRET = 'unit-test-secret';

describe('drill SSH keys', () => {
  it('derives one key per drill, the same on every worker holding the secret, that OpenSSH and ssh2 both read', () => {
    const k = drillKey('drill-1');
    expect(drillKey('drill-1')).toEqual(k);
    expect(drillKey('drill-2').publicKey).not.toBe(k.publicKey);
    const parsed = utils.parseKey(k.privateKey);
    if (parsed instanceof Error) throw parsed;
    expect((Array.isArray(parsed) ? parsed[0]! : parsed).getPublicSSH().toString('base64')).toBe(k.publicKey.split(' ')[1]);
    const file = join(mkdtempSync(join(tmpdir(), 'drill-key-')), 'id');
    writeFileSync(file, k.privateKey, { mode: 0o600 });
    expect(execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim()).toBe(k.publicKey);
    expect(execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' })).toContain(fingerprint(k.publicKey));
  });

  it('changes with the worker secret', () => {
    const before = drillKey('drill-1').publicKey;
    process.env.DRILL_SSH_SECRET = 'another-secret';
    try {
      expect(drillKey('drill-1').publicKey).not.toBe(before);
    } finally {
      process.env.DRILL_SSH_SECRET = 'unit-test-secret';
    }
  });

  it('pins a host key by its public key line or its fingerprint, and nothing else', () => {
    const a = drillKey('a').publicKey;
    const blob = Buffer.from(a.split(' ')[1]!, 'base64');
    expect(matchesPin(blob, a)).toBe(true);
    expect(matchesPin(blob, fingerprint(a))).toBe(true);
    expect(matchesPin(blob, drillKey('b').publicKey)).toBe(false);
    expect(matchesPin(blob, fingerprint(drillKey('b').publicKey))).toBe(false);
  });

  it('redacts private keys and named secrets from output', () => {
    const k = drillKey('c').privateKey;
    const out = redact(`before\n${k}after PGPASSWORD=hunter22`, ['hunter22']);
    expect(out).toBe('before\n[redacted private key]\nafter PGPASSWORD=[redacted]');
    expect(redact(`cut off ${k.slice(0, 120)}`)).toBe('cut off [redacted private key]');
  });

  it('quotes a command line so the remote shell sees the same words', () => {
    const words = ['sh', '-c', `echo "it's $HOME" | tr a b`, 'x y'];
    expect(execFileSync('sh', ['-c', `for w in ${shellLine(words)}; do printf '%s\\n' "$w"; done`], { encoding: 'utf8' })).toBe(words.join('\n') + '\n');
  });
});
