/**
 * NGSI-LD Scope Query Language (clause 4.19): `/Madrid/Gardens/#`, `/Madrid/+/ParqueNorte`,
 * `(/Madrid/Districts;/CompanyA)|/CompanyB`, `,` as an alternative or, `/#` for any non-empty scope.
 *
 *   ScopesQ  = OrScopeQ *(orOp OrScopeQ) / "/#"               ; orOp = "|" / ","
 *   OrScopeQ = "(" ScopeQ *(andOp ScopeQ) ")" / ScopeQ ["/#"]
 *   ScopeQ   = "/" ScopeQLevel *("/" ScopeQLevel)             ; ScopeQLevel = name / "+"
 *
 * Accepted beyond the ABNF: a missing leading `/` (Scope itself makes it optional, clause 4.18, and example 5
 * of clause 4.19 writes `|CompanyB`), `;` without parentheses, nested parentheses, `/#` anywhere an atom may
 * stand, digits first in a level (as isScope accepts them), spaces around tokens.
 */
import type { Result } from '../problem.js';
import { parseLogic, runParser, type Bounds, type Cursor } from './cursor.js';

export type ScopeExpr =
  /**
   * `levels` as written, `+` matching exactly one level; `descendants` for a trailing `/#` (the scope itself and
   * every scope below it). `{ levels: [], descendants: true }` is `/#`: any non-empty scope.
   */
  | { kind: 'scope'; levels: string[]; descendants: boolean }
  | { kind: 'and'; items: ScopeExpr[] }
  | { kind: 'or'; items: ScopeExpr[] };

const levelRe = /[\p{L}\p{N}_]+/uy;

export function parseScopeQuery(text: string, o: Bounds = {}): Result<ScopeExpr> {
  return runParser(
    'scopeQ',
    text,
    o,
    (c) =>
      parseLogic<ScopeExpr>(c, {
        atom: scope,
        and: (items) => ({ kind: 'and', items }),
        or: (items) => ({ kind: 'or', items }),
        commaIsOr: true,
      }),
    "',', '|', ';', ')' or end of input",
  );
}

function scope(c: Cursor): ScopeExpr {
  const slash = c.eat('/');
  if (slash && c.eat('#')) return { kind: 'scope', levels: [], descendants: true };
  const levels = [level(c)];
  while (c.eat('/')) {
    if (c.eat('#')) return { kind: 'scope', levels, descendants: true };
    levels.push(level(c));
  }
  if (c.peek() === '#') c.fail("'#' must follow a '/' at the end of a scope");
  return { kind: 'scope', levels, descendants: false };
}

function level(c: Cursor): string {
  if (c.eat('+')) return '+';
  const name = c.match(levelRe);
  if (!name) c.fail(`expected a scope level (letters, digits, '_'), '+' or '#' but found ${c.found()}`);
  return name;
}

/** The expression as `scopeQ` text (for forwarding; inverse of the parser). */
export function printScopeQuery(e: ScopeExpr): string {
  if (e.kind === 'scope') return e.levels.length === 0 ? '/#' : `/${e.levels.join('/')}${e.descendants ? '/#' : ''}`;
  const inner = e.items.map((i) => (i.kind === 'scope' ? printScopeQuery(i) : `(${printScopeQuery(i)})`));
  return inner.join(e.kind === 'and' ? ';' : '|');
}
