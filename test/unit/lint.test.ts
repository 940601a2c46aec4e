// The guideline's plan rules, one at a time: a plan that breaks a rule gets that rule's finding at the
// node concerned (exact line:col); the plan kept right gets none.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatFinding, lintScenario, type DrillEvidence } from '../../model/lint.js';
import { formatError, scenarioLocator, validateScenarioText } from '../../model/validate.js';

const base = await readFile(new URL('../fixtures/lint/plan.yaml', import.meta.url), 'utf8');
const minimal = await readFile(new URL('../fixtures/minimal.yaml', import.meta.url), 'utf8');
const TODAY = '2026-11-22';

const lint = (text: string, history: DrillEvidence[] = []) => {
  const v = validateScenarioText(text, 'plan.yaml');
  if (!v.ok) throw new Error(v.errors.map(formatError).join('\n'));
  return lintScenario({ scenario: v.scenario, locate: scenarioLocator(text), today: TODAY, history }).map((f) => formatFinding('plan.yaml', f));
};
const errorsOf = (text: string) => {
  const v = validateScenarioText(text, 'plan.yaml');
  return v.ok ? [] : v.errors.map(formatError);
};
/** Replaces the one occurrence of `from`, so a test cannot silently edit another line. */
const edit = (text: string, from: string, to: string) => {
  expect(text.split(from).length - 1, `"${from}" occurs once`).toBe(1);
  return text.replace(from, to);
};
/** `line:col` (1-based) where `value` starts inside `needle`, on the nth line that contains `needle`. */
const at = (text: string, needle: string, value: string, nth = 0) => {
  const lines = text.split('\n');
  const i = lines.map((l, k) => (l.includes(needle) ? k : -1)).filter((k) => k >= 0)[nth];
  if (i === undefined) throw new Error(`no line ${nth} with "${needle}"`);
  return `${i + 1}:${lines[i]!.indexOf(needle) + needle.lastIndexOf(value) + 1}`;
};

