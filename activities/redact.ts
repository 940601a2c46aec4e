// What a command prints enters the timeline, the record and the reports, so it is redacted where it is
// captured: private keys in any form we can recognise, and the secret values the activity knows of,
// plain or base64-encoded. Recognising is by content, not by guessing from shape: a run of base64 is
// redacted only when what it decodes to is a private key or holds a known secret, so a hash, an id or
// any other base64 in ordinary output is left as it is.

const KEY = '[redacted private key]';
const SECRET = '[redacted]';

/** PEM, OpenSSH, PKCS#8 and PGP armour, in any case; a block cut off by the output limit runs to the end. */
const ARMORED_KEY = /-{4,5} *BEGIN [^\n-]*PRIVATE KEY[^\n-]*-{4,5}[\s\S]*?(?:-{4,5} *END [^\n-]*PRIVATE KEY[^\n-]*-{4,5}|$)/gi;
/** A PuTTY key file's private part: its line count, then its base64 lines (up to `Private-MAC:`). */
const PUTTY_PRIVATE = /Private-Lines: *\d+ *\r?\n[A-Za-z0-9+/=]+(?=\r?$)(?:\r?\n[A-Za-z0-9+/=]+(?=\r?$))*/gim;
/** A decoded text that is (part of) an armoured private key: its header or its footer. */
const ARMOR_LINE = /-{4,5} *(?:BEGIN|END) [^\n-]*PRIVATE KEY/i;
const OPENSSH_MAGIC = 'openssh-key-v1\0';
/** One run of base64 (or base64url) within a line; shorter runs cannot carry a 4-character secret. */
const BASE64_TOKEN = /[A-Za-z0-9+/_-]{8,}={0,2}/g;
const BASE64_LINE = /^[A-Za-z0-9+/]+={0,2}\r?$/;
/** Encodings nest (`base64 key | base64`): look this many layers down. */
const MAX_DEPTH = 3;
/** Shorter values would redact ordinary words; they are left as they are. */
export const MIN_SECRET_LENGTH = 4;

type Found = typeof KEY | typeof SECRET | null;
type Span = { from: number; to: number; what: typeof KEY | typeof SECRET };

/**
 * Command output as it may enter the timeline: private keys (armoured in any case, PGP and PuTTY
 * blocks, bare key bodies, base64 of either) and the given secrets (plain, URL- or JSON-escaped, base64)
 * replaced. A secret cut off at the end of the output (the output limit) is redacted as far as it goes.
 */
export function redact(text: string, secrets: string[] = []): string {
  const known = knownSecrets(secrets);
  let out = text.replace(ARMORED_KEY, KEY).replace(PUTTY_PRIVATE, KEY);
  for (const s of known) out = out.split(s).join(SECRET);
  out = replaceSpans(out, encodedSpans(out, known, 0));
  return redactCutOffTail(out, known);
}

/** Each secret in the forms it is printed in, longest first; a private key's body lines each on their own. */
function knownSecrets(secrets: string[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(JSON.stringify(s).slice(1, -1));
    // A line of a known key printed alone (`sed -n 3p key`) is not recognisable by content: match it.
    if (ARMOR_LINE.test(s)) for (const line of s.split(/\r?\n/)) if (BASE64_LINE.test(line) && line.length >= 16) forms.add(line.replace(/\r$/, ''));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Base64 runs that decode to a key or hold a secret: single tokens, and wrapped blocks joined whole. */
function encodedSpans(text: string, secrets: string[], depth: number): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(BASE64_TOKEN)) {
    const what = decodesToSensitive(m[0], secrets, depth);
    if (what) spans.push({ from: m.index, to: m.index + m[0].length, what });
  }
  for (const block of wrappedBlocks(text)) {
    const what = decodesToSensitive(block.joined, secrets, depth);
    if (what) spans.push({ from: block.from, to: block.to, what });
  }
  return spans;
}

/**
 * Base64 as tools wrap it (`base64` at 76, PEM at 64, OpenSSH at 70): lines of one length, then maybe
 * a shorter last one; two lines at least. A secret or key header may straddle a line break, so the
 * lines are joined.
 */
