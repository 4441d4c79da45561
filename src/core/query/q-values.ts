/**
 * Query Term values of the NGSI-LD Query Language (clause 4.9): Number and String as in RFC 8259, dateTime, date
 * and time as in clause 4.6.3 (unquoted), true/false, URIs, unquoted words, and regular expressions.
 */
import type { TermMap } from '../context/termmap.js';
import { isUri } from '../entity/uri.js';
import type { Cursor } from './cursor.js';
import type { QComparable, QValue } from './q-ast.js';

const jsonNumber = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/**
 * A decimal comma (clause 4.6.3 allows it in requests) is only read as such when a zone follows: otherwise
 * `t==12:00:00,5` is a value list, as the Query Language reads commas after `==`.
 */
const dateTimeRe = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.](\d{1,9})|,(\d{1,9})(?=Z|[+-]\d{2}:\d{2}))?(Z|[+-]\d{2}:\d{2})?/y;
const dateRe = /(\d{4})-(\d{2})-(\d{2})/y;
const timeRe = /(\d{2}):(\d{2}):(\d{2})(?:[.]\d{1,9}|,\d{1,9}(?=Z))?Z?/y;
const scheme = /[A-Za-z][A-Za-z0-9+.-]*:/y;
/** An unquoted URI ends where the query syntax resumes (`;`, `|`, `,`, parentheses) or at a space or quote. */
const uriBody = /[^\s;|,()"]+/y;
const word = /[\p{L}_][\p{L}\p{N}_-]*/uy;
const startsNumeric = /[-\d]/;

const isComparable = (v: QValue): v is QComparable =>
  v.kind === 'number' || v.kind === 'string' || v.kind === 'dateTime' || v.kind === 'date' || v.kind === 'time';

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function checkDate(c: Cursor, at: number, y: string, m: string, d: string): void {
  const [year, month, day] = [y, m, d].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) c.fail(`${y}-${m}-${d} is not a calendar date`, at);
}

function checkTime(c: Cursor, at: number, h: string, mi: string, s: string): void {
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) c.fail(`${h}:${mi}:${s} is not a time of day`, at);
}

/** dateTime, date or time (clause 4.6.3), unquoted; undefined when the text does not start like one. */
function temporal(c: Cursor): QValue | undefined {
  const at = c.pos;
  dateTimeRe.lastIndex = at;
  let m = dateTimeRe.exec(c.text);
  if (m) {
    checkDate(c, at, m[1], m[2], m[3]);
    checkTime(c, at, m[4], m[5], m[6]);
    const zone = m[9] ?? 'Z';
    if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4)) > 59)) c.fail(`${zone} is not a time zone offset`, at);
    c.pos += m[0].length;
    const digits = m[7] ?? m[8];
    const fraction = digits === undefined ? '' : `.${digits}`;
    return { kind: 'dateTime', value: `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction}${zone}` };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(c.text.slice(at, at + 11))) {
    c.fail('a dateTime needs hours, minutes and seconds (YYYY-MM-DDThh:mm:ssZ, clause 4.6.3)', at);
  }
  dateRe.lastIndex = at;
  m = dateRe.exec(c.text);
  if (m) {
    checkDate(c, at, m[1], m[2], m[3]);
    c.pos += m[0].length;
    return { kind: 'date', value: m[0] };
  }
  timeRe.lastIndex = at;
  m = timeRe.exec(c.text);
  if (m) {
    checkTime(c, at, m[1], m[2], m[3]);
    c.pos += m[0].length;
    return { kind: 'time', value: m[0].replace(',', '.') };
  }
  if (/^\d{2}:\d{2}/.test(c.text.slice(at, at + 5))) c.fail('a time needs hours, minutes and seconds (hh:mm:ssZ, clause 4.6.3)', at);
  return undefined;
}

function number(c: Cursor): QValue {
  const at = c.pos;
  const text = c.match(jsonNumber);
  if (!text) c.fail(`malformed number (expected a JSON number) starting with ${c.found()}`, at);
  const n = Number(text);
  if (!Number.isFinite(n)) c.fail(`number ${text.slice(0, 40)} is out of range`, at);
  return { kind: 'number', value: n === 0 ? 0 : n };
}

