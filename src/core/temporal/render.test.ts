import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TermMap } from '../context/termmap.js';
import { Kind, typeBit } from './instance.js';
import { AGGREGATION_METHODS } from './query.js';
import { eligible, renderTemporalEntity, type EvolutionData } from './render.js';

const V = 'https://example.org/';
/** Terms are the IRIs under V without it. */
const tm: TermMap = { userContext: [], expand: (t) => `${V}${t}`, compact: (iri) => (iri.startsWith(V) ? iri.slice(V.length) : iri) };
const at = (m: number) => Date.UTC(2024, 0, 1, 0, m);
const iso = (m: number) => new Date(at(m)).toISOString();

const data: EvolutionData = {
  entity: { id: 'urn:ngsi-ld:Car:1', types: [`${V}Car`], createdAt: iso(0), modifiedAt: iso(9), deletedAt: iso(9) },
  instances: {
    [`${V}speed`]: [
      { instanceId: 'urn:ngsi-ld:i1', attribute: { type: 'Property', value: 1, observedAt: iso(1), createdAt: iso(0), modifiedAt: iso(1) }, time: at(1) },
      { instanceId: 'urn:ngsi-ld:i2', attribute: { type: 'Property', value: 'urn:ngsi-ld:null', createdAt: iso(0), modifiedAt: iso(9), deletedAt: iso(9) }, time: at(9) },
    ],
  },
  aggregated: {
    [`${V}speed`]: [
      { periods: [{ start: at(0), end: at(5), kinds: Kind.number | typeBit('Property'), values: { avg: 1.5, sum: 3 } }] },
      { datasetId: 'urn:ds:2', periods: [{ start: at(0), end: at(5), kinds: Kind.number | typeBit('Property'), values: { avg: 2, sum: 2 } }] },
    ],
  },
};

describe('renderTemporalEntity (clauses 4.5.7–4.5.9, 4.5.19)', () => {
  it('renderTemporalEntity should give instances with instanceId and deletedAt only with sysAttrs when normalized', () => {
    const plain = renderTemporalEntity(data, tm, { format: 'normalized', sysAttrs: false });
    assert.deepEqual(plain, {
      id: 'urn:ngsi-ld:Car:1',
      type: 'Car',
      speed: [
        { type: 'Property', value: 1, observedAt: iso(1), instanceId: 'urn:ngsi-ld:i1' },
        { type: 'Property', value: 'urn:ngsi-ld:null', instanceId: 'urn:ngsi-ld:i2' },
      ],
    });
    const sys = renderTemporalEntity(data, tm, { format: 'normalized', sysAttrs: true }) as Record<string, any>;
    assert.equal(sys.deletedAt, iso(9));
    assert.equal(sys.speed[1].deletedAt, iso(9));
    assert.equal(sys.speed[0].createdAt, iso(0));
  });

  it('renderTemporalEntity should keep only the members picked when pick is given', () => {
    assert.deepEqual(Object.keys(renderTemporalEntity(data, tm, { format: 'temporalValues', sysAttrs: false, pick: new Set([`${V}speed`]) })), ['speed']);
    assert.deepEqual(Object.keys(renderTemporalEntity(data, tm, { format: 'temporalValues', sysAttrs: false, omit: new Set(['id', `${V}speed`]) })), ['type']);
  });

  it('renderTemporalEntity should give one object per dataset with triples per method when aggregated', () => {
    const out = renderTemporalEntity(data, tm, { format: 'aggregatedValues', sysAttrs: false, methods: ['avg', 'sum'] });
    assert.deepEqual(out.speed, [
      { type: 'Property', avg: [[1.5, iso(0), iso(5)]], sum: [[3, iso(0), iso(5)]] },
      { type: 'Property', avg: [[2, iso(0), iso(5)]], sum: [[2, iso(0), iso(5)]], datasetId: 'urn:ds:2' },
    ]);
  });
});

describe('eligible (tables 4.5.19.1-1 to -3)', () => {
  it('eligible should follow the tables of clause 4.5.19.1 for each kind of value', () => {
    const table: Array<[number, string[]]> = [
      [Kind.number, ['totalCount', 'distinctCount', 'sum', 'avg', 'min', 'max', 'stddev', 'sumsq']],
      [Kind.array, ['totalCount', 'distinctCount', 'sum', 'avg', 'min', 'max']],
      [Kind.dateTime, ['totalCount', 'distinctCount', 'avg', 'min', 'max']],
      [Kind.string, ['totalCount', 'distinctCount', 'min', 'max']],
      [Kind.other, ['totalCount', 'distinctCount']],
      [Kind.relationship, ['totalCount', 'distinctCount']],
      [Kind.number | Kind.string, ['totalCount', 'distinctCount']],
      [0, ['totalCount', 'distinctCount']],
    ];
    for (const [mask, methods] of table) assert.deepEqual(AGGREGATION_METHODS.filter((m) => eligible(m, mask)), methods, String(mask));
  });
});
