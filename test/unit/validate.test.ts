import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../model/scenario.js';
import { formatError, validateScenarioFile, validateScenarioText } from '../../model/validate.js';

const base = await readFile(new URL('../fixtures/minimal.yaml', import.meta.url), 'utf8');
const errorsOf = (text: string) => {
  const v = validateScenarioText(text, 'plan.yaml');
  if (v.ok) throw new Error('expected errors');
  return v.errors.map(formatError);
};
/** Line (1-based) of the first line containing `needle` in `text`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
/** Column (1-based) of `needle` on that line. */
const colOf = (text: string, needle: string) => text.split('\n')[lineOf(text, needle) - 1]!.indexOf(needle) + 1;

describe('scenario validation', () => {
  it('accepts the shipped scenarios and the minimal fixture', async () => {
    expect(validateScenarioText(base).ok).toBe(true);
    const pool = (await import('node:fs')).readdirSync('scenarios/unannounced').filter((f) => f.endsWith('.yaml')).map((f) => `unannounced/${f.replace(/\.yaml$/, '')}`);
    expect(pool.length).toBeGreaterThanOrEqual(5);
    for (const f of ['restore-from-backup', 'site-failover', 'site-switchover', 'failback', ...pool]) {
      const shipped = await validateScenarioFile(`scenarios/${f}.yaml`);
      expect(shipped.ok ? [] : shipped.errors.map(formatError)).toEqual([]);
    }
  });

  it('reports bad YAML with its position', () => {
    const [e] = errorsOf('version: 1\nname: [unclosed\n');
    expect(e).toMatch(/^plan\.yaml:\d+:\d+ \(scenario\): YAML: /);
  });

  it('refuses an unknown step kind at the step', () => {
    const text = base.replace('kind: docker', 'kind: teleport');
    expect(errorsOf(text)).toEqual([`plan.yaml:${lineOf(text, 'kind: teleport')}:11 steps[1].kind: step kind must be one of: docker, ssh, wait, fault, manual, gate, notify, verify, parallel`]);
  });

  it('refuses duplicate step ids, naming the first', () => {
    const text = base.replace('id: poke', 'id: settle');
    const second = text.split('\n').findIndex((l, i) => l.includes('id: settle') && i + 1 > lineOf(text, 'id: settle')) + 1;
    expect(errorsOf(text)).toEqual([`plan.yaml:${second}:9 steps[1].id: duplicate step id "settle" (first at steps[0])`]);
  });

  it('refuses a step naming a container the topology lacks', () => {
    const text = base.replace('target: web', 'target: ghost');
    expect(errorsOf(text)).toEqual([`plan.yaml:${lineOf(text, 'target: ghost')}:${text.split('\n')[lineOf(text, 'target: ghost') - 1]!.indexOf('ghost') + 1} steps[1].docker.target: no container "ghost" in the topology (have: web)`]);
  });

  it('refuses negative and unparsable durations', () => {
    const neg = errorsOf(base.replace('for: 1s', 'for: -1s'));
    expect(neg).toHaveLength(1);
    expect(neg[0]).toMatch(/^plan\.yaml:\d+:\d+ steps\[0\]\.for: duration must not be negative/);
    const bad = errorsOf(base.replace('rto: 30s', 'rto: thirty'));
    expect(bad[0]).toMatch(/^plan\.yaml:\d+:\d+ objectives\[0\]\.rto: write a duration with a unit/);
  });

  it('refuses a scenario without objectives', () => {
    const text = base.replace(/objectives:[\s\S]*?(?=steps:)/, '');
    expect(errorsOf(text)).toEqual(['plan.yaml:1:1 objectives: Invalid input: expected array, received undefined']);
  });

  it('reports an unknown field on the field itself', () => {
    const text = base.replace('      image: drill/redis:latest', '      image: drill/redis:latest\n      imagee: typo');
    expect(errorsOf(text)).toEqual([`plan.yaml:${lineOf(text, 'imagee')}:7 topology.containers.web.imagee: Unrecognized key: "imagee"`]);
  });

  it('reports every error at once', () => {
    const text = base.replace('target: web', 'target: ghost').replace('for: 1s', 'for: -1s');
    expect(errorsOf(text)).toHaveLength(2);
  });

  it('keeps the exported JSON Schema in step with the zod schema', async () => {
    const committed = JSON.parse(await readFile('model/scenario.schema.json', 'utf8'));
    expect(committed).toEqual(scenarioJsonSchema());
  });
});

