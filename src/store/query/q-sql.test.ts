/**
 * qSql (NGSI-LD Query Language, clause 4.9) on every engine, through store.queryEntities: each kind of term and
 * value, sub-attributes, meta members, compound values, language maps, vocab terms, relationships with one or
 * several objects, linked entities, several instances of one attribute, date-times, and values of another type
 * than the term's, which never match and never fail. Properties: no AST fails on stored data of any shape, and
 * an equality answered by JSON containment agrees with its negation answered by the general form.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import fc from 'fast-check';
import { forEachEngine } from '../../../test/support/engines.js';
import type { TermMap } from '../../core/context/termmap.js';
import type { Entity } from '../../core/entity/model.js';
import { parseEntity } from '../../core/entity/parse.js';
import type { QExpr, QPath, QValue } from '../../core/query/q-ast.js';
import { parseQ } from '../../core/query/q.js';
import { EX, qArb, termMap, valueArb, VOCAB } from '../../core/query/query-fixtures.test-util.js';
import { StoreQueryError } from '../errors.js';
import { SqlParams } from '../sql-params.js';
import { qSql } from './q-sql.js';
import { storable } from './q-sql-values.js';
import { insertOddRows, shapes } from './q-sql-shapes.test-util.js';

let tm: TermMap;
before(async () => {
  tm = await termMap();
});

/** `Car` is a term of the test @context (ex:Car). */
const Car = { kind: 'type', iri: `${EX}Car` } as const;

/** Entities of the examples, as clients send them (normalized NGSI-LD, default @context). */
const bodies: Array<[string, Record<string, unknown>]> = [
  [
    '2024-01-01T00:00:00Z',
    {
      id: 'urn:car:1',
      type: 'Car',
      speed: { type: 'Property', value: 80, unitCode: 'KMH', observedAt: '2024-01-01T10:00:00Z', accuracy: { type: 'Property', value: 0.5 } },
      brandName: { type: 'Property', value: 'Mercedes' },
      color: { type: 'LanguageProperty', languageMap: { en: 'red', fr: 'rouge' } },
      tags: { type: 'Property', value: ['city', 'electric'] },
      address: { type: 'Property', value: { city: 'Berlin', zip: { code: '10115' } } },
      isParked: { type: 'Relationship', object: 'urn:park:1', providedBy: { type: 'Relationship', object: 'urn:person:bob' } },
      category: { type: 'VocabProperty', vocab: 'Electric' },
      fuel: { type: 'Property', value: 'Electric' },
      dateObserved: { type: 'Property', value: { '@type': 'DateTime', '@value': '2024-03-01T12:00:00+02:00' } },
      birthDate: { type: 'Property', value: { '@type': 'Date', '@value': '2020-05-17' } },
      opening: { type: 'Property', value: '08:30:00' },
      active: { type: 'Property', value: true },
      measures: { type: 'ListProperty', valueList: [1, 2, 3] },
      config: { type: 'JsonProperty', json: { mode: 'eco', level: 3 } },
      friends: { type: 'ListRelationship', objectList: [{ object: 'urn:car:2' }] },
    },
  ],
  [
    '2024-02-01T00:00:00Z',
    {
      id: 'urn:car:2',
      type: 'Car',
      speed: { type: 'Property', value: 'fast' },
      brandName: 'Volvo',
      color: { type: 'LanguageProperty', languageMap: { en: ['blue', 'navy'] } },
      tags: { type: 'Property', value: ['city'] },
      address: { type: 'Property', value: { city: 'Paris' } },
      isParked: { type: 'Relationship', object: ['urn:park:1', 'urn:park:2'] },
      category: { type: 'VocabProperty', vocab: ['Diesel', 'Hybrid'] },
      fuel: 'Diesel',
      dateObserved: '2024-03-01T10:00:00Z',
      birthDate: '2019-01-01',
      opening: '09:00:00Z',
      active: false,
      measures: { type: 'ListProperty', valueList: [5] },
      config: { type: 'JsonProperty', json: [{ mode: 'sport' }] },
    },
  ],
  [
    '2024-03-01T00:00:00Z',
    {
      id: 'urn:car:3',
      type: 'Car',
      speed: [
        { type: 'Property', value: 30 },
        { type: 'Property', value: 120, datasetId: 'urn:ds:radar', observedAt: '2024-01-02T10:00:00Z' },
      ],
      brandName: 'Mercedes-Benz',
      isParked: { type: 'Relationship', object: 'urn:park:2' },
      fuel: `${VOCAB}Petrol`,
      dateObserved: '2024-03-02T00:00:00Z',
    },
  ],
  [
    '2024-04-01T00:00:00Z',
    {
      id: 'urn:car:4',
      type: 'Car',
      speed: { type: 'Property', value: { max: 200 } },
      brandName: { type: 'Property', value: 5 },
      tags: { type: 'Property', value: [['city']] },
      dateObserved: '2020-02-30T00:00:00Z',
      birthDate: '2020-13-01',
      opening: '25:00:00',
    },
  ],
  ['2024-05-01T00:00:00Z', { id: 'urn:car:5', type: 'Car', dateObserved: '2024-03-01T10:00:00', isParked: { type: 'Relationship', object: 'urn:nowhere' } }],
  ['2024-01-01T00:00:00Z', { id: 'urn:park:1', type: 'Parking', totalSpots: 100, name: 'Downtown', owner: { type: 'Relationship', object: 'urn:person:bob' } }],
  ['2024-01-01T00:00:00Z', { id: 'urn:park:2', type: 'Garage', totalSpots: 20, name: 'Uptown', owner: { type: 'Relationship', object: 'urn:person:alice' } }],
  ['2024-01-01T00:00:00Z', { id: 'urn:person:bob', type: 'Person', name: 'Bob' }],
  ['2024-01-01T00:00:00Z', { id: 'urn:person:alice', type: 'Person', name: 'Alice' }],
];

