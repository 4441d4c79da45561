/**
 * Parser of the NGSI-LD Query Language (ETSI GS CIM 009 V1.8.1/V1.9.1 clause 4.9) into the AST of q-ast.ts.
 *
 *   Query          = (QueryTerm / QueryTermAssoc) *(LogicalOp (QueryTerm / QueryTermAssoc))   ; ";" and, "|" or
 *   QueryTerm      = Attribute [Operator Value]      ; the grammar's six alternatives
 *   Attribute      = AttrName "{" LinkedEntityPath "}" / ValuePath
 *   ValuePath      = DottedPath *1("[" DottedPath "]")
 *
 * Accepted beyond the ABNF, as deployed clients send it: spaces around tokens, nested parentheses, `!attr`
 * (non-existence), `prefix:name` attribute names outside braces, `[a][b]` for `[a.b]`, `[*]` and language tags
 * in brackets (clause 4.9 LanguageProperty examples), URIs and unquoted words in value lists, quoted patterns,
 * one type hint in braces (`sensor{Device:humidity}`, example 14, where the ABNF asks for two or more).
 */
import type { TermMap } from '../context/termmap.js';
import { NGSI_LD } from '../entity/model.js';
import type { Result } from '../problem.js';
import { parseLogic, runParser, type Bounds, type Cursor } from './cursor.js';
import { metaMembers, type CompareOp, type LinkStep, type MetaMember, type QExpr, type QPath, type QValue } from './q-ast.js';
import { comparable, parseComparable, parsePattern, parseValue } from './q-values.js';

export type { QExpr } from './q-ast.js';

interface QOptions {
  label: string;
  /** Linked-entity braces (clause 4.9 LinkedEntityRelation); meaningless on registrations (csf). */
  links: boolean;
}

const nameRe = /[\p{L}\p{N}_][\p{L}\p{N}_-]*/uy;
const schemeLike = /^[A-Za-z][A-Za-z0-9-]*$/;
const keyRe = /[\p{L}\p{N}_-]+/uy;
const memberByIri = new Map<string, MetaMember>(metaMembers.map((m) => [`${NGSI_LD}${m}`, m]));
const afterTerm = "';', '|', ')' or end of input";

/** Parses `q` (clause 4.9). Names are expanded with `tm`; failures are BadRequestData naming the position. */
export function parseQ(text: string, tm: TermMap, o: Bounds = {}): Result<QExpr> {
  return parseQuery(text, tm, o, { label: 'q', links: true });
}

export function parseQuery(text: string, tm: TermMap, bounds: Bounds, o: QOptions): Result<QExpr> {
  return runParser(
    o.label,
    text,
    bounds,
    (c) =>
      parseLogic<QExpr>(c, {
        atom: (c) => queryTerm(c, tm, o),
        and: (items) => ({ kind: 'and', items }),
        or: (items) => ({ kind: 'or', items }),
        commaIsOr: false,
      }),
    afterTerm,
  );
}

/** An attribute name; `prefix:name` only where a colon cannot mean anything else (outside braces). */
function name(c: Cursor, prefixed: boolean, what: string): string {
  const n = c.match(nameRe);
  if (!n) c.fail(`expected ${what} but found ${c.found()}`);
  // clause 4.6.2: prefix = unicodeLetter *nameChar; kept to what is also a URI scheme, so that an unknown
  // prefix expands to itself (an absolute IRI) and compacts back to the same text
  if (!prefixed || c.peek() !== ':' || !schemeLike.test(n)) return n;
  const colon = c.pos++;
  const local = c.match(nameRe);
  if (local) return `${n}:${local}`;
  c.pos = colon;
  return n;
}

function queryTerm(c: Cursor, tm: TermMap, o: QOptions): QExpr {
  c.skipWs();
  if (c.eat('!')) {
    if (c.peek() === '(') c.fail('\'!\' negates an attribute path only, not a group');
    const path = attribute(c, tm, o);
    c.skipWs();
    if (/[=!~<>]/.test(c.peek())) c.fail("'!' only negates existence; negate a comparison with != or !~=");
    return { kind: 'notExists', path };
  }
  const path = attribute(c, tm, o);
  c.skipWs();
  if (c.done || c.peek() === ';' || c.peek() === '|' || c.peek() === ')') return { kind: 'exists', path };
  const at = c.pos;
  if (c.eat('~=') || c.eat('!~=')) {
    return { kind: 'pattern', path, negated: c.text[at] === '!', ...parsePattern(c) };
  }
  const op = operator(c);
  if (op === '==' || op === '!=') return equality(c, tm, path, op);
  const value = parseComparable(c, tm, `operator ${op}`);
  c.skipWs();
  if (c.peek() === ',') c.fail(`a value list is only allowed with == or !=, not ${op}`);
  if (c.startsWith('..')) c.fail(`a range is only allowed with == or !=, not ${op}`);
  return { kind: 'compare', path, op, value };
}

