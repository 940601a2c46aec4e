// The runbook-breakdown taxonomy, from the survey of 313 firms' past recoveries (DOMAIN.md).
// Every breakdown the product records carries one of these codes.
export const BREAKDOWN_CODES = {
  'procedure-missing': 'procedures missing or unclear',
  'data-lost': 'needed data lost',
  'no-power': 'no power',
  'no-communications': 'no communications',
  'staff-unavailable': 'own staff unavailable',
  'equipment-unavailable': 'equipment unavailable',
  'failback-not-smooth': 'failback not smooth',
  'procedure-wrong': 'procedure content wrong',
  'contractor-unavailable': 'contractor staff unavailable',
  'activation-not-smooth': 'plan activation not smooth',
  'procedure-not-followed': 'staff could not follow the procedure',
  'software-lost': 'software lost',
  'system-differs': 'system did not behave as the procedure said',
  'priority-unclear': 'recovery priority unclear',
  'data-not-stored': 'data not stored',
  'contract-inadequate': 'contract terms inadequate',
  'dependency-order': 'dependencies broke the priority order',
  'no-alternate-site': 'no alternate site',
  'procedure-not-found': 'procedure could not be found',
  'data-locked': 'data locked away',
  // Not in the survey: recorded when the system contradicts a participant's confirmation.
  'confirmed-not-done': 'step confirmed but not done',
} as const;

export type BreakdownCode = keyof typeof BREAKDOWN_CODES;
export const BREAKDOWN_CODE_LIST = Object.keys(BREAKDOWN_CODES) as BreakdownCode[];

/** What a breakdown did to the incident: made it larger, made it last longer, or neither. */
export const BREAKDOWN_EFFECTS = ['enlarged', 'prolonged', 'none'] as const;
export type BreakdownEffect = (typeof BREAKDOWN_EFFECTS)[number];
/** A report.json from an older release may carry any string here. */
export const isBreakdownEffect = (x: unknown): x is BreakdownEffect => (BREAKDOWN_EFFECTS as readonly unknown[]).includes(x);
