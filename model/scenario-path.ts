// How validation and lint name a place in a scenario: its path as zod reports it, and its position.

/** A node's path in the scenario document, as zod reports it: `['objectives', 0, 'rto']`. */
export type Path = (string | number)[];
export type Position = { line: number; col: number };
/** `objectives[0].rto`: how errors (and lint findings) name a field. */
export const fieldName = (path: Path) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
