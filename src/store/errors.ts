import { problem, ProblemError } from '../core/problem.js';
import type { QExpr } from '../core/query/q-ast.js';
import type { EntitySelection, SqlQueryable } from './port.js';

/**
 * Thrown by a store method when the database rejects data the caller supplied: an `idPattern` that is not a
 * valid regular expression for PostgreSQL, a string PostgreSQL cannot hold (U+0000, a lone surrogate). It is a
 * ProblemError, so the HTTP edge answers it as a 400 like any other bad input; any other error a store throws
 * is a bug or an outage.
 */
export class StoreQueryError extends ProblemError {
  /** `sqlState` and `reason`: what the database answered, when it was the database that refused. */
  constructor(
    detail: string,
    readonly sqlState?: string,
    readonly reason?: string,
  ) {
    super(problem('BadRequestData', detail));
    this.name = 'StoreQueryError';
  }
}

/** SQLSTATE class 22 (data exception): the database refuses a value the request carried. */
const DATA_EXCEPTION = /^22/;

const INVALID_REGEX = '2201B';
const regexReason = (message: string) => message.replace(/^invalid regular expression:\s*/i, '');

/** What the database says, without the internals of where it said it. */
function reason(e: { code: string; message: string }): string {
  switch (e.code) {
    case INVALID_REGEX:
      return `the regular expression is not valid for PostgreSQL: ${regexReason(e.message)}`;
    case '22P05':
    case '22021':
      return 'a string holds a character that cannot be stored (U+0000 or an unpaired surrogate)';
    default:
      return e.message;
  }
}

/** Turns a database error caused by the request's data into a StoreQueryError; returns anything else unchanged. */
export function translateDbError(e: unknown): unknown {
  if (e === null || typeof e !== 'object') return e;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !DATA_EXCEPTION.test(code)) return e;
  const text = String(message);
  return new StoreQueryError(`The request holds a value the database rejects: ${reason({ code, message: text })}`, code, code === INVALID_REGEX ? regexReason(text) : text);
}

/** A regular expression of a request, with the words naming it in an error detail. */
export interface NamedPattern {
  what: string;
  pattern: string;
  ignoreCase?: boolean;
}

/** The regular expressions of a selection, in request order. */
export function patternsOf(sel: EntitySelection): NamedPattern[] {
  const out: NamedPattern[] = [];
  if (sel.idPattern !== undefined) out.push({ what: 'idPattern', pattern: sel.idPattern, ignoreCase: false });
  sel.entities?.forEach((s, i) => {
    if (s.idPattern !== undefined) out.push({ what: `entities[${i}].idPattern`, pattern: s.idPattern, ignoreCase: false });
  });
  const walk = (x: QExpr): void => {
    if (x.kind === 'and' || x.kind === 'or') x.items.forEach(walk);
    else if (x.kind === 'pattern') out.push({ what: `q ${x.negated ? '!~=' : '~='}`, pattern: x.pattern, ignoreCase: x.ignoreCase });
  };
  if (sel.q) walk(sel.q);
  return out;
}

/** The first of `patterns` PostgreSQL rejects, as a StoreQueryError naming it; undefined when it accepts them all. */
async function firstRejected(db: SqlQueryable, patterns: readonly NamedPattern[]): Promise<StoreQueryError | undefined> {
  for (const x of patterns) {
    try {
      await db.query(`SELECT '' ${x.ignoreCase ? '~*' : '~'} $1`, [x.pattern]);
    } catch (bad) {
      if (!(bad instanceof StoreQueryError) || bad.sqlState !== INVALID_REGEX) throw bad;
      const shown = JSON.stringify(x.pattern.length > 200 ? `${x.pattern.slice(0, 200)}…` : x.pattern);
      return new StoreQueryError(`${x.what} ${shown} is not a valid regular expression for PostgreSQL: ${bad.reason}`, bad.sqlState, bad.reason);
    }
  }
  return undefined;
}

/**
 * PostgreSQL rejects a regular expression (SQLSTATE 2201B) without saying which of a query's it was. On that error
 * only, so that a valid query pays nothing, each pattern of the selection is compiled on its own and the first one
 * rejected is named; `e` is returned unchanged when it is another error (or when none fails alone).
 */
export async function namingRejectedPattern(db: SqlQueryable, sel: EntitySelection, e: unknown): Promise<unknown> {
  if (!(e instanceof StoreQueryError) || e.sqlState !== INVALID_REGEX) return e;
  return (await firstRejected(db, patternsOf(sel))) ?? e;
}

/**
 * For patterns stored now and matched in SQL later (subscriptions on each write, registrations on each discovery):
 * throws the named StoreQueryError when PostgreSQL rejects one. Accepted, such a pattern would fail every statement
 * it is matched in (JavaScript, which checks it first, accepts some that PostgreSQL does not, such as `\p{L}`).
 */
export async function checkPatterns(db: SqlQueryable, patterns: readonly NamedPattern[]): Promise<void> {
  const rejected = await firstRejected(db, patterns);
  if (rejected) throw rejected;
}
