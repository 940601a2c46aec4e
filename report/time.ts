// Instants in reports: ISO 8601 in report.json, and a shorter form for people to read.
export const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** 2026-11-22 02:16:48Z: to the second, which is what a timeline reader wants. */
export const readableTime = (isoTime: string | null | undefined): string => (isoTime ? isoTime.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
