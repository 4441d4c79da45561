import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { TermMap } from '../context/termmap.js';
import { grammarish, termMap, typeExprArb, EX, VOCAB } from './query-fixtures.test-util.js';
import { parseTypeExpression, printTypeExpression, type TypeExpr } from './type-expr.js';

let tm: TermMap;
before(async () => {
  tm = await termMap();
});

const t = (n: string): TypeExpr => ({ kind: 'type', iri: VOCAB + n });

function parsed(text: string): TypeExpr {
  const r = parseTypeExpression(text, tm);
  if (!r.ok) assert.fail(`${text}: ${r.problem.detail}`);
  return r.value;
}

function failure(text: string): string {
  const r = parseTypeExpression(text, tm);
  if (r.ok) assert.fail(`${text} should fail but gave ${JSON.stringify(r.value)}`);
  assert.equal(r.problem.kind, 'BadRequestData');
  return r.problem.detail;
}

describe('parseTypeExpression (clause 4.17)', () => {
  it('parseTypeExpression should give one expanded type when given a single name', () => {
    assert.deepEqual(parsed('Building'), t('Building'));
    assert.deepEqual(parsed('Car'), { kind: 'type', iri: `${EX}Car` });
    assert.deepEqual(parsed('ex:House'), { kind: 'type', iri: `${EX}House` });
    assert.deepEqual(parsed('https://example.org/types/Tree'), { kind: 'type', iri: 'https://example.org/types/Tree' });
  });

  it('parseTypeExpression should read | and , as or when listing types (example 1)', () => {
    const or = { kind: 'or', items: [t('Building'), t('House')] };
    assert.deepEqual(parsed('Building|House'), or);
    assert.deepEqual(parsed('Building,House'), or);
  });

  it('parseTypeExpression should read ; as and when types are grouped in parentheses (examples 2 and 3)', () => {
    assert.deepEqual(parsed('(Home;Vehicle)'), { kind: 'and', items: [t('Home'), t('Vehicle')] });
    const e3 = { kind: 'or', items: [{ kind: 'and', items: [t('Home'), t('Vehicle')] }, t('Motorhome')] };
    assert.deepEqual(parsed('(Home;Vehicle)|Motorhome'), e3);
    assert.deepEqual(parsed('(Home;Vehicle),Motorhome'), e3);
  });

  it('parseTypeExpression should bind ; tighter than | and , when parentheses are left out', () => {
    assert.deepEqual(parsed('A,B;C|D'), { kind: 'or', items: [t('A'), { kind: 'and', items: [t('B'), t('C')] }, t('D')] });
    assert.deepEqual(parsed(' ( A | B ) ; C '), { kind: 'and', items: [{ kind: 'or', items: [t('A'), t('B')] }, t('C')] });
  });

  it('parseTypeExpression should name the position when the expression is malformed', () => {
    const cases: Array<[string, string]> = [
      ['', 'Invalid type: it is empty'],
      ['A,', 'Invalid type: expected an entity type but found end of input at position 3'],
      ['A||B', "Invalid type: expected an entity type but found '|' at position 3"],
      ['(A;B', "Invalid type: expected ')' to close the '(' at position 1 but found end of input at position 5"],
      ['A)', "Invalid type: unbalanced ')' at position 2"],
      ['A B', "Invalid type: unexpected 'B'; expected ',', '|', ';', ')' or end of input at position 3"],
      ['A"B', 'Invalid type: "A\\"B" is not a valid entity type name at position 1'],
      ['@id', 'Invalid type: "@id" is not a valid entity type name at position 1'],
      ['a=b', 'Invalid type: "a=b" is not a valid entity type name at position 1'],
    ];
    for (const [text, detail] of cases) assert.equal(failure(text), detail, text);
    assert.match(failure(`${'('.repeat(40)}A${')'.repeat(40)}`), /nesting is deeper than 32 levels at position 33$/);
    assert.equal(failure('A|'.repeat(5000)), 'Invalid type: it is longer than 8192 characters');
  });

  it('parseTypeExpression should give back the same AST when parsing what printTypeExpression printed', () => {
    fc.assert(
      fc.property(typeExprArb(tm), (e) => {
        const text = printTypeExpression(e, tm);
        const r = parseTypeExpression(text, tm, { maxLength: 1e6 });
        assert.ok(r.ok, text);
        assert.deepStrictEqual(r.value, e, text);
      }),
      { numRuns: 300 },
    );
  });

  it('parseTypeExpression should never throw when given arbitrary strings', () => {
    const check = (s: string) => {
      const r = parseTypeExpression(s, tm);
      if (!r.ok) assert.equal(r.problem.kind, 'BadRequestData');
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), check), { numRuns: 2000 });
    fc.assert(fc.property(grammarish, check), { numRuns: 3000 });
  });
});