function entities(): Entity[] {
  return bodies.map(([now, body]) => {
    const r = parseEntity(body, tm, now);
    if (!r.ok) assert.fail(`${String(body.id)}: ${r.problem.detail}`);
    return r.value;
  });
}

function q(text: string): QExpr {
  const r = parseQ(text, tm);
  if (!r.ok) assert.fail(`${text}: ${r.problem.detail}`);
  return r.value;
}

const cars = (...ns: number[]) => ns.map((n) => `urn:car:${n}`);

/** The IRIs of the paths of an AST, and those among its values. */
function iris(e: QExpr): { paths: string[]; values: string[] } {
  if (e.kind === 'and' || e.kind === 'or') {
    const all = e.items.map(iris);
    return { paths: all.flatMap((x) => x.paths), values: all.flatMap((x) => x.values) };
  }
  const values = e.kind === 'compare' ? [e.value] : e.kind === 'in' ? e.values : [];
  // an equality whose every value is a string PostgreSQL cannot hold matches nothing: it compiles to the
  // attribute test AND FALSE, without its sub-attributes
  const text = (v: QValue) => (v.kind === 'term' ? v.value : 'value' in v && typeof v.value === 'string' ? v.value : '');
  const vacuous = ((e.kind === 'compare' && e.op === '==') || (e.kind === 'in' && !e.negated)) && values.every((v) => !storable(text(v)));
  return {
    paths: vacuous ? [e.path.attr] : [e.path.attr, ...e.path.sub, ...e.path.via.flatMap((s) => [s.rel, ...s.types])],
    values: values.flatMap((v) => (v.kind === 'uri' ? [v.value] : v.kind === 'term' ? [v.iri] : [])),
  };
}

it('qSql should pass names and values as parameters, never in SQL text, when given any AST', () => {
  fc.assert(
    fc.property(qArb(tm), fc.array(fc.constantFrom(`${EX}speed`, `${VOCAB}a_1`)), (e, expandValues) => {
      const p = new SqlParams();
      const sql = qSql(e, p, 'e', { expandValues });
      const { paths, values } = iris(e);
      for (const iri of [...paths, ...values]) assert.ok(!sql.includes(iri), `${iri} is in the SQL text`);
      // a parameter, an element of one (type hints) or a name inside a containment pattern
      const passed = (iri: string) => p.values.some((v) => v === iri || (Array.isArray(v) && v.includes(iri)) || (typeof v === 'string' && v.includes(JSON.stringify(iri))));
      for (const iri of paths) assert.ok(passed(iri), `${iri} is not a parameter`);
    }),
    { numRuns: 300 },
  );
});

