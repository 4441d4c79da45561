/**
 * The aggregated temporal representation (clause 4.5.19) over HTTP on both engines, checked against values this
 * test computes itself from the instances it sent: every method of table 4.5.19.1-1 per period on numbers,
 * booleans, strings, arrays and DateTimes, Relationship counts (table 4.5.19.1-3), periods from timeAt or from the
 * first instance, calendar periods, a zero duration, lastN periods, and the InvalidRequest of clause 5.7.4.4.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { API, assertProblem, describeApi, send, uniqueId } from '../support/http.js';

const T = `${API}/temporal/entities`;
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 2, 1);
const iso = (ms: number) => new Date(ms).toISOString();

/** A seeded PRNG (mulberry32), so that every run sends the same instances. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sample {
  t: number;
  v: number;
}

/** What each method gives for a list of numbers, computed here from the definitions. */
function expected(values: number[]) {
  const n = values.length;
  const sum = values.reduce((a, b) => a + b, 0);
  const avg = sum / n;
  const stddev = n < 2 ? null : Math.sqrt(values.reduce((a, b) => a + (b - avg) ** 2, 0) / (n - 1));
  return {
    totalCount: n,
    distinctCount: new Set(values).size,
    sum,
    avg,
    min: Math.min(...values),
    max: Math.max(...values),
    stddev,
    sumsq: values.reduce((a, b) => a + b * b, 0),
  };
}

type Triple = [unknown, string, string];

