// `drill lint`: a valid plan checked against the guideline's rules for objectives, dependencies and
// yearly drills. Pure: the scenario, where its nodes are, today's date and the drills already run in,
// findings out. Every rule is silent when the fields it needs are not declared, so plans adopt the
// metadata one field at a time.
import { durationMs } from './duration.js';
import { PRIORITY_TIERS, type Scenario } from './scenario.js';
import { fieldName, type Path, type Position } from './validate.js';

export const LINT_RULES = {
  'tier-rto': 'the priority tier matches the RTO: the RTO lies within the tier\'s band',
  'foundation-rto': 'a foundation system has a shorter RTO than every system that depends on it',
  'shared-rto': 'a system takes the shortest RTO among the businesses that use it',
  'rpo-backup': 'the RPO is achievable: not shorter than the backup interval, unless the system is replicated',
  'path-drilled': 'switchover and failback paths were drilled within the last 365 days',
} as const;
export type LintRule = keyof typeof LINT_RULES;

export type LintFinding = Position & { rule: LintRule; field: string; message: string };

/** A completed drill found under results/: evidence that its scenario's path was drilled that day. */
export type DrillEvidence = { scenario: string; drillId: string; date: string };

export type LintInput = {
  scenario: Scenario;
  locate: (path: Path) => Position;
  /** YYYY-MM-DD: the day "within the last year" is counted back from */
  today: string;
  history?: DrillEvidence[];
};

type Tier = (typeof PRIORITY_TIERS)[number];
const H = 3_600_000;
const DAY = 24 * H;
const WEEK = 7 * DAY;
/**
 * RTO band of each tier, from DOMAIN.md (S 0–3h, A 3h–1d, B 1–3d, C 3d–1wk, D 1–2wk, E over 2wk).
 * Bounds are inclusive, as the guideline writes them, so an RTO on a boundary fits both tiers. Below
 * the band is a finding too: a system recovered after the tiers above it cannot meet a shorter RTO.
 */
export const TIER_RTO: Record<Tier, { min: number; max: number; label: string }> = {
  S: { min: 0, max: 3 * H, label: '0–3h' },
  A: { min: 3 * H, max: DAY, label: '3h–1d' },
  B: { min: DAY, max: 3 * DAY, label: '1d–3d' },
  C: { min: 3 * DAY, max: WEEK, label: '3d–1wk' },
  D: { min: WEEK, max: 2 * WEEK, label: '1wk–2wk' },
  E: { min: 2 * WEEK, max: Infinity, label: 'over 2wk' },
};

/** The guideline's drill plan is annual; a path not practised within a year is treated as unpractised. */
export const DRILL_MAX_AGE_DAYS = 365;
/** Paths where real recoveries broke for want of a practised procedure (DOMAIN.md: failback took two weeks). */
const PATHS_DRILLED_YEARLY = new Set(['switchover', 'failback']);

export function lintScenario({ scenario: s, locate, today, history = [] }: LintInput): LintFinding[] {
  const out: LintFinding[] = [];
  const add = (rule: LintRule, path: Path, message: string) => out.push({ rule, ...locate(path), field: fieldName(path), message });

  s.objectives.forEach((o, i) => {
    const rto = durationMs(o.rto);

    if (o.tier !== undefined) {
      const band = TIER_RTO[o.tier];
      if (rto > band.max || rto < band.min) {
        const should = tierFor(rto);
        add('tier-rto', ['objectives', i, 'tier'],
          `tier ${o.tier} covers RTOs of ${band.label}, but the RTO of ${o.system} is ${o.rto} (tier ${should}, ${TIER_RTO[should].label})`);
      }
    }

    o.dependsOn?.forEach((dep, j) => {
      for (const f of s.objectives.filter((x) => x.system === dep)) {
        if (durationMs(f.rto) >= rto) {
          add('foundation-rto', ['objectives', i, 'dependsOn', j],
            `${o.system} (RTO ${o.rto}) depends on ${dep}, whose RTO ${f.rto} is not shorter: ` +
            `a foundation must be back before the systems that depend on it can be`);
        }
      }
    });

    if (o.usedBy?.length) {
      const shortest = o.usedBy.reduce((a, b) => (durationMs(b.rto) < durationMs(a.rto) ? b : a));
      if (rto > durationMs(shortest.rto)) {
        add('shared-rto', ['objectives', i, 'rto'],
          `the RTO of ${o.system}, ${o.rto}, is longer than the ${shortest.rto} that business ${shortest.business} needs: ` +
          `a system takes the shortest RTO among the businesses that use it`);
      }
    }

    if (o.backupInterval !== undefined && (o.replication ?? 'none') === 'none' && durationMs(o.rpo) < durationMs(o.backupInterval)) {
      add('rpo-backup', ['objectives', i, 'rpo'],
        `RPO ${o.rpo} cannot be met with a backup every ${o.backupInterval} and no replication: ` +
        `a failure just before the next backup loses up to ${o.backupInterval} of data`);
    }
  });

  const drills = s.drills ?? [];
  drills.forEach((d, i) => {
    if (!PATHS_DRILLED_YEARLY.has(d.path)) return;
    const evidence = history.filter((h) => d.scenario !== undefined && h.scenario === d.scenario);
    const newest = [
      ...(d.lastDrilled !== undefined ? [{ date: d.lastDrilled, what: 'lastDrilled' }] : []),
      ...evidence.map((h) => ({ date: h.date, what: `drill ${h.drillId}` })),
    ].sort((a, b) => b.date.localeCompare(a.date))[0];
    if (!newest) {
      const where = d.scenario !== undefined ? `, and no completed drill of scenario ${d.scenario} in the results` : '';
      add('path-drilled', ['drills', i], `the ${d.path} path has never been drilled (no lastDrilled${where})`);
      return;
    }
    const age = daysBetween(newest.date, today);
    if (age > DRILL_MAX_AGE_DAYS) {
      add('path-drilled', ['drills', i, d.lastDrilled === newest.date ? 'lastDrilled' : 'scenario'],
        `the ${d.path} path was last drilled on ${newest.date} (${newest.what}), ${age} days ago: ` +
        `drill it at least every ${DRILL_MAX_AGE_DAYS} days`);
    }
  });
  // Switching to the standby is half a path: one real recovery failed over in 30 minutes and took two
  // weeks to fail back, because no failback procedure existed.
  const away = drills.findIndex((d) => d.path === 'switchover' || d.path === 'failover');
  if (away >= 0 && !drills.some((d) => d.path === 'failback')) {
    add('path-drilled', ['drills', away, 'path'],
      `the plan drills ${drills[away]!.path} but declares no failback path: returning to the primary site is never drilled`);
  }

  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** `file:line:col rule field: message`, the shape of `drill validate`'s errors with the rule in front. */
export function formatFinding(file: string, f: LintFinding): string {
  return `${file}:${f.line}:${f.col} ${f.rule} ${f.field || '(scenario)'}: ${f.message}`;
}

function tierFor(rto: number): Tier {
  return PRIORITY_TIERS.find((t) => rto <= TIER_RTO[t].max) ?? 'E';
}

/** Whole days from one YYYY-MM-DD to another, in UTC so no time zone moves a drill across a day. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}