function wrappedBlocks(text: string): { from: number; to: number; joined: string }[] {
  const lines: { at: number; body: string }[] = [];
  let at = 0;
  for (const line of text.split('\n')) {
    lines.push({ at, body: line.replace(/\r$/, '') });
    at += line.length + 1;
  }
  const blocks: { from: number; to: number; joined: string }[] = [];
  for (let i = 0; i < lines.length;) {
    const width = lines[i]!.body.length;
    let j = i;
    while (j < lines.length && BASE64_LINE.test(lines[j]!.body) && lines[j]!.body.length === width && width >= 16) j++;
    // The shorter last line completes the stream (whole groups of 4), or is where the output was cut off;
    // a short word after the block ("done") is not part of it.
    const tail = lines[j];
    if (tail && j > i && BASE64_LINE.test(tail.body) && tail.body.length < width && ((j - i) * width + tail.body.length) % 4 === 0) j++;
    else if (tail && j > i && j === lines.length - 1 && BASE64_LINE.test(tail.body)) j++;
    if (j - i >= 2) {
      const last = lines[j - 1]!;
      blocks.push({ from: lines[i]!.at, to: last.at + last.body.length, joined: lines.slice(i, j).map((l) => l.body).join('') });
      i = j;
    } else i++;
  }
  return blocks;
}

/** Decoded at each of the four alignments (the run may start mid-stream): a key, a secret, or nothing. */
function decodesToSensitive(run: string, secrets: string[], depth: number): Found {
  if (depth >= MAX_DEPTH) return null;
  for (let shift = 0; shift < 4 && run.length - shift >= 8; shift++) {
    const bytes = Buffer.from(run.slice(shift), 'base64');
    if (bytes.length === 0) continue;
    if (shift === 0 && isBinaryPrivateKey(bytes)) return KEY;
    const text = bytes.toString('latin1');
    if (text.includes(OPENSSH_MAGIC) || ARMOR_LINE.test(text) || /PRIVATE KEY[^\n-]*-{4,5}/i.test(text)) return KEY;
    if (secrets.some((s) => text.includes(Buffer.from(s, 'utf8').toString('latin1')))) return SECRET;
    // A layer further down: base64 of base64 (`env | base64 | base64`), or a key's body wrapped in it.
    const inner = bytes.toString('utf8');
    if (/^[\x20-\x7e\r\n\t]+$/.test(inner)) {
      const nested = encodedSpans(inner, secrets, depth + 1);
      if (nested.length) return nested.some((s) => s.what === KEY) ? KEY : SECRET;
    }
  }
  return null;
}

/**
 * The start of a private key in binary form, as a headerless base64 body decodes: DER (PKCS#1, PKCS#8,
 * SEC1: a SEQUENCE whose first element is the version INTEGER 0 or 1; public keys and certificates
 * start with a nested SEQUENCE instead) or an OpenPGP secret-key packet (tag 5, version 4 or 5, a known
 * public-key algorithm). A body cut short still starts this way.
 */
function isBinaryPrivateKey(b: Buffer): boolean {
  if (b.subarray(0, OPENSSH_MAGIC.length).toString('latin1') === OPENSSH_MAGIC) return true;
  if (b[0] === 0x30) {
    const lenBytes = b[1]! < 0x80 ? 0 : b[1]! - 0x80;
    if (lenBytes > 3) return false;
    const v = 2 + lenBytes;
    return b[v] === 0x02 && b[v + 1] === 0x01 && (b[v + 2] === 0x00 || b[v + 2] === 0x01) && [0x02, 0x04, 0x30].includes(b[v + 3]!);
  }
  let body: number;
  if (b[0]! >= 0x94 && b[0]! <= 0x96) body = 1 + [1, 2, 4][b[0]! - 0x94]!;
  else if (b[0] === 0xc5) body = b[1]! < 192 ? 2 : b[1]! < 224 ? 3 : b[1] === 255 ? 6 : -1;
  else return false;
  if (body < 0 || (b[body] !== 4 && b[body] !== 5)) return false;
  // version, a 4-byte creation time, then the algorithm (in versions 4 and 5 alike)
  return [1, 2, 3, 16, 17, 18, 19, 22, 25, 27, 28].includes(b[body + 5]!);
}

function replaceSpans(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a.from - b.from || b.to - a.to);
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.to <= at) continue;
    out += text.slice(at, Math.max(at, s.from)) + s.what;
    at = s.to;
  }
  return out + text.slice(at);
}

/** Output cut off by the limit may end inside a secret: its first characters are redacted too. */
function redactCutOffTail(text: string, secrets: string[]): string {
  for (const s of secrets) {
    for (let k = s.length - 1; k >= MIN_SECRET_LENGTH; k--) {
      if (text.endsWith(s.slice(0, k))) return text.slice(0, text.length - k) + SECRET;
    }
  }
  return text;
}