/** A JSON string (RFC 8259 clause 7): escapes as in JSON, no raw control characters. */
function quoted(c: Cursor): QValue {
  const at = c.pos;
  let i = at + 1;
  while (i < c.text.length && c.text[i] !== '"') i += c.text[i] === '\\' ? 2 : 1;
  if (i >= c.text.length) c.fail('unterminated string', at);
  try {
    const value = JSON.parse(c.text.slice(at, i + 1)) as string;
    c.pos = i + 1;
    return { kind: 'string', value };
  } catch {
    return c.fail('malformed string (expected a JSON string: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX escapes, no control characters)', at);
  }
}

function uri(c: Cursor): QValue {
  const at = c.pos;
  const text = c.match(uriBody);
  if (!isUri(text)) c.fail(`${JSON.stringify(text.slice(0, 80))} is not a valid URI`, at);
  return { kind: 'uri', value: text };
}

/** One Value: what follows `==`, `!=`, `>`…; `..` ranges and `,` lists are assembled by the caller. */
export function parseValue(c: Cursor, tm: TermMap): QValue {
  c.skipWs();
  const ch = c.peek();
  if (ch === '"') return quoted(c);
  if (ch === "'") c.fail('strings are quoted with " (double quotes)');
  if (startsNumeric.test(ch)) return temporal(c) ?? number(c);
  scheme.lastIndex = c.pos;
  if (scheme.test(c.text)) return uri(c);
  const at = c.pos;
  const w = c.match(word);
  if (!w) c.fail(`expected a value but found ${c.found()}`);
  if (w === 'true' || w === 'false') return { kind: 'boolean', value: w === 'true' };
  if (c.peek() === '.' && c.peek(1) !== '.') c.fail(`unquoted value ${JSON.stringify(w)} cannot contain '.'; quote it`, at);
  return { kind: 'term', value: w, iri: tm.expand(w) };
}

/** `v` if it has an order (ComparableValue), else a failure saying what `why` needs. */
export function comparable(c: Cursor, v: QValue, at: number, why: string): QComparable {
  if (isComparable(v)) return v;
  const what = v.kind === 'term' ? 'an unquoted word (quote strings)' : `a ${v.kind}`;
  return c.fail(`${why} needs a number, string, dateTime, date or time, not ${what}`, at);
}

export function parseComparable(c: Cursor, tm: TermMap, why: string): QComparable {
  c.skipWs();
  const at = c.pos;
  return comparable(c, parseValue(c, tm), at, why);
}

const patternPrefix = '(?i)';

/**
 * RegExp after `~=` / `!~=`. Quoted (`"…"`, a backslash protects the next character; the content is kept
 * verbatim so that `"^\d+$"` means what it says) or unquoted, up to a space, or a `;`, `|` or `)` that is not
 * inside a group, a class or an escape of the pattern itself.
 */
export function parsePattern(c: Cursor): { pattern: string; ignoreCase: boolean } {
  c.skipWs();
  const at = c.pos;
  const raw = c.peek() === '"' ? quotedPattern(c) : barePattern(c);
  if (raw === '') c.fail('expected a regular expression but found ' + c.found(), at);
  const ignoreCase = raw.startsWith(patternPrefix) && raw.length > patternPrefix.length;
  const pattern = ignoreCase ? raw.slice(patternPrefix.length) : raw;
  try {
    new RegExp(pattern, ignoreCase ? 'i' : '');
  } catch (e) {
    c.fail(`invalid regular expression (${(e as Error).message.slice(0, 160)})`, at);
  }
  return { pattern, ignoreCase };
}

function quotedPattern(c: Cursor): string {
  const at = c.pos;
  let i = at + 1;
  while (i < c.text.length && c.text[i] !== '"') i += c.text[i] === '\\' ? 2 : 1;
  if (i >= c.text.length) c.fail('unterminated quoted regular expression', at);
  c.pos = i + 1;
  return c.text.slice(at + 1, i);
}

function barePattern(c: Cursor): string {
  const at = c.pos;
  let depth = 0;
  let inClass = false;
  let i = at;
  for (; i < c.text.length; i++) {
    const ch = c.text[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '"') c.fail('an unquoted regular expression cannot contain \'"\'; quote the pattern', i);
    if (inClass) {
      inClass = ch !== ']';
      continue;
    }
    if (/\s/.test(ch)) break;
    if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (ch === ';' || ch === '|')) break;
  }
  c.pos = Math.min(i, c.text.length);
  return c.text.slice(at, c.pos);
}