describe('drill lint', () => {
  it('finds nothing in a plan that keeps every rule, nor in one that declares no plan metadata', () => {
    expect(lint(base)).toEqual([]);
    expect(lint(minimal)).toEqual([]);
  });

  describe('tier-rto: the RTO lies within the tier\'s band (S 0–3h, A 3h–1d, B 1–3d, C 3d–1wk, D 1–2wk, E over 2wk)', () => {
    it('finds an RTO beyond the tier\'s ceiling, at the tier', () => {
      const text = edit(base, 'tier: A', 'tier: S');
      expect(lint(text)).toEqual([
        `plan.yaml:${at(text, 'tier: S', 'S', 1)} tier-rto objectives[1].tier: tier S covers RTOs of 0–3h, but the RTO of orders is 4h (tier A, 3h–1d)`,
      ]);
    });

    it('finds an RTO below the tier\'s band: recovered after the tiers above, it cannot be met', () => {
      const text = edit(base, 'tier: S', 'tier: B');
      expect(lint(text)).toEqual([
        `plan.yaml:${at(text, 'tier: B', 'B')} tier-rto objectives[0].tier: tier B covers RTOs of 1d–3d, but the RTO of auth is 1h (tier S, 0–3h)`,
      ]);
    });

    it('accepts an RTO on a band\'s boundary in either tier', () => {
      const threeHours = edit(edit(base, 'rto: 1h', 'rto: 3h'), 'tier: S', 'tier: A');
      expect(lint(threeHours)).toEqual([]);
      expect(lint(edit(base, 'rto: 1h', 'rto: 3h'))).toEqual([]);
    });
  });

  describe('foundation-rto: a foundation\'s RTO is shorter than each dependant\'s', () => {
    it('finds an equal RTO, at the dependsOn entry', () => {
      const text = edit(edit(base, 'rto: 1h', 'rto: 4h'), 'tier: S', 'tier: A');
      expect(lint(text)).toEqual([
        `plan.yaml:${at(text, 'dependsOn: [auth]', 'auth')} foundation-rto objectives[1].dependsOn[0]: orders (RTO 4h) depends on auth, whose RTO 4h is not shorter: a foundation must be back before the systems that depend on it can be`,
      ]);
    });

    it('finds nothing when the foundation comes back first', () => {
      expect(lint(edit(edit(base, 'rto: 1h', 'rto: 3h59m'), 'tier: S', 'tier: A'))).toEqual([]);
    });

    it('refuses, as a validation error, a dependsOn naming no system of the plan, or the system itself', () => {
      const unknown = edit(base, 'dependsOn: [auth]', 'dependsOn: [auth, dns]');
      expect(errorsOf(unknown)).toEqual([`plan.yaml:${at(unknown, 'dependsOn: [auth, dns]', 'dns')} objectives[1].dependsOn[1]: no system "dns" in objectives (have: auth, orders)`]);
      const itself = edit(base, 'dependsOn: [auth]', 'dependsOn: [orders]');
      expect(errorsOf(itself)).toEqual([`plan.yaml:${at(itself, 'dependsOn: [orders]', 'orders')} objectives[1].dependsOn[0]: "orders" cannot depend on itself`]);
    });
  });

  describe('shared-rto: a system takes the shortest RTO among the businesses that use it', () => {
    it('finds a system RTO longer than one business needs, at the system\'s rto', () => {
      const text = edit(base, '{ business: shipping, rto: 1d }', '{ business: shipping, rto: 3h30m }');
      expect(lint(text)).toEqual([
        `plan.yaml:${at(text, 'rto: 4h', '4h', 0)} shared-rto objectives[1].rto: the RTO of orders, 4h, is longer than the 3h30m that business shipping needs: a system takes the shortest RTO among the businesses that use it`,
      ]);
    });

    it('finds nothing when the system\'s RTO is the shortest one', () => {
      expect(lint(edit(base, 'rto: 4h\n', 'rto: 3h30m\n'))).toEqual([]);
    });
  });

  describe('rpo-backup: the RPO is not shorter than the backup interval unless the system is replicated', () => {
    it('finds an RPO shorter than the backup interval, at the rpo', () => {
      const text = edit(base, 'backupInterval: 1h', 'backupInterval: 2h');
      expect(lint(text)).toEqual([
        `plan.yaml:${at(text, 'rpo: 1h', '1h')} rpo-backup objectives[1].rpo: RPO 1h cannot be met with a backup every 2h and no replication: a failure just before the next backup loses up to 2h of data`,
      ]);
    });

    it('counts an undeclared replication as none', () => {
      const text = edit(base, '    replication: sync\n', '');
      expect(lint(text)).toEqual([
        `plan.yaml:${at(text, 'rpo: 0s', '0s')} rpo-backup objectives[0].rpo: RPO 0s cannot be met with a backup every 24h and no replication: a failure just before the next backup loses up to 24h of data`,
      ]);
    });

    it('finds nothing when replication is declared, or the backups are frequent enough', () => {
      expect(lint(edit(edit(base, 'backupInterval: 1h', 'backupInterval: 2h'), 'replication: none', 'replication: async'))).toEqual([]);
      expect(lint(edit(base, 'backupInterval: 1h', 'backupInterval: 15m'))).toEqual([]);
    });
  });

  describe('path-drilled: switchover and failback drilled within the last 365 days', () => {
    it('finds a path last drilled more than 365 days ago, at lastDrilled; 365 days is still within', () => {
      const text = edit(base, 'lastDrilled: 2026-03-01', 'lastDrilled: 2025-11-21');
      expect(lint(text)).toEqual([
        `plan.yaml:${at(text, 'lastDrilled: 2025-11-21', '2025-11-21')} path-drilled drills[1].lastDrilled: the switchover path was last drilled on 2025-11-21 (lastDrilled), 366 days ago: drill it at least every 365 days`,
      ]);
      expect(lint(edit(base, 'lastDrilled: 2026-03-01', 'lastDrilled: 2025-11-22'))).toEqual([]);
    });

    it('finds a path never drilled, at its entry; a restore path is not held to the yearly rule', () => {
      const text = edit(base, ', lastDrilled: 2026-03-02 }', ' }');
      expect(lint(text)).toEqual([
        `plan.yaml:${at(text, '- { path: failback', '{')} path-drilled drills[2]: the failback path has never been drilled (no lastDrilled, and no completed drill of scenario site-failback in the results)`,
      ]);
    });

    it('counts a completed drill of the path\'s scenario from the results as its newest drill', () => {
      const text = edit(base, ', lastDrilled: 2026-03-02 }', ' }');
      expect(lint(text, [{ scenario: 'site-failback', drillId: 'site-failback-1', date: '2026-06-01' }])).toEqual([]);
      const old = edit(base, 'lastDrilled: 2026-03-02', 'lastDrilled: 2024-01-01');
      expect(lint(old, [{ scenario: 'site-failback', drillId: 'site-failback-1', date: '2025-01-02' }])).toEqual([
        `plan.yaml:${at(old, 'scenario: site-failback', 'site-failback')} path-drilled drills[2].scenario: the failback path was last drilled on 2025-01-02 (drill site-failback-1), 689 days ago: drill it at least every 365 days`,
      ]);
    });

    it('finds a switchover without a failback path, at the switchover\'s path', () => {
      const text = edit(base, '  - { path: failback, scenario: site-failback, lastDrilled: 2026-03-02 }\n', '');
      expect(lint(text)).toEqual([
        `plan.yaml:${at(text, 'path: switchover', 'switchover')} path-drilled drills[1].path: the plan drills switchover but declares no failback path: returning to the primary site is never drilled`,
      ]);
    });
  });

  it('lists findings in file order', async () => {
    const text = await readFile(new URL('../fixtures/lint/findings.yaml', import.meta.url), 'utf8');
    const found = lint(text);
    expect(found.map((f) => f.split(' ')[1])).toEqual(['tier-rto', 'shared-rto', 'rpo-backup', 'foundation-rto', 'path-drilled', 'path-drilled']);
    const lines = found.map((f) => Number(f.split(':')[1]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });
});
