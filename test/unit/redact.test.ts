// Redaction of command output over real key material (node:crypto, ssh-keygen, gpg) and secret
// values in the forms a runbook command prints them: every class the review found leaking, and the
// ordinary output (hashes, ids, public keys, certificates, base64 of plain text) that must stay as it is.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drillKey } from '../../activities/keys.js';
import { redact } from '../../activities/redact.js';
import { isSecretName, secretValues } from '../../activities/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'drill-redact-'));
afterAll(() => {
  execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: join(dir, 'gnupg') }, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
/** As `base64` prints it: wrapped at 76 columns. */
const wrapped = (s: string | Buffer, width = 76) => b64(s).match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n') + '\n';
/** A PEM or OpenSSH key without its header and footer lines (`sed '1d;$d' key`). */
const body = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('\n') + '\n';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const pem = {
  pkcs1: rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
  pkcs8: ed.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  sec1: ec.privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
  encrypted: rsa.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }).toString(),
  openssh: drillKey('redact-test').privateKey,
  sshKeygen: (() => {
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', 'drill-test', '-f', join(dir, 'id_rsa')]);
    return readFileSync(join(dir, 'id_rsa'), 'utf8');
  })(),
};

/** A real OpenPGP secret key, exported armoured (gpg in a throwaway home). */
let pgp: string | undefined;
function pgpSecretKey(): string {
  if (pgp) return pgp;
  const env = { ...process.env, GNUPGHOME: join(dir, 'gnupg') };
  execFileSync('mkdir', ['-m', '700', '-p', env.GNUPGHOME]);
  execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', 'drill test <drill@example.invalid>', 'ed25519', 'sign', 'never'], { env, stdio: 'ignore' });
  return (pgp = execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--armor', '--export-secret-keys'], { env, encoding: 'utf8' }));
}

describe('redact: private keys', () => {
  it('redacts armoured private keys in any case, PGP blocks included', () => {
    for (const [kind, k] of Object.entries(pem)) {
      expect(redact(`before\n${k}after\n`), kind).toBe('before\n[redacted private key]\nafter\n');
      expect(redact(`before\n${k.toLowerCase()}after\n`), `${kind} in lower case`).toBe('before\n[redacted private key]\nafter\n');
    }
    expect(redact('x\n-----begin openssh private key-----\nb3BlbnNzaC1rZXktdjE=\n-----end openssh private key-----\ny')).toBe('x\n[redacted private key]\ny');
    const ppk = 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ops\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIFiI\nQ2a9z0s=\nPrivate-Lines: 1\nAAAAIHdyb25nIGtleSBtYXRlcmlhbCBmb3IgYSB0ZXN0IG9ubHk=\nPrivate-MAC: 0b1c\n';
    expect(redact(ppk)).toBe(ppk.replace(/Private-Lines: 1\n[^\n]*/, '[redacted private key]'));
    expect(pgpSecretKey()).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
    expect(redact(`gpg says:\n${pgpSecretKey()}done\n`)).toBe('gpg says:\n[redacted private key]\ndone\n');
  });

  it('redacts a key body printed without its header and footer, whole or only its first line', () => {
    for (const [kind, k] of Object.entries(pem)) {
      if (kind === 'encrypted') continue; // an encrypted body is not key material in the clear
      expect(redact(`key:\n${body(k)}end\n`), kind).toBe('key:\n[redacted private key]\nend\n');
      expect(redact(`first line: ${body(k).split('\n')[0]}\n`), `${kind}, first line`).toBe('first line: [redacted private key]\n');
    }
    // the armour's body without its lines, as `grep -v -- -----` prints it: its checksum line says nothing
    const pgpBody = body(pgpSecretKey().replace(/^-----BEGIN[^\n]*\n(?:[A-Za-z-]+: [^\n]*\n)*/, ''));
    const checksum = pgpBody.trimEnd().split('\n').at(-1)!;
    expect(checksum).toMatch(/^=/);
    expect(redact(`gpg:\n${pgpBody}`)).toBe(`gpg:\n[redacted private key]\n${checksum}\n`);
  });

  it('redacts a whole key block piped through base64, wrapped or not, and twice', () => {
    for (const [kind, k] of Object.entries(pem)) {
      expect(redact(`$ cat key | base64\n${wrapped(k)}$ `), kind).toBe('$ cat key | base64\n[redacted private key]\n$ ');
      expect(redact(`k=${b64(k)};`), `${kind}, one line`).toBe('k=[redacted private key];');
      expect(redact(`${b64(b64(k))}\n`), `${kind}, twice`).toBe('[redacted private key]\n');
    }
    // only the head of it, as `base64 key | head -3` prints it
    expect(redact(wrapped(pem.openssh).split('\n').slice(0, 3).join('\n'))).toBe('[redacted private key]');
  });

  it('redacts every line of a key it was told of, even a line from the middle', () => {
    const middle = body(pem.openssh).split('\n')[2]!;
    expect(redact(`line 3: ${middle}\n`, [pem.openssh])).toBe('line 3: [redacted]\n');
  });
});

describe('redact: known secret values', () => {
  const pw = `Tr0ub4dor&3-${randomBytes(4).toString('hex')}`;

  it('redacts a secret plain, URL- or JSON-escaped, and cut off by the output limit', () => {
    expect(redact(`PGPASSWORD=${pw} psql`, [pw])).toBe('PGPASSWORD=[redacted] psql');
    expect(redact(`postgres://app:${encodeURIComponent(pw)}@db/app`, [pw])).toBe('postgres://app:[redacted]@db/app');
    expect(redact(`{"password":${JSON.stringify(`${pw}"q`)}}`, [`${pw}"q`])).toBe('{"password":"[redacted]"}');
    expect(redact(`…the output ends in ${pw.slice(0, 9)}`, [pw])).toBe('…the output ends in [redacted]');
  });

  it('redacts its base64 forms: alone, with a newline, inside an encoded env, across a line break, twice, url-safe', () => {
    const env = `HOSTNAME=db-1\nHOME=/root\nDB_PASSWORD=${pw}\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin\nLANG=C.UTF-8\n`;
    const cases: [string, string][] = [
      [`${b64(pw)}\n`, '[redacted]\n'],
      [`${b64(`${pw}\n`)}\n`, '[redacted]\n'],
      [`Authorization: Basic ${b64(`app:${pw}`)}\r\n`, 'Authorization: Basic [redacted]\r\n'],
      [`$ env | base64\n${wrapped(env)}$ `, '$ env | base64\n[redacted]\n$ '],
      [`${b64(b64(env))}\n`, '[redacted]\n'],
      [`token=${Buffer.from(`xx${pw}`).toString('base64url')}&next`, 'token=[redacted]&next'],
    ];
    for (const [printed, shown] of cases) expect(redact(printed, [pw]), printed).toBe(shown);
    // the stream wrapped so that the password's encoding is split by the line break
    const split = wrapped(`${'x'.repeat(50)}${pw}${'y'.repeat(60)}`);
    for (const line of split.split('\n')) expect(redact(line, [pw]), 'no line alone holds all of it').toBe(line);
    expect(redact(split, [pw])).toBe('[redacted]\n');
  });

  it('leaves ordinary output alone, base64 that holds no secret and public keys included', () => {
    const cert = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=drill', '-days', '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const ordinary = [
      'PING 10.0.0.2: 56 data bytes\n64 bytes from 10.0.0.2: icmp_seq=0 ttl=64 time=0.081 ms\n',
      `sha256 ${'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}  /srv/pg/base.tar\n`,
      'container 4f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0 started\n',
      `${drillKey('x').publicKey}\n`,
      `${b64('hello, this is ordinary text that someone base64-encoded for transport')}\n`,
      wrapped('a longer plain text, wrapped by base64 at 76 columns as the coreutils tool does it, twice over'),
      cert,
      rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      `${b64(rsa.publicKey.export({ format: 'der', type: 'spki' }))}\n`,
      'a secret shorter than 4 characters is no secret to redact: the abc of it\n',
    ];
    for (const out of ordinary) expect(redact(out, [pw, 'abc']), out).toBe(out);
  });
});

describe('secret values of an env', () => {
  it('takes secret-named entries and passwords inside URLs, nothing else', () => {
    expect(['MYSQL_ROOT_PASSWORD', 'apiKey', 'AWS_SECRET_ACCESS_KEY', 'DB_PWD', 'REDIS_PASS', 'GITHUB_TOKEN', 'SENTRY_DSN', 'PRIVATE_KEY'].filter(isSecretName))
      .toEqual(['MYSQL_ROOT_PASSWORD', 'apiKey', 'AWS_SECRET_ACCESS_KEY', 'DB_PWD', 'REDIS_PASS', 'GITHUB_TOKEN', 'SENTRY_DSN', 'PRIVATE_KEY']);
    expect(['PATH', 'HOME', 'PWD', 'OLDPWD', 'HOSTNAME', 'POSTGRES_PASSWORD_FILE', 'KEYSPACE', 'LANG', 'POSTGRES_HOST_AUTH_METHOD', 'AUTHORIZED_KEYS', 'SSH_PUBLIC_KEY'].filter(isSecretName)).toEqual([]);
    expect(secretValues([
      'PATH=/usr/bin:/bin', 'PWD=/srv', 'POSTGRES_PASSWORD=s3cret-pw', 'API_TOKEN=tok-123456', 'SHORT_PASSWORD=abc', 'USE_PASSWORD=true',
      'DATABASE_URL=postgres://app:p%40ss-w0rd@db:5432/app', 'REPLICA_URL=http://db:5432/', 'MALFORMED', 'EMPTY_SECRET=',
    ])).toEqual(['s3cret-pw', 'tok-123456', 'p@ss-w0rd']);
  });
});
