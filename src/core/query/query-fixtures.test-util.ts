/** Shared by the query grammar tests: a TermMap and fast-check generators of well-formed ASTs. */
import fc from 'fast-check';
import { builtInContext } from '../context/core-contexts.js';
import { compileContext, type TermMap } from '../context/termmap.js';
import { metaMembers, type CompareOp, type QComparable, type QExpr, type QPath, type QValue } from './q-ast.js';
import type { ScopeExpr } from './scope-query.js';
import type { TypeExpr } from './type-expr.js';

export const EX = 'http://example.org/';
export const VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';

export function termMap(): Promise<TermMap> {
  return compileContext([{ ex: EX, speed: 'ex:speed', Car: 'ex:Car' }], async (u) => builtInContext(u) ?? Promise.reject(new Error(u)));
}

/** Names that compact back to themselves and are not keywords of the grammar. */
const plainName = fc.oneof(fc.stringMatching(/^x[A-Za-z0-9_-]{0,5}$/), fc.constantFrom('température', '名前', 'speed', 'a_1'));
const attrName = fc.oneof(plainName, plainName.map((n) => `ex:${n}`));

export function pathArb(tm: TermMap): fc.Arbitrary<QPath> {
  const keys = fc.oneof(
    fc.constant<string[]>([]),
    fc.constant<string[]>(['*']),
    fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,6}$/), { minLength: 1, maxLength: 3 }),
  );
  const via = fc.array(fc.record({ rel: plainName, types: fc.array(plainName, { maxLength: 2 }) }), { maxLength: 2 });
  return fc
    .record({ via, attr: attrName, sub: fc.array(attrName, { maxLength: 2 }), member: fc.option(fc.constantFrom(...metaMembers), { nil: undefined }), keys })
    .map(({ via, attr, sub, member, keys }) => {
      // inside linked-entity braces a colon separates type hints, so prefixed names are not written there
      const local = (n: string) => (via.length ? n.replace(/^ex:/, '') : n);
      const path: QPath = {
        via: via.map((s) => ({ rel: tm.expand(s.rel), types: s.types.map((t) => tm.expand(t)) })),
        attr: tm.expand(local(attr)),
        sub: sub.map((s) => tm.expand(local(s))),
        keys: member ? [] : keys,
      };
      if (member) path.member = member;
      return path;
    });
}

/** An and/or node of two or three items (plain objects: fast-check records have no prototype). */
function group<T>(item: fc.Arbitrary<T>): fc.Arbitrary<{ kind: 'and' | 'or'; items: T[] }> {
  return fc.tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), fc.array(item, { minLength: 2, maxLength: 3 })).map(([kind, items]) => ({ kind, items }));
}

const isoDate = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());

const comparableOf: Record<QComparable['kind'], fc.Arbitrary<QComparable>> = {
  number: fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => ({ kind: 'number', value: n === 0 ? 0 : n })),
  string: fc.string({ unit: 'binary', maxLength: 12 }).map((value) => ({ kind: 'string', value })),
  dateTime: fc.tuple(isoDate, fc.boolean()).map(([s, frac]) => ({ kind: 'dateTime', value: frac ? s : `${s.slice(0, 19)}Z` })),
  date: isoDate.map((s) => ({ kind: 'date', value: s.slice(0, 10) })),
  time: fc.tuple(isoDate, fc.constantFrom('', 'Z')).map(([s, z]) => ({ kind: 'time', value: `${s.slice(11, 19)}${z}` })),
};
const comparableArb = fc.oneof(...Object.values(comparableOf));

export function valueArb(tm: TermMap): fc.Arbitrary<QValue> {
  return fc.oneof(
    comparableArb,
    fc.boolean().map((value): QValue => ({ kind: 'boolean', value })),
    fc.stringMatching(/^(urn:ngsi-ld:[A-Za-z0-9:._-]{1,12}|https?:\/\/example\.org\/[A-Za-z0-9\/._~-]{0,12})$/).map((value): QValue => ({ kind: 'uri', value })),
    fc
      .stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,6}$/)
      .filter((w) => w !== 'true' && w !== 'false')
      .map((value): QValue => ({ kind: 'term', value, iri: tm.expand(value) })),
  );
}

/** Regular expressions that compile in JavaScript and can be written between quotes. */
const patternArb = fc.oneof(
  fc.constantFrom('^\\d+$', 'a\\"b', '[;|)(]', '(x|y);?', 'Merc.*', '\\bword\\b', '[[:alpha:]]'),
  fc.stringMatching(/^[a-z.*+?^$|\d]{1,10}$/).filter((p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  }),
);

export function qArb(tm: TermMap): fc.Arbitrary<QExpr> {
  const path = pathArb(tm);
  const value = valueArb(tm);
  const ordering = fc.constantFrom<CompareOp>('>', '>=', '<', '<=');
  const leaf: fc.Arbitrary<QExpr> = fc.oneof(
    path.map((p): QExpr => ({ kind: 'exists', path: p })),
    path.map((p): QExpr => ({ kind: 'notExists', path: p })),
    fc.record({ path, op: fc.constantFrom<CompareOp>('==', '!='), value }).map((r): QExpr => ({ kind: 'compare', ...r })),
    fc.record({ path, op: ordering, value: comparableArb }).map((r): QExpr => ({ kind: 'compare', ...r })),
    fc.record({ path, negated: fc.boolean(), values: fc.array(value, { minLength: 2, maxLength: 4 }) }).map((r): QExpr => ({ kind: 'in', ...r })),
    fc
      .constantFrom(...(Object.keys(comparableOf) as Array<QComparable['kind']>))
      .chain((k) => fc.record({ path, negated: fc.boolean(), min: comparableOf[k], max: comparableOf[k] }))
      .map((r): QExpr => ({ kind: 'range', ...r })),
    fc.record({ path, negated: fc.boolean(), pattern: patternArb, ignoreCase: fc.boolean() }).map((r): QExpr => ({ kind: 'pattern', ...r })),
  );
  return fc.letrec<{ expr: QExpr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      group(tie('expr')),
    ),
  })).expr;
}

export function typeExprArb(tm: TermMap): fc.Arbitrary<TypeExpr> {
  const name = fc.oneof(fc.stringMatching(/^T[A-Za-z0-9_]{0,5}$/), fc.constantFrom('Car', 'urn:ngsi-ld:T:1', 'Bâtiment'));
  const leaf = name.map((n): TypeExpr => ({ kind: 'type', iri: tm.expand(n) }));
  return fc.letrec<{ expr: TypeExpr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      group(tie('expr')),
    ),
  })).expr;
}

export const scopeExprArb: fc.Arbitrary<ScopeExpr> = (() => {
  const level = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_]{1,5}$/), fc.constant('+'), fc.constant('Città'));
  const leaf = fc.oneof(
    fc.tuple(fc.array(level, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([levels, descendants]): ScopeExpr => ({ kind: 'scope', levels, descendants })),
    fc.constant<ScopeExpr>({ kind: 'scope', levels: [], descendants: true }),
  );
  return fc.letrec<{ expr: ScopeExpr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      group(tie('expr')),
    ),
  })).expr;
})();

/** Strings over the grammars' own alphabet, to reach deep into the parsers when fuzzing. */
export const grammarish = fc.string({
  unit: fc.constantFrom('a', 'é', '_', '1', '-', '.', '..', '[', ']', '{', '}', '(', ')', ';', '|', ',', '=', '==', '!', '~', '<', '>', '"', '\\', ':', 'T', 'Z', '/', '#', '+', '*', ' ', 'urn:x', '2024-01-02', '12:00:00', 'true'),
  maxLength: 40,
});
