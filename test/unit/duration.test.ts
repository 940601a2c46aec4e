import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../model/duration.js';

describe('durations', () => {
  it.each([
    ['200ms', 200], ['5s', 5000], ['2m', 120_000], ['1h30m', 5_400_000], ['1.5s', 1500], ['1d', 86_400_000],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('refuses negative, unit-less and garbage durations with a reason', () => {
    expect(parseDuration('-5s')).toEqual({ error: expect.stringContaining('negative') });
    expect(parseDuration('30')).toEqual({ error: expect.stringContaining('with a unit') });
    expect(parseDuration('soon')).toEqual({ error: expect.stringContaining('not a duration') });
  });

  it('formats for people', () => {
    expect(formatDuration(950)).toBe('950ms');
    expect(formatDuration(12_340)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m05s');
    expect(formatDuration(7_800_000)).toBe('2h10m');
    expect(formatDuration(null)).toBe('—');
  });
});