const operators: CompareOp[] = ['==', '!=', '>=', '<=', '>', '<'];

function operator(c: Cursor): CompareOp {
  for (const op of operators) if (c.eat(op)) return op;
  if (c.peek() === '=') c.fail("'=' is not an operator (use '==')");
  return c.fail(`unexpected ${c.found()} after the attribute path; expected an operator (== != > >= < <= ~= !~=), ${afterTerm}`);
}

/** `==` / `!=` take a Value, a Range or a ValueList (production rule CompEqualityValue). */
function equality(c: Cursor, tm: TermMap, path: QPath, op: '==' | '!='): QExpr {
  c.skipWs();
  const first = c.pos;
  const value = parseValue(c, tm);
  c.skipWs();
  if (c.startsWith('..')) {
    const min = comparable(c, value, first, 'a range');
    c.pos += 2;
    const maxAt = c.pos;
    const max = parseComparable(c, tm, 'a range');
    if (max.kind !== min.kind) c.fail(`a range needs both ends of one kind, not ${min.kind} and ${max.kind}`, maxAt);
    return { kind: 'range', path, negated: op === '!=', min, max };
  }
  if (c.peek() !== ',') return { kind: 'compare', path, op, value };
  const values: QValue[] = [value];
  for (c.skipWs(); c.eat(','); c.skipWs()) {
    values.push(parseValue(c, tm));
  }
  if (c.startsWith('..')) c.fail('a value list cannot contain a range');
  return { kind: 'in', path, negated: op === '!=', values };
}

/** Production rule Attribute: `rel{…}` (linked entities) or a value path. */
function attribute(c: Cursor, tm: TermMap, o: QOptions): QPath {
  const at = c.pos;
  const first = name(c, true, 'an attribute name');
  if (c.peek() !== '{') return valuePath(c, tm, first, true);
  if (!o.links) c.fail(`linked-entity paths ('{') are not allowed in ${o.label}`);
  return linked(c, tm, tm.expand(first), at);
}

/** After `rel`: `{` [types ":"] (AttrName "{" … "}" / ValuePath) `}`. */
function linked(c: Cursor, tm: TermMap, rel: string, at: number): QPath {
  c.enter();
  c.expect('{', "'{'");
  const names = [name(c, false, 'an entity type or attribute name')];
  while (c.eat(',')) names.push(name(c, false, 'an entity type'));
  let types: string[] = [];
  let attr = names[0];
  if (c.eat(':')) {
    types = names.map((t) => tm.expand(t));
    attr = name(c, false, 'an attribute name');
  } else if (names.length > 1) c.fail("expected ':' after the entity types");
  const innerAt = c.pos;
  const inner = c.peek() === '{' ? linked(c, tm, tm.expand(attr), innerAt) : valuePath(c, tm, attr, false);
  if (!c.eat('}')) c.fail(`expected '}' to close the '{' of the linked-entity path at position ${at + 1} but found ${c.found()}`);
  c.leave();
  const step: LinkStep = { rel, types };
  return { ...inner, via: [step, ...inner.via] };
}

/** `DottedPath *1("[" DottedPath "]")` where `first` is already read. */
function valuePath(c: Cursor, tm: TermMap, first: string, prefixed: boolean): QPath {
  const path: QPath = { via: [], attr: tm.expand(first), sub: [], keys: [] };
  while (c.peek() === '.' && c.peek(1) !== '.') {
    c.pos++;
    const at = c.pos;
    const iri = tm.expand(name(c, prefixed, 'a sub-attribute name after \'.\''));
    if (path.member) c.fail(`nothing can follow .${path.member} in an attribute path`, at);
    const member = memberByIri.get(iri);
    if (member) path.member = member;
    else path.sub.push(iri);
  }
  while (c.peek() === '[') {
    if (path.member) c.fail(`a compound-value path cannot follow .${path.member}`);
    bracket(c, path.keys);
  }
  return path;
}

/** `[a.b.c]` (JSON member names), `[en]` (language tag) or `[*]` (any language). */
function bracket(c: Cursor, keys: string[]): void {
  const open = c.pos++;
  if (keys[0] === '*') c.fail("nothing can follow '[*]'", open);
  if (c.eat('*')) {
    if (keys.length > 0) c.fail("'[*]' is only allowed as the whole compound-value path", open);
    keys.push('*');
  } else {
    do {
      const key = c.match(keyRe);
      if (!key) c.fail(`expected a member name in '[…]' but found ${c.found()}`);
      keys.push(key);
    } while (c.eat('.'));
  }
  if (!c.eat(']')) c.fail(`expected ']' to close the '[' at position ${open + 1} but found ${c.found()}`);
}