forEachEngine('qSql (clause 4.9)', (_engine, store, client) => {
  const tenant = `q-${randomUUID()}`;
  const odd = `q-odd-${randomUUID()}`;
  const normal = `q-shapes-${randomUUID()}`;

  before(async () => {
    await store().write(tenant, (tx) => tx.insert(entities()));
    await store().write(normal, (tx) => tx.insert(shapes.entities()));
    await insertOddRows(client(), odd);
  });

  async function ids(text: string, o: { expandValues?: string[]; cars?: boolean } = {}): Promise<string[]> {
    const { entities } = await store().queryEntities(tenant, {
      q: q(text),
      ...(o.cars === false ? {} : { type: Car }),
      ...(o.expandValues ? { expandValues: o.expandValues } : {}),
      limit: 100,
      offset: 0,
      count: false,
    });
    return entities.map((e) => e.id);
  }
  const expect = async (text: string, want: string[], o: { expandValues?: string[]; cars?: boolean } = {}) =>
    assert.deepEqual(await ids(text, o), want, text);

  it('exists should select entities with the attribute when the term is a bare name, and !name those without', async () => {
    await expect('speed', cars(1, 2, 3, 4));
    await expect('!speed', cars(5));
    await expect('speed;!fuel', cars(4));
    await expect('opening|isParked', cars(1, 2, 3, 4, 5));
  });

  it('compare should match numbers numerically when the attribute holds a number', async () => {
    await expect('speed==80', cars(1));
    await expect('speed==80.0', cars(1));
    await expect('speed>=80', cars(1, 3));
    await expect('speed<80', cars(3));
    await expect('speed<=30', cars(3));
    await expect('speed>1000', []);
  });

  it('compare should be true for != when the attribute exists and differs, even by type', async () => {
    await expect('speed!=80', cars(2, 3, 4));
    await expect('active!=true', cars(2));
    await expect('nothing!=1', []);
  });

  it('compare should never match a value of another type when the term is ordered or an equality', async () => {
    await expect('speed=="80"', []);
    await expect('speed>"a"', cars(2));
    await expect('brandName>3', cars(4));
    await expect('brandName==5', cars(4));
    await expect('speed==true', []);
    await expect('speed>2020-01-01T00:00:00Z', []);
  });

  it('compare should match any instance when the attribute has several datasetIds', async () => {
    await expect('speed>100', cars(3));
    await expect('speed==30', cars(3));
    await expect('speed.datasetId==urn:ds:radar', cars(3));
    await expect('speed.datasetId', cars(3));
  });

  it('compare should match booleans, list elements and JSON members when the attribute is a Property, ListProperty or JsonProperty', async () => {
    await expect('active==true', cars(1));
    await expect('active==false', cars(2));
    await expect('measures==2', cars(1));
    await expect('measures>4', cars(2));
    await expect('config[mode]=="eco"', cars(1));
    await expect('config[level]>=3', cars(1));
    await expect('config[mode]=="sport"', []);
  });

  it('compare should match any element when the value is an array, but not elements of nested arrays', async () => {
    await expect('tags=="electric"', cars(1));
    await expect('tags=="city"', cars(1, 2));
    await expect('tags!="electric"', cars(2, 4));
    await expect('tags>"d"', cars(1));
  });

  it('compare should follow compound-value keys when the path has brackets (examples 9 and 10)', async () => {
    await expect('address[city]=="Berlin"', cars(1));
    await expect('address[zip.code]=="10115"', cars(1));
    await expect('address[zip][code]~="^101"', cars(1));
    await expect('address[city]!="Berlin"', cars(2));
    await expect('address[country]', []);
    await expect('address[city]', cars(1, 2));
  });

  it('compare should read sub-attributes and meta members when the path is dotted (example 8)', async () => {
    await expect('speed.accuracy<1', cars(1));
    await expect('speed.accuracy', cars(1));
    await expect('speed.unitCode=="KMH"', cars(1));
    await expect('speed.unitCode!="KMH"', []);
    await expect('speed.observedAt>=2024-01-02T00:00:00Z', cars(3));
    await expect('speed.observedAt', cars(1, 3));
    await expect('speed.createdAt<2024-01-15T00:00:00Z', cars(1));
    await expect('speed.modifiedAt==2024-03-01T00:00:00Z', cars(3));
    await expect('isParked.providedBy==urn:person:bob', cars(1));
  });

  it('compare should read a LanguageProperty by language, or any language when none or * is given', async () => {
    await expect('color[en]=="red"', cars(1));
    await expect('color[fr]=="rouge"', cars(1));
    await expect('color=="rouge"', cars(1));
    await expect('color[*]=="navy"', cars(2));
    await expect('color[en]=="navy"', cars(2));
    await expect('color[en]!="red"', cars(2));
    await expect('color[de]', []);
    await expect('color[*]', cars(1, 2));
    await expect('color[en]~="^bl"', cars(2));
  });

  it('compare should match a term as a vocab IRI on a VocabProperty and as a string elsewhere (example 12)', async () => {
    await expect('category==Electric', cars(1));
    await expect('category==Hybrid', cars(2));
    await expect('category!=Electric', cars(2));
    await expect(`category==${VOCAB}Diesel`, cars(2));
    await expect('category=="Electric"', []);
    await expect('fuel==Electric', cars(1));
    await expect('fuel==Petrol', []);
  });

  it('compare should match a term as its IRI when the attribute is listed in expandValues', async () => {
    const expandValues = [`${VOCAB}fuel`];
    await expect('fuel==Electric', [], { expandValues });
    await expect('fuel==Petrol', cars(3), { expandValues });
    await expect('fuel!=Petrol', cars(1, 2), { expandValues });
    await expect('fuel==Petrol,Diesel', cars(3), { expandValues });
  });

  it('compare should match Relationship objects when they are one URI or several (multi-object)', async () => {
    await expect('isParked==urn:park:1', cars(1, 2));
    await expect('isParked=="urn:park:2"', cars(2, 3));
    await expect('isParked!=urn:park:1', cars(3, 5));
    await expect('friends==urn:car:2', cars(1));
    await expect('isParked[x]', []);
  });

  it('compare should evaluate the term on linked entities when the path follows a relationship (examples 13, 14)', async () => {
    await expect('isParked{totalSpots}>50', cars(1, 2));
    await expect('isParked{Garage:totalSpots}>10', cars(2, 3));
    await expect('isParked{Parking,Garage:totalSpots}==20', cars(2, 3));
    await expect('isParked{Parking:totalSpots}<50', []);
    await expect('isParked{owner{name}}=="Alice"', cars(2, 3));
    await expect('isParked{owner{Person:name}}~="^B"', cars(1, 2));
    await expect('isParked{name}', cars(1, 2, 3));
    await expect('!isParked{name}', cars(4, 5));
    await expect('friends{speed}==fast', cars(1));
  });

  it('compare should compare date-times as instants, whatever their zone or form, when the value is a dateTime', async () => {
    await expect('dateObserved==2024-03-01T10:00:00Z', cars(1, 2, 5));
    await expect('dateObserved==2024-03-01T11:00:00+01:00', cars(1, 2, 5));
    await expect('dateObserved==2024-03-01T10:00:00.000Z', cars(1, 2, 5));
    await expect('dateObserved>2024-03-01T10:00:00Z', cars(3));
    await expect('dateObserved<2024-03-01T00:00:00-20:00', cars(1, 2, 5));
    await expect('dateObserved!=2024-03-01T10:00:00Z', cars(3, 4));
    await expect('dateObserved==2024-03-01T00:00:00Z..2024-03-01T23:59:59Z', cars(1, 2, 5));
    await expect('dateObserved>0000-01-01T00:00:00-23:59', cars(1, 2, 3, 5));
    await expect('dateObserved=="2024-03-01T10:00:00Z"', cars(2));
  });

  it('compare should compare dates and times when the value is a date or a time, never invalid ones', async () => {
    await expect('birthDate<2020-01-01', cars(2));
    await expect('birthDate==2020-05-17', cars(1));
    await expect('birthDate>2020-06-01', []);
    await expect('opening<09:00:00', cars(1));
    await expect('opening==09:00:00', cars(2));
    await expect('opening>=08:30:00Z', cars(1, 2));
    await expect('opening>23:00:00', []);
  });

  it('range should include both ends when given min..max, and keep existing values outside it when negated', async () => {
    await expect('speed==30..80', cars(1, 3));
    await expect('speed!=30..80', cars(2, 3, 4));
    await expect('brandName=="A".."N"', cars(1, 3));
    await expect('brandName=="Mercedes".."Mercedes"', cars(1));
  });

  it('in should match any listed value when given a list, and none of them when negated', async () => {
    await expect('brandName=="Volvo","Mercedes"', cars(1, 2));
    await expect('brandName!="Volvo","Mercedes"', cars(3, 4));
    await expect('speed==80,120', cars(1, 3));
    await expect('speed==80,"fast"', cars(1, 2));
  });

  it('pattern should match strings with a PostgreSQL regular expression when given one, ignoring case after (?i)', async () => {
    await expect('brandName~="^Merc"', cars(1, 3));
    await expect('brandName~="(?i)^merc"', cars(1, 3));
    await expect('brandName~="^merc"', []);
    await expect('brandName!~="^Merc"', cars(2, 4));
    await expect('speed~="."', cars(2));
  });

  it('and/or should combine terms with ; binding tighter than | when both appear (examples 6 and 7)', async () => {
    await expect('speed>50;brandName~="^M"|active==false', cars(1, 2, 3));
    await expect('(speed>50|active==false);brandName~="^V"', cars(2));
  });

  it('queryEntities should reject with StoreQueryError when PostgreSQL rejects the regular expression', async () => {
    for (const re of ['"(?<n>x)"', '"\\p{L}"']) {
      await assert.rejects(ids(`brandName~=${re}`), StoreQueryError, re);
      // even when no stored string reaches the pattern
      await assert.rejects(ids(`nothing~=${re}`), StoreQueryError, re);
    }
  });

  it('queryEntities should answer or reject with a regex error only when q is any AST over data of any shape', async () => {
    const runs = { pass: 0, regex: 0 };
    await fc.assert(
      fc.asyncProperty(qArb(tm), async (e) => {
        try {
          await store().queryEntities(odd, { q: e, limit: 100, offset: 0, count: true });
          runs.pass++;
        } catch (err) {
          if (!(err instanceof StoreQueryError) || !/regular expression/.test(err.problem.detail)) throw err;
          runs.regex++;
        }
      }),
      { numRuns: 150 },
    );
    assert.ok(runs.pass > 100, `only ${runs.pass} queries ran`);
  });

  it('queryEntities should give == and != disjoint answers covering the entities where the target exists', async () => {
    const path = fc.record({
      attr: fc.constantFrom(...shapes.attrs),
      sub: fc.constantFrom<string[]>([], [shapes.sub]),
      keys: fc.constantFrom<string[]>([], ['k'], ['k', 'j'], ['en'], ['*']),
      member: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, fc.constantFrom('unitCode' as const, 'datasetId' as const, 'observedAt' as const)),
    });
    const value: fc.Arbitrary<QValue> = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...shapes.values) }, { weight: 1, arbitrary: valueArb(tm) });
    let matched = 0;
    await fc.assert(
      fc.asyncProperty(path, fc.array(value, { minLength: 1, maxLength: 2 }), fc.boolean(), async ({ attr, sub, keys, member }, vs, expand) => {
        const p: QPath = { via: [], attr, sub, keys: member ? [] : keys, ...(member ? { member } : {}) };
        const run = async (e: QExpr) => {
          const r = await store().queryEntities(normal, { q: e, expandValues: expand ? [attr, ...sub] : [], limit: 100, offset: 0, count: false });
          return r.entities.map((x) => x.id);
        };
        const [eq, ne, all] =
          vs.length === 1
            ? [await run({ kind: 'compare', path: p, op: '==', value: vs[0] }), await run({ kind: 'compare', path: p, op: '!=', value: vs[0] }), await run({ kind: 'exists', path: p })]
            : [await run({ kind: 'in', path: p, negated: false, values: vs }), await run({ kind: 'in', path: p, negated: true, values: vs }), await run({ kind: 'exists', path: p })];
        assert.deepEqual([...eq, ...ne].sort(), all, JSON.stringify({ p, vs, eq, ne }));
        if (eq.length > 0) matched++;
      }),
      { numRuns: 150 },
    );
    // guards against a vacuous run: most draws match nothing, by design of the shapes
    assert.ok(matched >= 5, `only ${matched} equalities matched anything`);
  });
});
