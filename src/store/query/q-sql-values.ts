/**
 * Query Term values (clause 4.9) compared with one target value `u` (jsonb) of the stored entity. Every comparison
 * is typed: a number only meets JSON numbers, a string only JSON strings, a dateTime only strings that are
 * ISO 8601 date-times, and so on; any other pairing is false. No expression here casts a stored value without
 * first proving by regular expression that the cast succeeds, so that no stored data can make a query fail.
 */
import type { QValue } from '../../core/query/q-ast.js';
import type { SqlParams } from '../sql-params.js';

/** The orders a term asks for; `!=` is `==` negated by the caller (clause 4.9: "not equal" needs a target). */
export type Order = '==' | '<' | '<=' | '>' | '>=';

export interface ValueSide {
  readonly p: SqlParams;
  /**
   * SQL condition under which an unquoted word (`gender==Male`) is compared as its expanded IRI rather than as
   * written: 'TRUE' for an attribute listed in expandValues, or a test of the instance type for VocabProperty.
   */
  readonly termAsIri: string;
}

const sqlOp = (op: Order) => (op === '==' ? '=' : op);
const text = (u: string) => `(${u} #>> '{}')`;

/*
 * Calendar-exact ISO 8601 shapes that PostgreSQL casts without error: day within its month (29 February in
 * leap years only), year 0001 or later, hours 00-23 and a zone offset within ±15:59, PostgreSQL's own limit.
 */
const DAY =
  '(?!0000)(?:\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))' +
  '|(?:\\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)';
const CLOCK = 'T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d+)?)?';
const DATE_TIME_ZONED = `^${DAY}${CLOCK}(?:Z|[+-](?:0\\d|1[0-5])(?::?[0-5]\\d)?)$`;
/** Clause 4.6.3: a date-time without zone is UTC. */
const DATE_TIME_LOCAL = `^${DAY}${CLOCK}$`;
const DATE = `^${DAY}$`;
const TIME = '^(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?Z?$';

function instantOf(u: string): string {
  const s = text(u);
  return `(CASE WHEN ${s} ~ '${DATE_TIME_ZONED}' THEN ${s}::timestamptz WHEN ${s} ~ '${DATE_TIME_LOCAL}' THEN (${s} || 'Z')::timestamptz END)`;
}

function timeOf(u: string): string {
  const s = text(u);
  return `(CASE WHEN ${s} ~ '${TIME}' THEN rtrim(${s}, 'Z')::time END)`;
}

const queryDateTime = /^(\d{4})(-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant of a dateTime of the AST. PostgreSQL refuses offsets past ±15:59 and year 0000 that the grammar
 * accepts, so the local time and the offset travel apart and PostgreSQL does the arithmetic.
 */
function instantParam(value: string, p: SqlParams): string {
  const m = queryDateTime.exec(value);
  if (!m) throw new Error(`q AST holds a dateTime that is not normalised: ${value}`);
  // astronomical year 0 is 1 BC, which is how PostgreSQL writes it
  const local = m[1] === '0000' ? `0001${m[2]} BC` : `${m[1]}${m[2]}`;
  const offset = m[3] === 'Z' ? 0 : (m[4] === '-' ? -1 : 1) * (Number(m[5]) * 60 + Number(m[6]));
  return `((${p.add(local)}::timestamp - ${p.add(String(offset))}::integer * interval '1 minute') AT TIME ZONE 'UTC')`;
}

/**
 * A string PostgreSQL cannot hold (U+0000, an unpaired surrogate) equals no stored string. Orders stay exact
 * for U+0000: `s < "a\0b"` holds exactly when `s <= "a"`, since no stored string has a U+0000 after "a". The
 * drivers send an unpaired surrogate as U+FFFD, which keeps orders close enough for such input.
 */
const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const storable = (s: string) => !s.includes('\0') && !unpairedSurrogate.test(s);

/** A test of one target value `u`, its parameters already added (tests are written out more than once). */
export type ValueTest = (u: string) => string;

function textOrder(op: Order, operand: string): ValueTest {
  return (u) => `(jsonb_typeof(${u}) = 'string' AND ${text(u)} COLLATE "C" ${sqlOp(op)} ${operand})`;
}

function stringTest(op: Order, s: string, p: SqlParams): ValueTest {
  if (op === '==') {
    if (!storable(s)) return () => 'FALSE';
    const x = p.add(s);
    return (u) => `(jsonb_typeof(${u}) = 'string' AND ${text(u)} = ${x})`;
  }
  const nul = s.indexOf('\0');
  if (nul < 0) return textOrder(op, p.add(s));
  return textOrder(op === '<' || op === '<=' ? '<=' : '>', p.add(s.slice(0, nul)));
}

/** An unquoted word: the word itself, or its IRI where `termAsIri` holds (clause 4.9 example 12, expandValues). */
function termTest(op: Order, v: { value: string; iri: string }, side: ValueSide): ValueTest {
  if (side.termAsIri === 'TRUE') return stringTest(op, v.iri, side.p);
  if (side.termAsIri === 'FALSE') return stringTest(op, v.value, side.p);
  const [iri, word] = [stringTest(op, v.iri, side.p), stringTest(op, v.value, side.p)];
  return (u) => `(CASE WHEN ${side.termAsIri} THEN ${iri(u)} ELSE ${word(u)} END)`;
}

/** `u op v` for one target value `u`; false or NULL, never an error, when the types differ. */
export function valueTest(op: Order, v: QValue, side: ValueSide): ValueTest {
  const p = side.p;
  switch (v.kind) {
    case 'number':
    case 'boolean': {
      // jsonb orders numbers numerically and false before true; the type test keeps other JSON types out
      const x = p.add(JSON.stringify(v.value));
      return (u) => `(jsonb_typeof(${u}) = '${v.kind}' AND ${u} ${sqlOp(op)} ${x}::jsonb)`;
    }
    case 'string':
    case 'uri':
      return stringTest(op, v.value, p);
    case 'term':
      return termTest(op, v, side);
    case 'dateTime': {
      const x = instantParam(v.value, p);
      return (u) => `(${instantOf(u)} ${sqlOp(op)} ${x})`;
    }
    case 'date': {
      // YYYY-MM-DD orders as text exactly as it orders in time
      const x = p.add(v.value);
      return (u) => `(jsonb_typeof(${u}) = 'string' AND ${text(u)} ~ '${DATE}' AND ${text(u)} COLLATE "C" ${sqlOp(op)} ${x})`;
    }
    case 'time': {
      const x = p.add(v.value.replace(/Z$/, ''));
      return (u) => `(${timeOf(u)} ${sqlOp(op)} ${x}::time)`;
    }
  }
}

/** `u ~ re` (`~*` when ignoreCase) on strings only; `re` is the pattern's placeholder. */
export function patternTest(re: string, ignoreCase: boolean): ValueTest {
  return (u) => `(jsonb_typeof(${u}) = 'string' AND ${text(u)} ${ignoreCase ? '~*' : '~'} ${re})`;
}