describe('SSH hosts, sites and HTTP probes', () => {
  const sites = `version: 1
name: sites
hosts:
  dr-bastion: { address: 127.0.0.1, port: 2222, user: ops, hostKey: "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", identityFile: /etc/drill/id_ed25519 }
topology:
  networks: [site-a]
  containers:
    pg-a: { image: drill/site:latest, site: a, networks: [site-a], command: [pg-serve] }
    app-a: { image: drill/site:latest, site: a, networks: [site-a], ports: [8080], command: [app-serve] }
    ops-a: { image: drill/site:latest, site: a, networks: [site-a], ports: [22], ssh: { user: ops }, command: [ops-serve] }
probes:
  up: { kind: availability, target: { container: app-a, port: 8080, protocol: http, path: /health } }
  orders: { kind: ledger, target: { container: app-a, port: 8080, protocol: http, path: /orders } }
objectives:
  - { system: orders, rto: 1m, rpo: 0s, availability: up, ledger: orders }
steps:
  - { id: lose-site, kind: fault, docker: { action: stop, site: a } }
  - { id: promote, kind: ssh, host: ops-a, command: promote-db pg-b }
  - { id: outside, kind: ssh, host: dr-bastion, command: uptime }
  - { id: repoint, kind: manual, runbook: Repoint the gateway, auto: { host: ops-a, command: repoint-gateway app-b:8080 } }
  - { id: check, kind: verify, probe: orders }
`;
  it('accepts sites, SSH hosts of the topology and listed hosts, and HTTP probes', () => {
    const v = validateScenarioText(sites, 'plan.yaml');
    expect(v.ok ? [] : v.errors.map(formatError)).toEqual([]);
  });

  it('refuses an SSH step on a host outside the topology and not listed', () => {
    const text = sites.replace('host: dr-bastion', 'host: stranger');
    expect(errorsOf(text)).toEqual([`plan.yaml:${lineOf(text, 'host: stranger')}:${colOf(text, 'stranger')} steps[2].host: no SSH host "stranger": name a container of the topology with \`ssh\`, or list the host under \`hosts\` (have: ops-a, dr-bastion)`]);
  });

  it('refuses an SSH command on a container that is not an SSH host, and an auto action on an unknown one', () => {
    const text = sites.replace('host: ops-a, command: promote', 'host: pg-a, command: promote').replace('auto: { host: ops-a', 'auto: { host: ops-z');
    expect(errorsOf(text)).toEqual([
      `plan.yaml:${lineOf(text, 'host: pg-a')}:${colOf(text, 'pg-a, command')} steps[1].host: container "pg-a" is not an SSH host (give it \`ssh: { user: ... }\` in the topology)`,
      expect.stringMatching(/^plan\.yaml:\d+:\d+ steps\[3\]\.auto\.host: no SSH host "ops-z"/),
    ]);
  });

  it('refuses a Docker action on a site no container is in, or with both a target and a site', () => {
    expect(errorsOf(sites.replace('site: a }', 'site: c }'))).toEqual([expect.stringMatching(/steps\[0\]\.docker\.site: no container of the topology is in site "c" \(sites: a\)$/)]);
    expect(errorsOf(sites.replace('site: a }', 'site: a, target: pg-a }'))).toEqual([expect.stringMatching(/steps\[0\]\.docker: a Docker action names either a `target` container or a whole `site`, not both or neither$/)]);
  });

  it('refuses an SSH host that does not publish its port, a listed host without a pinned key, and an unknown step to measure from', () => {
    expect(errorsOf(sites.replace('ports: [22], ssh', 'ssh'))).toEqual([expect.stringMatching(/topology\.containers\.ops-a\.ssh\.port: an SSH host must publish its SSH port: add 22 to ports$/)]);
    expect(errorsOf(sites.replace('hostKey: "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", ', ''))).toEqual([expect.stringMatching(/hosts\.dr-bastion\.hostKey: Invalid input/)]);
    expect(errorsOf(sites.replace('ledger: orders }', 'ledger: orders, from: nowhere }'))).toEqual([expect.stringMatching(/objectives\[0\]\.from: no step "nowhere" to measure from$/)]);
  });

  it('refuses a path on a non-HTTP probe and a TCP ledger', () => {
    expect(errorsOf(sites.replace('protocol: http, path: /health', 'protocol: tcp, path: /health'))).toEqual([expect.stringMatching(/probes\.up\.target\.path: a path applies to the http protocol only$/)]);
    expect(errorsOf(sites.replace('protocol: http, path: /orders', 'protocol: tcp'))).toEqual([expect.stringMatching(/probes\.orders\.target\.protocol: a ledger writes records: use redis or http, not tcp$/)]);
  });
});

