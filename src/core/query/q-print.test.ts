import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { TermMap } from '../context/termmap.js';
import { parseCsf } from './csf.js';
import { printQ } from './q-print.js';
import { parseQ } from './q.js';
import { grammarish, qArb, termMap } from './query-fixtures.test-util.js';

let tm: TermMap;
before(async () => {
  tm = await termMap();
});

describe('printQ', () => {
  it('printQ should compact names and parenthesise nested groups when printing', () => {
    const r = parseQ('(ex:a.observedAt>=2020-01-01T00:00:00Z|speed{Car:b[c.d]}==1,"x");!e;f~=^x|g!~="(?i)y"', tm);
    assert.ok(r.ok);
    assert.equal(printQ(r.value, tm), '((ex:a.observedAt>=2020-01-01T00:00:00Z|speed{Car:b[c.d]}==1,"x");!e;f~="^x")|g!~="(?i)y"');
  });

  it('printQ should quote patterns verbatim when they hold escapes, so that they survive a round trip', () => {
    for (const q of ['a~="^\\d+\\"$"', 'a~=[;|)]x', 'a!~=(b|c);d']) {
      const r = parseQ(q, tm);
      assert.ok(r.ok, q);
      const again = parseQ(printQ(r.value, tm), tm);
      assert.ok(again.ok, q);
      assert.deepEqual(again.value, r.value, q);
    }
  });
});

describe('parseQ properties', () => {
  it('parseQ should give back the same AST when parsing what printQ printed', () => {
    fc.assert(
      fc.property(qArb(tm), (e) => {
        const text = printQ(e, tm);
        const r = parseQ(text, tm, { maxLength: 1e6 });
        assert.ok(r.ok, `${text}: ${r.ok ? '' : r.problem.detail}`);
        assert.deepStrictEqual(r.value, e, text);
      }),
      { numRuns: 500 },
    );
  });

  it('parseQ should print to a fixed point when the printed text is parsed and printed again', () => {
    fc.assert(
      fc.property(grammarish, (s) => {
        const r = parseQ(s, tm);
        if (!r.ok) return;
        const printed = printQ(r.value, tm);
        const again = parseQ(printed, tm);
        assert.ok(again.ok, `${s} → ${printed}`);
        assert.equal(printQ(again.value, tm), printed);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseQ and parseCsf should never throw and always fail with BadRequestData when given arbitrary strings', () => {
    const check = (s: string) => {
      for (const r of [parseQ(s, tm), parseCsf(s, tm)]) {
        if (!r.ok) {
          assert.equal(r.problem.kind, 'BadRequestData');
          assert.match(r.problem.detail, /^Invalid (q|csf): /);
        }
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), check), { numRuns: 2000 });
    fc.assert(fc.property(grammarish, check), { numRuns: 5000 });
  });
});
