import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { grammarish, scopeExprArb } from './query-fixtures.test-util.js';
import { parseScopeQuery, printScopeQuery, type ScopeExpr } from './scope-query.js';

const s = (levels: string[], descendants = false): ScopeExpr => ({ kind: 'scope', levels, descendants });

function parsed(text: string): ScopeExpr {
  const r = parseScopeQuery(text);
  if (!r.ok) assert.fail(`${text}: ${r.problem.detail}`);
  return r.value;
}

function failure(text: string): string {
  const r = parseScopeQuery(text);
  if (r.ok) assert.fail(`${text} should fail but gave ${JSON.stringify(r.value)}`);
  assert.equal(r.problem.kind, 'BadRequestData');
  return r.problem.detail;
}

describe('parseScopeQuery (clause 4.19)', () => {
  it('parseScopeQuery should give the levels when given a scope (example 1)', () => {
    assert.deepEqual(parsed('/Madrid'), s(['Madrid']));
    assert.deepEqual(parsed('/Madrid/Gardens/ParqueNorte'), s(['Madrid', 'Gardens', 'ParqueNorte']));
    assert.deepEqual(parsed('/Città/Zona_1/2'), s(['Città', 'Zona_1', '2']));
  });

  it('parseScopeQuery should mark descendants when the scope ends with /# (example 2)', () => {
    assert.deepEqual(parsed('/Madrid/Gardens/#'), s(['Madrid', 'Gardens'], true));
  });

  it('parseScopeQuery should give any non-empty scope when given /# alone', () => {
    assert.deepEqual(parsed('/#'), s([], true));
  });

  it('parseScopeQuery should keep + as a level when it is a one-level wildcard (example 3)', () => {
    assert.deepEqual(parsed('/Madrid/+/ParqueNorte'), s(['Madrid', '+', 'ParqueNorte']));
    assert.deepEqual(parsed('/+/#'), s(['+'], true));
  });

  it('parseScopeQuery should give and/or nodes when scopes are joined by ; and | or , (examples 4 and 5)', () => {
    const and = { kind: 'and', items: [s(['Madrid', 'Districts']), s(['CompanyA'])] } as const;
    assert.deepEqual(parsed('(/Madrid/Districts;/CompanyA)'), and);
    assert.deepEqual(parsed('(/Madrid/Districts;/CompanyA)|/CompanyB'), { kind: 'or', items: [and, s(['CompanyB'])] });
    assert.deepEqual(parsed('(/Madrid/Districts;/CompanyA),/CompanyB'), { kind: 'or', items: [and, s(['CompanyB'])] });
  });

  it('parseScopeQuery should accept a scope when its leading slash is missing, as example 5 writes it', () => {
    assert.deepEqual(parsed('(/Madrid/Districts;/CompanyA)|CompanyB'), parsed('(/Madrid/Districts;/CompanyA)|/CompanyB'));
    assert.deepEqual(parsed('A/B/#'), s(['A', 'B'], true));
  });

  it('parseScopeQuery should name the position when the query is malformed', () => {
    const cases: Array<[string, string]> = [
      ['', 'Invalid scopeQ: it is empty'],
      ['/', "Invalid scopeQ: expected a scope level (letters, digits, '_'), '+' or '#' but found end of input at position 2"],
      ['//a', "Invalid scopeQ: expected a scope level (letters, digits, '_'), '+' or '#' but found '/' at position 2"],
      ['/a/', "Invalid scopeQ: expected a scope level (letters, digits, '_'), '+' or '#' but found end of input at position 4"],
      ['/a#', "Invalid scopeQ: '#' must follow a '/' at the end of a scope at position 3"],
      ['#', "Invalid scopeQ: expected a scope level (letters, digits, '_'), '+' or '#' but found '#' at position 1"],
      ['/a/#/b', "Invalid scopeQ: unexpected '/'; expected ',', '|', ';', ')' or end of input at position 5"],
      ['/a-b', "Invalid scopeQ: unexpected '-'; expected ',', '|', ';', ')' or end of input at position 3"],
      ['/a/+b', "Invalid scopeQ: unexpected 'b'; expected ',', '|', ';', ')' or end of input at position 5"],
      ['(/a;/b', "Invalid scopeQ: expected ')' to close the '(' at position 1 but found end of input at position 7"],
      ['/a)', "Invalid scopeQ: unbalanced ')' at position 3"],
      ['/a,', "Invalid scopeQ: expected a scope level (letters, digits, '_'), '+' or '#' but found end of input at position 4"],
    ];
    for (const [text, detail] of cases) assert.equal(failure(text), detail, text);
    assert.match(failure(`${'('.repeat(40)}/a${')'.repeat(40)}`), /nesting is deeper than 32 levels/);
    assert.equal(failure('/a|'.repeat(3000)), 'Invalid scopeQ: it is longer than 8192 characters');
  });

  it('parseScopeQuery should give back the same AST when parsing what printScopeQuery printed', () => {
    fc.assert(
      fc.property(scopeExprArb, (e) => {
        const text = printScopeQuery(e);
        const r = parseScopeQuery(text, { maxLength: 1e6 });
        assert.ok(r.ok, text);
        assert.deepStrictEqual(r.value, e, text);
      }),
      { numRuns: 300 },
    );
  });

  it('parseScopeQuery should never throw when given arbitrary strings', () => {
    const check = (x: string) => {
      const r = parseScopeQuery(x);
      if (!r.ok) assert.equal(r.problem.kind, 'BadRequestData');
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), check), { numRuns: 2000 });
    fc.assert(fc.property(grammarish, check), { numRuns: 3000 });
  });
});
