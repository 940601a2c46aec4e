// SSH runbook steps against real sshd: a bastion the drill builds (its key authorized by the drill, its
// host key pinned at provision) and a host outside the topology, listed with a declared key. Failing,
// hanging and refused commands fail their step with the reason; no private key reaches the history.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as SshClient } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillKey } from '../../activities/keys.js';
import { docker, harness, leftovers, specFrom, uniqueId } from '../support/harness.js';

let h: Awaited<ReturnType<typeof harness>>;
const outsideName = uniqueId('drill-test-outside-host');
const dir = mkdtempSync(join(tmpdir(), 'drill-ssh-'));
const identity = join(dir, 'id_ed25519');
let outsidePort = 0;
let outsideHostKey = '';

async function execIn(name: string, cmd: string[]): Promise<string> {
  return execFileSync('docker', ['exec', name, ...cmd], { encoding: 'utf8' });
}

beforeAll(async () => {
  h = await harness();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'drill-test', '-f', identity]);
  // A host the drill does not own: no drill label, reached only because the scenario lists it.
  const c = await docker.createContainer({
    name: outsideName, Image: 'drill/site:latest', Cmd: ['ops-serve'],
    Env: [`AUTHORIZED_KEYS=${readFileSync(`${identity}.pub`, 'utf8').trim()}`],
    ExposedPorts: { '22/tcp': {} }, HostConfig: { PortBindings: { '22/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  await c.start();
  const info = await c.inspect();
  outsidePort = Number(info.NetworkSettings.Ports['22/tcp']![0]!.HostPort);
  for (let i = 0; i < 50 && !outsideHostKey; i++) {
    outsideHostKey = await execIn(outsideName, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']).then((s) => s.trim().split(' ').slice(0, 2).join(' '), () => '');
    if (!outsideHostKey) await new Promise((r) => setTimeout(r, 200));
  }
});
afterAll(async () => {
  await docker.getContainer(outsideName).remove({ force: true }).catch(() => undefined);
  await h?.close();
});

const scenario = (closedPort: number) => `
version: 1
name: ssh-steps
hosts:
  outside: { address: 127.0.0.1, port: ${outsidePort}, user: ops, hostKey: "${outsideHostKey}", identityFile: ${identity} }
  impostor: { address: 127.0.0.1, port: ${outsidePort}, user: ops, hostKey: "${drillKey('not-this-host').publicKey.split(' ').slice(0, 2).join(' ')}", identityFile: ${identity} }
  closed: { address: 127.0.0.1, port: ${closedPort}, user: ops, hostKey: "${outsideHostKey}", identityFile: ${identity} }
topology:
  containers:
    ops: { image: drill/site:latest, command: [ops-serve], ssh: { user: ops }, ports: [22] }
probes:
  sshd-up: { kind: availability, target: { container: ops, port: 22, protocol: tcp } }
objectives:
  - { system: bastion, rto: 1m, rpo: 0s, availability: sshd-up }
steps:
  - { id: hello, kind: ssh, host: ops, command: "echo out; echo err >&2; whoami" }
  - { id: fails, kind: ssh, host: ops, command: "echo half; exit 3", onFailure: continue }
  - { id: hangs, kind: ssh, host: ops, command: "sleep 300", timeout: 2s, onFailure: continue }
  - { id: after-hang, kind: ssh, host: ops, command: "pgrep -x -f 'sleep 300' || echo no sleep left" }
  - id: leaks
    kind: ssh
    host: ops
    command: "printf '%s\\\\n' before '-----BEGIN OPENSSH PRIVATE KEY-----' c2VjcmV0 '-----END OPENSSH PRIVATE KEY-----' after"
  - { id: outside, kind: ssh, host: outside, command: "hostname" }
  - { id: impostor, kind: ssh, host: impostor, command: "hostname", onFailure: continue }
  - { id: refused, kind: ssh, host: closed, command: "hostname", onFailure: continue }
`;

describe('ssh steps', () => {
  it('runs runbook commands on pinned hosts, fails bad ones with the reason, and leaks no key', async () => {
    const { freeLoopbackPort } = await import('../../activities/docker.js');
    const spec = specFrom(scenario(await freeLoopbackPort()));
    const handle = await h.start(spec);
    const record = await handle.result();
    expect(record.status, record.failure).toBe('completed');
    const step = (id: string) => record.steps.find((s) => s.id === id)!;

    expect(step('hello')).toMatchObject({ status: 'completed', output: 'out\nops\n', stderr: 'err\n', exitCode: 0 });
    expect(record.timeline.find((e) => e.type === 'ssh.exited' && e.step === 'hello')?.detail).toBe('ops: `echo out; echo err >&2; whoami` exited 0: err');
    expect(step('fails')).toMatchObject({ status: 'failed', output: 'half\n', exitCode: 3 });
    expect(step('fails').error).toBe('`echo half; exit 3` on ops exited 3');
    expect(step('hangs').status).toBe('failed');
    expect(step('hangs').error).toBe('`sleep 300` on ops did not finish within 2000ms; killed');
    expect(step('hangs').durationMs!).toBeLessThan(30_000);
    expect(step('after-hang').output).toBe('no sleep left\n');
    expect(step('leaks').output).toBe('before\n[redacted private key]\nafter\n');
    expect(step('outside')).toMatchObject({ status: 'completed', output: `${(await execIn(outsideName, ['hostname'])).trim()}\n` });
    expect(step('impostor').status).toBe('failed');
    expect(step('impostor').error).toMatch(/^impostor \(127\.0\.0\.1:\d+\) presented host key SHA256:\S+, not the pinned SHA256:\S+; refusing to connect$/);
    expect(step('refused').status).toBe('failed');
    expect(step('refused').error).toMatch(/^closed \(127\.0\.0\.1:\d+\): connect ECONNREFUSED/);
    expect(record.timeline.some((e) => e.type === 'ssh.pinned' && e.detail.startsWith('ops ssh-ed25519 '))).toBe(true);

    // Nothing secret in what Temporal keeps of the drill: not the drill's key, not the listed host's.
    const history = JSON.stringify(await handle.fetchHistory());
    const body = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    expect(history).not.toContain(body(drillKey(spec.drillId).privateKey).slice(0, 60));
    expect(history).not.toContain(body(readFileSync(identity, 'utf8')).slice(0, 60));
    expect(history).not.toContain('c2VjcmV0');

    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    expect((await docker.getContainer(outsideName).inspect()).State.Running).toBe(true);
  });

  it('aborts the drill on a failing runbook script by default, skips the rest, and still cleans up', async () => {
    const spec = specFrom(`
version: 1
name: ssh-abort
topology:
  containers:
    ops: { image: drill/site:latest, command: [ops-serve], ssh: { user: ops }, ports: [22] }
probes:
  sshd-up: { kind: availability, target: { container: ops, port: 22, protocol: tcp } }
objectives:
  - { system: bastion, rto: 1m, rpo: 0s, availability: sshd-up }
steps:
  - { id: broken-runbook, kind: ssh, host: ops, command: "echo 'promote: standby not found' >&2; exit 2" }
  - { id: never, kind: ssh, host: ops, command: "true" }
`);
    const record = await h.run(spec);
    expect(record.status).toBe('failed');
    expect(record.failure).toBe("step broken-runbook failed: `echo 'promote: standby not found' >&2; exit 2` on ops exited 2: promote: standby not found");
    expect(record.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(record.timeline.find((e) => e.type === 'ssh.exited')?.detail).toBe("ops: `echo 'promote: standby not found' >&2; exit 2` exited 2: promote: standby not found");
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('offers the bastion no password login', async () => {
    const err = await new Promise<Error>((resolve) => {
      const c = new SshClient();
      c.on('ready', () => { c.end(); resolve(new Error('logged in with a password')); });
      c.on('error', resolve);
      c.connect({ host: '127.0.0.1', port: outsidePort, username: 'ops', password: 'ops', hostVerifier: () => true, readyTimeout: 10_000 });
    });
    expect(err.message).toMatch(/All configured authentication methods failed/);
  });
});
