import { problem, ProblemError } from '../core/problem.js';

/**
 * Thrown by a store method when the database rejects data the caller supplied: an `idPattern` that is not a
 * valid regular expression for PostgreSQL, a string PostgreSQL cannot hold (U+0000, a lone surrogate). It is a
 * ProblemError, so the HTTP edge answers it as a 400 like any other bad input; any other error a store throws
 * is a bug or an outage.
 */
export class StoreQueryError extends ProblemError {
  constructor(detail: string) {
    super(problem('BadRequestData', detail));
    this.name = 'StoreQueryError';
  }
}

/** SQLSTATE class 22 (data exception): the database refuses a value the request carried. */
const DATA_EXCEPTION = /^22/;

/** What the database says, without the internals of where it said it. */
function reason(e: { code: string; message: string }): string {
  switch (e.code) {
    case '2201B':
      return `the regular expression is not valid for PostgreSQL: ${e.message.replace(/^invalid regular expression:\s*/i, '')}`;
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
  return new StoreQueryError(`The request holds a value the database rejects: ${reason({ code, message: String(message) })}`);
}
