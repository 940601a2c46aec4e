// The report document's building blocks and inline markup, shared by its sections: markdown-flavoured
// text (`code`, **strong**) where `lit()` escapes whatever came from a record. Pure.
import { stripVTControlCharacters } from 'node:util';

export type Block =
  | { kind: 'table'; head: string[]; rows: string[][]; numeric?: number[] }
  | { kind: 'list'; items: string[]; ordered?: boolean }
  | { kind: 'text'; text: string };
export type Section = { id: string; title: string; level?: 2 | 3; major?: boolean; blocks: Block[] };

/**
 * Text a terminal coloured or a process wrote, as a document can hold it: ANSI escape sequences
 * removed, other control characters (and what XML 1.0 cannot carry) shown as their Unicode pictures.
 */
export const printable = (s: string): string => stripVTControlCharacters(s)
  .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, (c) => (c === '\u007F' ? '\u2421' : String.fromCharCode(0x2400 + c.charCodeAt(0))))
  .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g, '\uFFFD');

/** Text from a record, safe inside inline markup (and in a markdown table cell). */
export const lit = (s: string) => printable(s).replace(/([\\`*_|<>&[\]])/g, '\\$1').replace(/\r?\n|\r/g, ' ');
export const code = (s: string) => `\`${printable(s).replace(/`/g, "'").replace(/\|/g, '¦').replace(/\r?\n|\r/g, ' ')}\``;
/** A verdict reads the same everywhere: met, MISSED, or not measured (never exercised, neither met nor missed). */
export const verdict = (met: boolean | null) => (met === null ? '**not measured**' : met ? '**met**' : '**MISSED**');
export const table = (head: string[], rows: string[][], numeric?: number[]): Block => ({ kind: 'table', head, rows, ...(numeric && { numeric }) });
export const list = (items: string[], ordered = false): Block => ({ kind: 'list', items, ...(ordered && { ordered }) });
export const text = (t: string): Block => ({ kind: 'text', text: t });