describe('fault steps', () => {
  const plan = `version: 1
name: faults
topology:
  networks: [net]
  volumes: [data]
  containers:
    db: { image: drill/site:latest, networks: [net], volumes: { data: /var/lib/data }, tmpfs: { /scratch: 64m }, labels: { role: db } }
    web: { image: drill/site:latest, networks: [net], ports: [8080] }
probes:
  up: { kind: availability, target: { container: web, port: 8080, protocol: http } }
objectives:
  - { system: web, rto: 1m, rpo: 0s, availability: up }
steps:
  - id: chaos
    kind: parallel
    steps:
      - { id: fill, kind: fault, fault: { type: disk-fill, labels: { role: db }, path: /scratch, level: 90 }, duration: 5s }
      - { id: cut, kind: fault, fault: { type: partition-pair, target: web, peer: db } }
`;
  it('accepts faults from the library in a parallel group', () => {
    const v = validateScenarioText(plan, 'plan.yaml');
    expect(v.ok ? [] : v.errors.map(formatError)).toEqual([]);
  });

  it('refuses what would break outside the drill or cannot work, each where it is written', () => {
    expect(errorsOf(plan.replace('path: /scratch', 'path: /var/lib/data'))).toEqual([expect.stringMatching(/steps\[0\]\.steps\[0\]\.fault\.path: disk-fill fills a tmpfs mount of the target only \(its own size; anything else is the engine's disk\): "\/var\/lib\/data" is not inside one of "db" \(its tmpfs: \/scratch\)$/)]);
    expect(errorsOf(plan.replace('peer: db }', 'peer: web }'))).toEqual([expect.stringMatching(/steps\[0\]\.steps\[1\]\.fault\.peer: a partition between a container and itself cuts nothing/)]);
    expect(errorsOf(plan.replace('target: web, peer: db', 'target: decoy, peer: db'))).toEqual([expect.stringMatching(/steps\[0\]\.steps\[1\]\.fault\.target: no container "decoy" in the topology \(have: db, web\); a container outside the drill is never touched$/)]);
    expect(errorsOf(plan.replace('type: partition-pair, target: web, peer: db', 'type: clock-skew, target: web, skew: 1h'))).toEqual([expect.stringMatching(/steps\[0\]\.steps\[1\]\.fault\.type: containers share the host kernel's wall clock/)]);
    expect(errorsOf(plan.replace('type: partition-pair, target: web, peer: db', 'type: latency, target: web'))).toEqual([expect.stringMatching(/steps\[0\]\.steps\[1\]\.fault\.delay: a latency fault needs `delay`$/)]);
    expect(errorsOf(plan.replace("{ id: cut, kind: fault, fault: { type: partition-pair, target: web, peer: db } }", "{ id: ask, kind: gate, decision: go, role: boss }"))).toEqual([expect.stringMatching(/steps\[0\]\.steps\[1\]\.kind: a gate step waits for people, one at a time: it cannot run inside a parallel group$/)]);
    expect(errorsOf(plan.replace('labels: { role: db }, path', 'labels: { role: cache }, path'))).toEqual([expect.stringMatching(/fault\.labels: no container of the topology carries role=cache$/)]);
  });

  it('refuses two faults that both claim t0', () => {
    const text = plan.replace('duration: 5s }', 't0: true, duration: 5s }').replace('peer: db } }', 'peer: db }, t0: true }');
    expect(errorsOf(text)).toEqual([expect.stringMatching(/steps: only one fault may mark t0, and steps\[0\]\.steps\[0\], steps\[0\]\.steps\[1\] all say `t0: true`$/)]);
  });
});
