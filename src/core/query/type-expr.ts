/**
 * NGSI-LD Entity Type Selection Language (clause 4.17): `Building|House`, `Building,House` (`,` = or, kept for
 * compatibility with earlier versions), `(Home;Vehicle)|Motorhome`.
 *
 *   EntityTypes  = OrEntityType *(orOp OrEntityType)         ; orOp = "|" / ","
 *   OrEntityType = "(" EntityType *(andOp EntityType) ")" / EntityType
 *
 * Accepted beyond the ABNF: `;` without parentheses (and binds tighter than or, as in clause 4.9), nested
 * parentheses and spaces around tokens. An EntityType is a name (clause 4.6.2) or a URI; since `,;()` are
 * separators here, URIs containing them cannot be written (the NOTE of clause 4.17 says as much).
 */
import type { TermMap } from '../context/termmap.js';
import { isUri, isValidAttributeName } from '../entity/uri.js';
import type { Result } from '../problem.js';
import { parseLogic, runParser, type Bounds, type Cursor } from './cursor.js';

export type TypeExpr = { kind: 'type'; iri: string } | { kind: 'and'; items: TypeExpr[] } | { kind: 'or'; items: TypeExpr[] };

const typeToken = /[^\s,;|()]+/y;

export function parseTypeExpression(text: string, tm: TermMap, o: Bounds = {}): Result<TypeExpr> {
  return runParser(
    'type',
    text,
    o,
    (c) =>
      parseLogic<TypeExpr>(c, {
        atom: (c) => entityType(c, tm),
        and: (items) => ({ kind: 'and', items }),
        or: (items) => ({ kind: 'or', items }),
        commaIsOr: true,
      }),
    "',', '|', ';', ')' or end of input",
  );
}

function entityType(c: Cursor, tm: TermMap): TypeExpr {
  const at = c.pos;
  const token = c.match(typeToken);
  if (!token) c.fail(`expected an entity type but found ${c.found()}`);
  if (!isValidAttributeName(token) && !isUri(token)) c.fail(`${JSON.stringify(token.slice(0, 80))} is not a valid entity type name`, at);
  return { kind: 'type', iri: tm.expand(token) };
}

/** The expression as `type` text, names compacted with `tm` (for forwarding; inverse of the parser). */
export function printTypeExpression(e: TypeExpr, tm: TermMap): string {
  if (e.kind === 'type') return tm.compact(e.iri);
  const inner = e.items.map((i) => (i.kind === 'type' ? printTypeExpression(i, tm) : `(${printTypeExpression(i, tm)})`));
  return inner.join(e.kind === 'and' ? ';' : '|');
}
