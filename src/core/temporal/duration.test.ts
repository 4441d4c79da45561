import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { before, isZero, parseDuration, pgInterval, shortestMillis, type Duration } from './duration.js';

function parsed(text: string): Duration {
  const r = parseDuration(text);
  if (!r.ok) assert.fail(`${text}: ${r.problem.detail}`);
  return r.value;
}

const H = 3_600_000;

describe('parseDuration (clause 4.5.19.1)', () => {
  it('parseDuration should give months and milliseconds when given each element', () => {
    assert.deepEqual(parsed('P3Y6M4DT12H30M5S'), { months: 42, millis: ((4 * 24 + 12) * 60 + 30) * 60_000 + 5000 });
    assert.deepEqual(parsed('PT1H'), { months: 0, millis: H });
    assert.deepEqual(parsed('PT4M'), { months: 0, millis: 240_000 });
    assert.deepEqual(parsed('P1D'), { months: 0, millis: 24 * H });
    assert.deepEqual(parsed('P2W'), { months: 0, millis: 14 * 24 * H });
    assert.deepEqual(parsed('P1M'), { months: 1, millis: 0 });
    assert.deepEqual(parsed('PT0.5S'), { months: 0, millis: 500 });
    assert.deepEqual(parsed('PT1,25S'), { months: 0, millis: 1250 });
  });

  it('parseDuration should accept a zero duration when it is PT0S or P0D', () => {
    assert.ok(isZero(parsed('PT0S')));
    assert.ok(isZero(parsed('P0D')));
    assert.ok(!isZero(parsed('PT1S')));
  });

  it('parseDuration should answer BadRequestData naming the text when it is not of the form the spec allows', () => {
    for (const bad of ['', 'P', 'PT', 'P1DT', '1H', 'PT1H30', 'P1W2D', 'P1.5D', 'PT-1H', 'p1d', 'P1H', 'PT1D', 'R2/PT1H', '2024-01-01/P1D', 'P0001-02-03', ' PT1H', 'PT1H ', 'P1234567890D']) {
      const r = parseDuration(bad);
      assert.equal(r.ok, false, bad);
      if (!r.ok) {
        assert.equal(r.problem.kind, 'BadRequestData');
        assert.match(r.problem.detail, /aggrPeriodDuration .* is not an ISO 8601 duration/);
      }
    }
  });

  it('parseDuration should never throw and accept exactly the grammar when given arbitrary text', () => {
    const grammar = /^P(?:\d{1,9}W|(?=\d|T\d)(?:\d{1,9}Y)?(?:\d{1,9}M)?(?:\d{1,9}D)?(?:T(?=\d)(?:\d{1,9}H)?(?:\d{1,9}M)?(?:\d{1,9}(?:[.,]\d{1,3})?S)?)?)$/;
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^P[0-9YMWDTHS.,]{0,12}$/)), (s) => {
        const r = parseDuration(s);
        assert.equal(r.ok, grammar.test(s), s);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseDuration should give back the elements it is built from when given a generated duration', () => {
    const n = fc.integer({ min: 0, max: 999 });
    fc.assert(
      fc.property(n, n, n, n, n, n, (y, mo, d, h, mi, s) => {
        const text = `P${y}Y${mo}M${d}DT${h}H${mi}M${s}S`;
        assert.deepEqual(parsed(text), { months: y * 12 + mo, millis: (((d * 24 + h) * 60 + mi) * 60 + s) * 1000 });
      }),
    );
  });

  it('pgInterval and shortestMillis should express the duration exactly and bound its length', () => {
    assert.equal(pgInterval(parsed('P1Y2MT3S')), '14 months 3000 milliseconds');
    assert.equal(shortestMillis(parsed('P1MT1H')), 28 * 24 * H + H);
  });

  it('before should step back calendar months in UTC and clamp to the end of a shorter month', () => {
    assert.equal(before(Date.UTC(2024, 2, 31, 10), parsed('P1M')), Date.UTC(2024, 1, 29, 10));
    assert.equal(before(Date.UTC(2024, 0, 15), parsed('P1Y')), Date.UTC(2023, 0, 15));
    assert.equal(before(Date.UTC(2024, 0, 15), parsed('P90D')), Date.UTC(2024, 0, 15) - 90 * 24 * H);
  });
});
