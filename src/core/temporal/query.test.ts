import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AGGREGATION_METHODS, parseTemporalQuery, parseTemporalRepresentation, TIME_PROPERTIES, type TemporalQueryInput } from './query.js';

const A = '2024-05-01T10:00:00Z';
const B = '2024-05-02T10:00:00Z';

function detail(r: { ok: boolean; problem?: { kind: string; detail: string } }): string {
  assert.equal(r.ok, false);
  assert.equal(r.problem?.kind, 'BadRequestData');
  return r.problem?.detail ?? '';
}

describe('parseTemporalQuery (clauses 4.11, 5.2.21)', () => {
  it('parseTemporalQuery should give the interval in milliseconds when timerel and its times are given', () => {
    assert.deepEqual(parseTemporalQuery({ timerel: 'before', timeAt: A }, { required: true }), {
      ok: true,
      value: { timeproperty: 'observedAt', interval: { timerel: 'before', timeAt: Date.parse(A) } },
    });
    const between = parseTemporalQuery({ timerel: 'between', timeAt: A, endTimeAt: B, timeproperty: 'modifiedAt', lastN: '3' }, { required: true });
    assert.deepEqual(between, {
      ok: true,
      value: { timeproperty: 'modifiedAt', interval: { timerel: 'between', timeAt: Date.parse(A), endTimeAt: Date.parse(B) }, lastN: 3 },
    });
    assert.deepEqual(parseTemporalQuery({ lastN: 2 }, { required: false }), { ok: true, value: { timeproperty: 'observedAt', lastN: 2 } });
  });

  it('parseTemporalQuery should name what is wrong when the temporal query is malformed', () => {
    const cases: Array<[TemporalQueryInput, boolean, RegExp]> = [
      [{}, true, /needs timerel/],
      [{ timerel: 'after' }, false, /timerel=after needs timeAt/],
      [{ timeAt: A }, false, /timeAt needs timerel/],
      [{ endTimeAt: A }, false, /endTimeAt needs timerel=between/],
      [{ timerel: 'around', timeAt: A }, false, /timerel must be before, after or between/],
      [{ timerel: 'between', timeAt: A }, false, /needs endTimeAt/],
      [{ timerel: 'between', timeAt: B, endTimeAt: A }, false, /endTimeAt must be later than timeAt/],
      [{ timerel: 'between', timeAt: A, endTimeAt: A }, false, /endTimeAt must be later than timeAt/],
      [{ timerel: 'before', timeAt: A, endTimeAt: B }, false, /applies to timerel=between only/],
      [{ timerel: 'after', timeAt: '2024-02-30T00:00:00Z' }, false, /timeAt "2024-02-30T00:00:00Z" is not a DateTime/],
      [{ timerel: 'after', timeAt: 17 }, false, /timeAt 17 is not a DateTime/],
      [{ timeproperty: 'updatedAt' }, false, /timeproperty must be one of observedAt, createdAt, modifiedAt, deletedAt/],
      [{ lastN: '0' }, false, /lastN must be a positive integer/],
      [{ lastN: 'ten' }, false, /lastN must be a positive integer/],
      [{ lastN: 2.5 }, false, /lastN must be a positive integer/],
      [{ lastN: '99999999999999999' }, false, /lastN must be a positive integer/],
    ];
    for (const [input, required, re] of cases) assert.match(detail(parseTemporalQuery(input, { required })), re, JSON.stringify(input));
  });

  it('parseTemporalQuery should never throw and give BadRequestData or a query when given arbitrary members', () => {
    const member = fc.oneof(fc.constant(undefined), fc.string(), fc.integer(), fc.constantFrom('before', 'after', 'between', A, B, '5', ...TIME_PROPERTIES));
    fc.assert(
      fc.property(member, member, member, member, member, fc.boolean(), (timerel, timeAt, endTimeAt, timeproperty, lastN, required) => {
        const r = parseTemporalQuery({ timerel, timeAt, endTimeAt, timeproperty, lastN }, { required });
        if (!r.ok) assert.equal(r.problem.kind, 'BadRequestData');
        else if (r.value.interval?.endTimeAt !== undefined) assert.ok(r.value.interval.endTimeAt > r.value.interval.timeAt);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseTemporalQuery should accept every valid combination when generated from the grammar', () => {
    const time = fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
    fc.assert(
      fc.property(fc.constantFrom('before', 'after', 'between'), time, time, fc.constantFrom(...TIME_PROPERTIES), fc.integer({ min: 1, max: 1e6 }), (timerel, x, y, timeproperty, lastN) => {
        const [timeAt, endTimeAt] = x < y ? [x, y] : [y, x];
        if (timerel === 'between' && timeAt === endTimeAt) return;
        const r = parseTemporalQuery({ timerel, timeAt, endTimeAt: timerel === 'between' ? endTimeAt : undefined, timeproperty, lastN: String(lastN) }, { required: true });
        assert.ok(r.ok, r.ok ? '' : r.problem.detail);
      }),
    );
  });
});

describe('parseTemporalRepresentation (clause 6.3.12)', () => {
  it('parseTemporalRepresentation should choose the representation when format or options name one', () => {
    assert.deepEqual(parseTemporalRepresentation({}), { ok: true, value: { format: 'normalized', sysAttrs: false } });
    assert.deepEqual(parseTemporalRepresentation({ options: ['temporalValues', 'sysAttrs'] }), { ok: true, value: { format: 'temporalValues', sysAttrs: true } });
    // format takes precedence over the deprecated options
    assert.deepEqual(parseTemporalRepresentation({ options: ['aggregatedValues'], format: 'temporalValues' }), { ok: true, value: { format: 'temporalValues', sysAttrs: false } });
    const agg = parseTemporalRepresentation({ format: 'aggregatedValues', aggrMethods: 'avg,max,avg', aggrPeriodDuration: 'PT1H' });
    assert.deepEqual(agg, { ok: true, value: { format: 'aggregatedValues', sysAttrs: false, aggregation: { methods: ['avg', 'max'], period: { months: 0, millis: 3_600_000 } } } });
    const body = parseTemporalRepresentation({ options: ['aggregatedValues'], aggrMethods: ['sum'] });
    assert.deepEqual(body.ok && body.value.aggregation, { methods: ['sum'], period: { months: 0, millis: 0 } });
  });

  it('parseTemporalRepresentation should name what is wrong when the representation is malformed', () => {
    const cases: Array<[Parameters<typeof parseTemporalRepresentation>[0], RegExp]> = [
      [{ options: ['temporalValues', 'aggregatedValues'] }, /Conflicting representations/],
      [{ options: ['concise'] }, /Option "concise" is not known/],
      [{ format: 'keyValues' }, /format must be one of/],
      [{ format: 'aggregatedValues' }, /needs aggrMethods/],
      [{ format: 'aggregatedValues', aggrMethods: '' }, /is not one of/],
      [{ format: 'aggregatedValues', aggrMethods: [] }, /comma-separated list/],
      [{ format: 'aggregatedValues', aggrMethods: 'mean' }, /"mean", which is not one of totalCount/],
      [{ format: 'aggregatedValues', aggrMethods: 'avg', aggrPeriodDuration: 'hourly' }, /not an ISO 8601 duration/],
      [{ format: 'aggregatedValues', aggrMethods: 'avg', aggrPeriodDuration: 3600 }, /aggrPeriodDuration must be a string/],
      [{ aggrMethods: 'avg' }, /applies only to the aggregated representation/],
      [{ format: 'temporalValues', aggrPeriodDuration: 'PT1H' }, /applies only to the aggregated representation/],
    ];
    for (const [input, re] of cases) assert.match(detail(parseTemporalRepresentation(input)), re, JSON.stringify(input));
  });

  it('parseTemporalRepresentation should never throw when given arbitrary parameters', () => {
    const word = fc.oneof(fc.string(), fc.constantFrom('temporalValues', 'aggregatedValues', 'sysAttrs', 'normalized', ...AGGREGATION_METHODS, 'PT1H', 'P1M'));
    fc.assert(
      fc.property(fc.option(fc.array(word)), fc.option(word), fc.option(fc.oneof(word, fc.array(word))), fc.option(word), (options, format, aggrMethods, aggrPeriodDuration) => {
        const r = parseTemporalRepresentation({ options: options ?? undefined, format: format ?? undefined, aggrMethods: aggrMethods ?? undefined, aggrPeriodDuration: aggrPeriodDuration ?? undefined });
        if (!r.ok) assert.equal(r.problem.kind, 'BadRequestData');
        else assert.equal(r.value.aggregation !== undefined, r.value.format === 'aggregatedValues');
      }),
      { numRuns: 3000 },
    );
  });
});
