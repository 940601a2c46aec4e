// Live progress of a running drill: each step with elapsed vs expected, and the RTO budget once the
// disaster has occurred. Redraws in place on a terminal; prints one line per change otherwise.
import logUpdate from 'log-update';
import { formatDuration as d } from '../model/duration.js';
import type { DrillView } from '../workflows/messages.js';

const ICON: Record<string, string> = { pending: '·', running: '▶', waiting: '⏸', completed: '✔', failed: '✘', skipped: '-', aborted: '■' };

export function renderView(v: DrillView, now: number): string {
  const lines = [`drill ${v.drillId} (${v.scenario}) — ${v.status}, ${v.phase}`];
  for (const s of v.steps) {
    const elapsed = s.durationMs ?? (s.startedAt !== undefined ? now - s.startedAt : undefined);
    const over = s.expectedMs !== undefined && elapsed !== undefined && elapsed > s.expectedMs ? ' OVERRUN' : '';
    lines.push(`  ${ICON[s.status] ?? '?'} ${s.id.padEnd(24)} ${s.kind.padEnd(7)} ${d(elapsed).padStart(8)} / ${d(s.expectedMs).padEnd(8)}${over}${s.error ? `  ${s.error.slice(0, 80)}` : ''}`);
  }
  if (v.waiting) {
    const w = v.waiting;
    lines.push(`  waiting on ${w.id} (${w.kind}${w.role ? `, role ${w.role}` : ''}) for ${d(now - w.since)}${w.expectedMs !== undefined ? ` of ${d(w.expectedMs)} expected` : ''}: ${w.text}`);
  }
  // The budget is a running drill's: once it is over, the report has the measured RTO.
  if (v.t0 !== null && v.phase !== 'done') {
    const since = now - v.t0;
    for (const o of v.objectives) lines.push(`  RTO ${o.system}: ${d(since)} of ${d(o.rtoMs)} since t0 (${Math.round((since / o.rtoMs) * 100)}%)`);
  }
  return lines.join('\n');
}

export function progressReporter(stream: { isTTY?: boolean; write(s: string): unknown } = process.stdout) {
  const tty = Boolean(stream.isTTY);
  const seen = new Map<string, string>();
  return {
    update(v: DrillView) {
      if (tty) return logUpdate(renderView(v, Date.now()));
      for (const s of v.steps) {
        if (seen.get(s.id) === s.status || s.status === 'pending') continue;
        seen.set(s.id, s.status);
        const took = s.durationMs !== undefined ? ` in ${d(s.durationMs)}${s.expectedMs !== undefined ? ` (expected ${d(s.expectedMs)})` : ''}` : '';
        stream.write(`${ICON[s.status]} ${s.id} ${s.status}${took}${s.error ? `: ${s.error}` : ''}\n`);
      }
    },
    done() { if (tty) logUpdate.done(); },
  };
}
