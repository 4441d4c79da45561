/**
 * Context Source filter `csf` (clause 4.9, clause 5.7.2 / 5.10.2): the Query Language applied to the
 * properties that describe a Context Source in its CSourceRegistration (clause 5.2.9). Same grammar and AST as
 * `q`; names are expanded the same way, since registration members are JSON-LD terms too. Linked-entity
 * paths (`rel{…}`) are refused: a registration has no Relationships to follow.
 */
import type { TermMap } from '../context/termmap.js';
import type { Result } from '../problem.js';
import type { Bounds } from './cursor.js';
import type { QExpr } from './q-ast.js';
import { parseQuery } from './q.js';

export function parseCsf(text: string, tm: TermMap, o: Bounds = {}): Result<QExpr> {
  return parseQuery(text, tm, o, { label: 'csf', links: false });
}