function close(actual: unknown, want: number | null, what: string): void {
  if (want === null) return assert.equal(actual, null, what);
  assert.equal(typeof actual, 'number', what);
  assert.ok(Math.abs((actual as number) - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${what}: ${actual} ≠ ${want}`);
}

describeApi('Aggregated temporal representation (4.5.19)', (h) => {
  const tag = uniqueId('Agg').replace(/\W/g, '');
  const type = `Meter${tag}`;
  const id = `urn:ngsi-ld:${type}:1`;
  const rnd = prng(4519);
  // three days of readings at irregular times, integers so that distinct counts are meaningful
  const readings: Sample[] = [];
  for (let t = T0 + 17_000; t < T0 + 72 * HOUR; t += Math.floor(rnd() * 40 * 60_000) + 60_000) readings.push({ t, v: Math.floor(rnd() * 50) - 10 });
  const flags = readings.filter((_, i) => i % 3 === 0).map((r, i) => ({ t: r.t, v: i % 4 === 0 }));
  const words = ['delta', 'alpha', 'charlie', 'bravo'];
  const arrays = readings.filter((_, i) => i % 5 === 0).map((r, i) => ({ t: r.t, v: Array.from({ length: (i % 4) + 1 }, (_, k) => k) }));
  const times = readings.filter((_, i) => i % 7 === 0).map((r) => ({ t: r.t, v: iso(r.t - 30 * 60_000) }));

  before(async () => {
    const at = (t: number) => iso(t);
    const res = await send(h().app, 'POST', T, {
      id,
      type,
      reading: readings.map((r) => ({ type: 'Property', value: r.v, observedAt: at(r.t) })),
      open: flags.map((r) => ({ type: 'Property', value: r.v, observedAt: at(r.t) })),
      status: readings.map((r, i) => ({ type: 'Property', value: words[i % 4], observedAt: at(r.t) })),
      batch: arrays.map((r) => ({ type: 'Property', value: r.v, observedAt: at(r.t) })),
      lastSeen: times.map((r) => ({ type: 'Property', value: { '@type': 'DateTime', '@value': r.v }, observedAt: at(r.t) })),
      servedBy: readings.map((r, i) => ({ type: 'Relationship', object: `urn:ngsi-ld:Server:${i % 3}`, observedAt: at(r.t) })),
    });
    assert.equal(res.statusCode, 201, res.body);
  });

  const get = (query: string) => h().app.inject({ method: 'GET', url: `${T}/${encodeURIComponent(id)}?${query}` });
  const between = (from: number, to: number) => `timerel=between&timeAt=${iso(from)}&endTimeAt=${iso(to)}`;
  const methods = 'totalCount,distinctCount,sum,avg,min,max,stddev,sumsq';

  /** The samples per period of `step` from `origin`, in time order, empty periods left out. */
  function periods<V>(samples: Array<{ t: number; v: V }>, origin: number, step: number, end = Infinity) {
    const by = new Map<number, V[]>();
    for (const s of samples) {
      if (s.t < origin || s.t >= end) continue;
      const k = Math.floor((s.t - origin) / step);
      by.set(k, [...(by.get(k) ?? []), s.v]);
    }
    return [...by].sort((a, b) => a[0] - b[0]).map(([k, vs]) => ({ start: origin + k * step, end: origin + (k + 1) * step, values: vs }));
  }

  it('retrieve temporal should give every method per period when the values are numbers', async () => {
    const res = await get(`${between(T0, T0 + 72 * HOUR)}&attrs=reading&format=aggregatedValues&aggrMethods=${methods}&aggrPeriodDuration=PT6H`);
    assert.equal(res.statusCode, 200, res.body);
    const reading = res.json().reading as Record<string, Triple[]>;
    assert.equal(reading.type, 'Property');
    const want = periods(readings, T0, 6 * HOUR);
    assert.equal(want.length, 12);
    for (const m of methods.split(',') as Array<keyof ReturnType<typeof expected>>) {
      assert.equal(reading[m].length, want.length, m);
      reading[m].forEach(([v, start, end], k) => {
        assert.equal(start, iso(want[k].start));
        assert.equal(end, iso(want[k].end));
        close(v, expected(want[k].values)[m], `${m} of period ${k}`);
      });
    }
  });

  it('query temporal should aggregate per hour over the range when aggrPeriodDuration is PT1H', async () => {
    const res = await h().app.inject({
      method: 'GET',
      url: `${T}?type=${type}&${between(T0, T0 + 24 * HOUR)}&attrs=reading&options=aggregatedValues&aggrMethods=avg,sum&aggrPeriodDuration=PT1H`,
    });
    assert.equal(res.statusCode, 200, res.body);
    const [e] = res.json() as Array<Record<string, Record<string, Triple[]>>>;
    const want = periods(readings, T0, HOUR, T0 + 24 * HOUR);
    assert.deepEqual(
      e.reading.avg.map((x) => x[1]),
      want.map((w) => iso(w.start)),
    );
    e.reading.avg.forEach(([v], k) => close(v, expected(want[k].values).avg, `avg ${k}`));
    e.reading.sum.forEach(([v], k) => close(v, expected(want[k].values).sum, `sum ${k}`));
  });

  it('retrieve temporal should start periods at the first instance when timerel is before', async () => {
    const end = T0 + 30 * HOUR;
    const res = await get(`timerel=before&timeAt=${iso(end)}&attrs=reading&format=aggregatedValues&aggrMethods=totalCount,max&aggrPeriodDuration=PT10H`);
    assert.equal(res.statusCode, 200, res.body);
    const first = readings[0].t;
    const want = periods(readings, first, 10 * HOUR, end);
    const got = res.json().reading.totalCount as Triple[];
    assert.deepEqual(got, want.map((w) => [w.values.length, iso(w.start), iso(w.end)]));
  });

  it('retrieve temporal should give one period over the whole range when the duration is zero', async () => {
    for (const d of ['PT0S', 'P0D', undefined]) {
      const res = await get(`${between(T0 + HOUR, T0 + 50 * HOUR)}&attrs=reading&format=aggregatedValues&aggrMethods=avg,totalCount${d ? `&aggrPeriodDuration=${d}` : ''}`);
      assert.equal(res.statusCode, 200, res.body);
      const inRange = readings.filter((r) => r.t >= T0 + HOUR && r.t < T0 + 50 * HOUR).map((r) => r.v);
      const r = res.json().reading;
      assert.deepEqual(r.totalCount, [[inRange.length, iso(T0 + HOUR), iso(T0 + 50 * HOUR)]]);
      close(r.avg[0][0], expected(inRange).avg, 'avg');
    }
  });

  it('retrieve temporal should keep the last n periods when lastN is given with aggregation', async () => {
    const res = await get(`${between(T0, T0 + 72 * HOUR)}&attrs=reading&format=aggregatedValues&aggrMethods=totalCount&aggrPeriodDuration=P1D&lastN=2`);
    const want = periods(readings, T0, 24 * HOUR).slice(-2);
    assert.deepEqual(res.json().reading.totalCount, want.map((w) => [w.values.length, iso(w.start), iso(w.end)]));
  });

  it('retrieve temporal should count booleans as 1 and 0 when the values are booleans', async () => {
    const res = await get(`${between(T0, T0 + 72 * HOUR)}&attrs=open&format=aggregatedValues&aggrMethods=sum,avg,min,max&aggrPeriodDuration=P1D`);
    assert.equal(res.statusCode, 200, res.body);
    const want = periods(flags.map((f) => ({ t: f.t, v: f.v ? 1 : 0 })), T0, 24 * HOUR);
    const open = res.json().open;
    for (const m of ['sum', 'avg', 'min', 'max'] as const) open[m].forEach(([v]: Triple, k: number) => close(v, expected(want[k].values)[m], `${m} ${k}`));
  });

  it('retrieve temporal should give lexicographic min and max and distinct counts when the values are strings', async () => {
    const res = await get(`${between(T0, T0 + 72 * HOUR)}&attrs=status&format=aggregatedValues&aggrMethods=min,max,distinctCount,totalCount&aggrPeriodDuration=PT12H`);
    assert.equal(res.statusCode, 200, res.body);
    const want = periods(readings.map((r, i) => ({ t: r.t, v: words[i % 4] })), T0, 12 * HOUR);
    const status = res.json().status;
    status.min.forEach(([v]: Triple, k: number) => assert.equal(v, [...want[k].values].sort()[0]));
    status.max.forEach(([v]: Triple, k: number) => assert.equal(v, [...want[k].values].sort().at(-1)));
    status.distinctCount.forEach(([v]: Triple, k: number) => assert.equal(v, new Set(want[k].values).size));
    status.totalCount.forEach(([v]: Triple, k: number) => assert.equal(v, want[k].values.length));
  });

  it('retrieve temporal should aggregate array sizes when the values are arrays', async () => {
    const res = await get(`${between(T0, T0 + 72 * HOUR)}&attrs=batch&format=aggregatedValues&aggrMethods=sum,avg,min,max&aggrPeriodDuration=P1D`);
    assert.equal(res.statusCode, 200, res.body);
    const want = periods(arrays.map((a) => ({ t: a.t, v: a.v.length })), T0, 24 * HOUR);
    for (const m of ['sum', 'avg', 'min', 'max'] as const) res.json().batch[m].forEach(([v]: Triple, k: number) => close(v, expected(want[k].values)[m], `${m} ${k}`));
  });

  it('retrieve temporal should give DateTimes for avg, min and max when the values are DateTimes', async () => {
    const res = await get(`${between(T0, T0 + 72 * HOUR)}&attrs=lastSeen&format=aggregatedValues&aggrMethods=avg,min,max&aggrPeriodDuration=P1D`);
    assert.equal(res.statusCode, 200, res.body);
    const want = periods(times.map((x) => ({ t: x.t, v: Date.parse(x.v) })), T0, 24 * HOUR);
    const seen = res.json().lastSeen;
    seen.min.forEach(([v]: Triple, k: number) => assert.equal(v, iso(Math.min(...want[k].values))));
    seen.max.forEach(([v]: Triple, k: number) => assert.equal(v, iso(Math.max(...want[k].values))));
    seen.avg.forEach(([v]: Triple, k: number) => assert.equal(v, iso(Math.round(expected(want[k].values).avg))));
  });

  it('retrieve temporal should count targets when the attribute is a Relationship', async () => {
    const res = await get(`${between(T0, T0 + 72 * HOUR)}&attrs=servedBy&format=aggregatedValues&aggrMethods=distinctCount,totalCount&aggrPeriodDuration=PT3H`);
    assert.equal(res.statusCode, 200, res.body);
    const want = periods(readings.map((r, i) => ({ t: r.t, v: i % 3 })), T0, 3 * HOUR);
    const served = res.json().servedBy;
    assert.equal(served.type, 'Relationship');
    assert.deepEqual(served.distinctCount, want.map((w) => [new Set(w.values).size, iso(w.start), iso(w.end)]));
    assert.deepEqual(served.totalCount, want.map((w) => [w.values.length, iso(w.start), iso(w.end)]));
  });

  it('retrieve temporal should answer 400 InvalidRequest when a named attribute does not take a method', async () => {
    for (const [attr, m] of [['status', 'avg'], ['servedBy', 'sum'], ['batch', 'stddev'], ['lastSeen', 'sumsq']]) {
      const res = await get(`${between(T0, T0 + 72 * HOUR)}&attrs=${attr}&format=aggregatedValues&aggrMethods=${m}&aggrPeriodDuration=P1D`);
      assertProblem(res, 400, 'InvalidRequest');
    }
  });

  it('retrieve temporal should leave out the methods an attribute does not take when attrs is not given', async () => {
    const res = await get(`${between(T0, T0 + 72 * HOUR)}&format=aggregatedValues&aggrMethods=avg,totalCount&aggrPeriodDuration=P3D`);
    assert.equal(res.statusCode, 200, res.body);
    const e = res.json();
    assert.ok(e.reading.avg && e.reading.totalCount);
    assert.equal(e.status.avg, undefined);
    assert.deepEqual(e.status.totalCount, [[readings.length, iso(T0), iso(T0 + 72 * HOUR)]]);
    assert.equal(e.servedBy.avg, undefined);
  });

  it('retrieve temporal should step through calendar months when the duration has months', async () => {
    const mid = `urn:ngsi-ld:${type}:months`;
    const days = [Date.UTC(2023, 0, 31), Date.UTC(2023, 1, 15), Date.UTC(2023, 1, 28, 23), Date.UTC(2023, 2, 1), Date.UTC(2023, 4, 20)];
    const res0 = await send(h().app, 'POST', T, { id: mid, type, level: days.map((t, i) => ({ type: 'Property', value: i + 1, observedAt: iso(t) })) });
    assert.equal(res0.statusCode, 201, res0.body);
    const res = await h().app.inject({
      method: 'GET',
      url: `${T}/${encodeURIComponent(mid)}?timerel=after&timeAt=${iso(Date.UTC(2023, 0, 1))}&format=aggregatedValues&aggrMethods=sum&aggrPeriodDuration=P1M`,
    });
    assert.equal(res.statusCode, 200, res.body);
    const m = (y: number, mo: number) => iso(Date.UTC(y, mo, 1));
    assert.deepEqual(res.json().level.sum, [
      [1, m(2023, 0), m(2023, 1)],
      [5, m(2023, 1), m(2023, 2)],
      [4, m(2023, 2), m(2023, 3)],
      [5, m(2023, 4), m(2023, 5)],
    ]);
  });
});
