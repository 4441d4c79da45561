import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { TermMap } from '../context/termmap.js';
import type { QExpr, QPath, QValue } from './q-ast.js';
import { parseQ } from './q.js';
import { EX, termMap, VOCAB } from './query-fixtures.test-util.js';

let tm: TermMap;
before(async () => {
  tm = await termMap();
});

const v = (n: string) => VOCAB + n;
const p = (attr: string, more: Partial<QPath> = {}): QPath => ({ via: [], attr: v(attr), sub: [], keys: [], ...more });

function parsed(text: string): QExpr {
  const r = parseQ(text, tm);
  if (!r.ok) assert.fail(`${text}: ${r.problem.detail}`);
  return r.value;
}

const value = (text: string): QValue => {
  const e = parsed(`a==${text}`);
  assert.equal(e.kind, 'compare');
  return (e as Extract<QExpr, { kind: 'compare' }>).value;
};

describe('parseQ comparisons (clause 4.9)', () => {
  it('parseQ should give an exists term when the query is an attribute alone (example 0)', () => {
    assert.deepEqual(parsed('temperature'), { kind: 'exists', path: p('temperature') });
  });

  it('parseQ should give a notExists term when the attribute is negated with !', () => {
    assert.deepEqual(parsed('!isMonitoredBy'), { kind: 'notExists', path: p('isMonitoredBy') });
  });

  it('parseQ should parse each comparison operator when followed by a number', () => {
    for (const op of ['==', '!=', '>', '>=', '<', '<='] as const) {
      assert.deepEqual(parsed(`speed${op}50`), { kind: 'compare', path: { ...p('speed'), attr: `${EX}speed` }, op, value: { kind: 'number', value: 50 } }, op);
    }
  });

  it('parseQ should parse pattern and negated pattern operators when given a regular expression', () => {
    assert.deepEqual(parsed('name~=^Merc.*'), { kind: 'pattern', path: p('name'), negated: false, pattern: '^Merc.*', ignoreCase: false });
    assert.deepEqual(parsed('name!~=^Merc.*'), { kind: 'pattern', path: p('name'), negated: true, pattern: '^Merc.*', ignoreCase: false });
  });

  it('parseQ should parse a value list when == or != is followed by comma-separated values', () => {
    assert.deepEqual(parsed('color=="black","red"'), {
      kind: 'in',
      path: p('color'),
      negated: false,
      values: [
        { kind: 'string', value: 'black' },
        { kind: 'string', value: 'red' },
      ],
    });
    const e = parsed('color!= "black", "red", 3, true, urn:x:1');
    assert.equal(e.kind, 'in');
    assert.equal((e as Extract<QExpr, { kind: 'in' }>).negated, true);
    assert.deepEqual(
      (e as Extract<QExpr, { kind: 'in' }>).values.map((x) => x.kind),
      ['string', 'string', 'number', 'boolean', 'uri'],
    );
  });

  it('parseQ should parse a range when == or != is followed by min..max of one kind', () => {
    assert.deepEqual(parsed('temperature==10..20'), { kind: 'range', path: p('temperature'), negated: false, min: { kind: 'number', value: 10 }, max: { kind: 'number', value: 20 } });
    assert.deepEqual(parsed('temperature!=-1.5..2e3'), { kind: 'range', path: p('temperature'), negated: true, min: { kind: 'number', value: -1.5 }, max: { kind: 'number', value: 2000 } });
    const dates = parsed('d==2020-01-01..2020-12-31') as Extract<QExpr, { kind: 'range' }>;
    assert.deepEqual([dates.min, dates.max], [
      { kind: 'date', value: '2020-01-01' },
      { kind: 'date', value: '2020-12-31' },
    ]);
    const times = parsed('t==2020-01-01T00:00:00Z..2020-01-02T00:00:00Z') as Extract<QExpr, { kind: 'range' }>;
    assert.equal(times.max.kind, 'dateTime');
    assert.equal((parsed('s=="a".."m"') as Extract<QExpr, { kind: 'range' }>).min.kind, 'string');
  });
});

describe('parseQ values (clause 4.9, 4.6.3)', () => {
  it('parseQ should read JSON numbers when written as integers, decimals and exponents', () => {
    for (const [text, n] of [['0', 0], ['-0', 0], ['42', 42], ['-3.25', -3.25], ['1e3', 1000], ['2.5E-2', 0.025], ['1e+2', 100]] as const) {
      assert.deepEqual(value(text), { kind: 'number', value: n }, text);
    }
    assert.ok(Object.is((value('-0') as { value: number }).value, 0), '-0 is normalised to 0');
  });

  it('parseQ should read JSON strings with their escapes when quoted', () => {
    assert.deepEqual(value('"Mercedes"'), { kind: 'string', value: 'Mercedes' });
    assert.deepEqual(value('"a\\"b\\\\c\\n\\u00e9\\/"'), { kind: 'string', value: 'a"b\\c\né/' });
    assert.deepEqual(value('"with ; | ) , .."'), { kind: 'string', value: 'with ; | ) , ..' });
    assert.deepEqual(value('""'), { kind: 'string', value: '' });
  });

  it('parseQ should read true and false as booleans when unquoted', () => {
    assert.deepEqual(value('true'), { kind: 'boolean', value: true });
    assert.deepEqual(value('false'), { kind: 'boolean', value: false });
    assert.deepEqual(value('"true"'), { kind: 'string', value: 'true' });
  });

  it('parseQ should read dateTime values when unquoted, normalising comma fractions and a missing zone', () => {
    assert.deepEqual(value('2017-12-24T12:00:00Z'), { kind: 'dateTime', value: '2017-12-24T12:00:00Z' });
    assert.deepEqual(value('2017-12-24T12:00:00.123456Z'), { kind: 'dateTime', value: '2017-12-24T12:00:00.123456Z' });
    assert.deepEqual(value('2017-12-24T12:00:00,5Z'), { kind: 'dateTime', value: '2017-12-24T12:00:00.5Z' });
    assert.deepEqual(value('2017-12-24T12:00:00'), { kind: 'dateTime', value: '2017-12-24T12:00:00Z' });
    assert.deepEqual(value('2017-12-24T12:00:00-05:30'), { kind: 'dateTime', value: '2017-12-24T12:00:00-05:30' });
    assert.deepEqual(value('2024-02-29T23:59:59Z'), { kind: 'dateTime', value: '2024-02-29T23:59:59Z' });
  });

  it('parseQ should read a comma after a time as a list separator when no zone follows the digits', () => {
    const list = parsed('t==12:00:00,5') as Extract<QExpr, { kind: 'in' }>;
    assert.deepEqual(list.values, [
      { kind: 'time', value: '12:00:00' },
      { kind: 'number', value: 5 },
    ]);
    const dts = parsed('t==2020-01-01T00:00:00,2020-01-02') as Extract<QExpr, { kind: 'in' }>;
    assert.deepEqual(dts.values, [
      { kind: 'dateTime', value: '2020-01-01T00:00:00Z' },
      { kind: 'date', value: '2020-01-02' },
    ]);
  });

  it('parseQ should read date and time values when unquoted', () => {
    assert.deepEqual(value('2017-12-24'), { kind: 'date', value: '2017-12-24' });
    assert.deepEqual(value('12:30:05'), { kind: 'time', value: '12:30:05' });
    assert.deepEqual(value('12:30:05,25Z'), { kind: 'time', value: '12:30:05.25Z' });
  });

  it('parseQ should read URIs when unquoted, ending where the query syntax resumes', () => {
    assert.deepEqual(value('urn:ngsi-ld:OffStreetParking:Downtown1'), { kind: 'uri', value: 'urn:ngsi-ld:OffStreetParking:Downtown1' });
    assert.deepEqual(value('https://example.org/a/b?c=d#e'), { kind: 'uri', value: 'https://example.org/a/b?c=d#e' });
    assert.deepEqual(parsed('(a==urn:x:1)'), parsed('a==urn:x:1'));
    assert.equal(parsed('a==urn:x:1;b').kind, 'and');
    assert.equal(parsed('a==urn:x:1|b').kind, 'or');
  });

  it('parseQ should give a term with its expansion when a value is an unquoted word (example 12)', () => {
    assert.deepEqual(value('Male'), { kind: 'term', value: 'Male', iri: v('Male') });
    assert.deepEqual(value('Car'), { kind: 'term', value: 'Car', iri: `${EX}Car` });
  });
});

describe('parseQ attribute paths (clause 4.9)', () => {
  it('parseQ should expand attribute and sub-attribute names when the path is dotted (example 8)', () => {
    assert.deepEqual(parsed('isParked.providedBy').kind, 'exists');
    assert.deepEqual((parsed('isParked.providedBy') as { path: QPath }).path, p('isParked', { sub: [v('providedBy')] }));
    assert.deepEqual((parsed('speed.ex:accuracy.unit') as { path: QPath }).path, { via: [], attr: `${EX}speed`, sub: [`${EX}accuracy`, v('unit')], keys: [] });
  });

  it('parseQ should expand compact IRIs and core terms when used as names', () => {
    assert.equal((parsed('ex:brand') as { path: QPath }).path.attr, `${EX}brand`);
    assert.equal((parsed('location') as { path: QPath }).path.attr, 'https://uri.etsi.org/ngsi-ld/location');
  });

  it('parseQ should mark observedAt, createdAt, modifiedAt, unitCode and datasetId as members when they end a path', () => {
    for (const m of ['observedAt', 'createdAt', 'modifiedAt', 'unitCode', 'datasetId'] as const) {
      assert.deepEqual((parsed(`temperature.${m}`) as { path: QPath }).path, p('temperature', { member: m }), m);
    }
    assert.deepEqual((parsed('a.b.observedAt>=2017-12-24T12:00:00Z') as { path: QPath }).path, p('a', { sub: [v('b')], member: 'observedAt' }));
    assert.equal((parsed('a.ngsi-ld:unitCode=="CEL"') as { path: QPath }).path.member, 'unitCode');
  });

  it('parseQ should keep compound-value keys unexpanded when given in brackets (examples 9 and 10)', () => {
    assert.deepEqual((parsed('address[city]=="Berlin"') as { path: QPath }).path, p('address', { keys: ['city'] }));
    assert.deepEqual((parsed('sensor.rawdata[airquality.particulate]==40') as { path: QPath }).path, p('sensor', { sub: [v('rawdata')], keys: ['airquality', 'particulate'] }));
    assert.deepEqual((parsed('a[b][c]') as { path: QPath }).path, p('a', { keys: ['b', 'c'] }));
    assert.deepEqual((parsed('a[b.c]') as { path: QPath }).path, p('a', { keys: ['b', 'c'] }));
  });

  it('parseQ should accept language tags and * in brackets when addressing a LanguageProperty', () => {
    assert.deepEqual((parsed('color[en]=="red"') as { path: QPath }).path, p('color', { keys: ['en'] }));
    assert.deepEqual((parsed('color[zh-Hant]=="紅"') as { path: QPath }).path, p('color', { keys: ['zh-Hant'] }));
    assert.deepEqual((parsed('color[*]!="red"') as { path: QPath }).path, p('color', { keys: ['*'] }));
  });

  it('parseQ should follow linked entities when the path uses braces (examples 13 and 14)', () => {
    assert.deepEqual((parsed('sensor{humidity}==40') as { path: QPath }).path, { via: [{ rel: v('sensor'), types: [] }], attr: v('humidity'), sub: [], keys: [] });
    assert.deepEqual((parsed('sensor{Device:humidity}==40') as { path: QPath }).path, { via: [{ rel: v('sensor'), types: [v('Device')] }], attr: v('humidity'), sub: [], keys: [] });
    assert.deepEqual((parsed('a{T,Car:b{U:c.d[e]}}') as { path: QPath }).path, {
      via: [
        { rel: v('a'), types: [v('T'), `${EX}Car`] },
        { rel: v('b'), types: [v('U')] },
      ],
      attr: v('c'),
      sub: [v('d')],
      keys: ['e'],
    });
  });

  it('parseQ should read a colon as the end of the type hints when it is inside braces', () => {
    assert.deepEqual((parsed('ex:rel{ex:b}') as { path: QPath }).path, { via: [{ rel: `${EX}rel`, types: [EX] }], attr: v('b'), sub: [], keys: [] });
  });

  it('parseQ should accept names when they hold Unicode letters and digits (clause 4.6.2)', () => {
    assert.equal((parsed('température>5') as { path: QPath }).path.attr, v('température'));
    assert.equal((parsed('名前=="x"') as { path: QPath }).path.attr, v('名前'));
  });
});

describe('parseQ logical operators (clause 4.9)', () => {
  const a = { kind: 'exists', path: p('a') } as const;
  const b = { kind: 'exists', path: p('b') } as const;
  const c = { kind: 'exists', path: p('c') } as const;

  it('parseQ should bind ; tighter than | when there are no parentheses', () => {
    assert.deepEqual(parsed('a|b;c'), { kind: 'or', items: [a, { kind: 'and', items: [b, c] }] });
    assert.deepEqual(parsed('a;b|c'), { kind: 'or', items: [{ kind: 'and', items: [a, b] }, c] });
  });

  it('parseQ should keep chains flat when the same operator repeats', () => {
    assert.deepEqual(parsed('a;b;c'), { kind: 'and', items: [a, b, c] });
    assert.deepEqual(parsed('a|b|c'), { kind: 'or', items: [a, b, c] });
  });

  it('parseQ should group by parentheses when they override precedence (examples 6 and 7)', () => {
    assert.deepEqual(parsed('(a|b);c'), { kind: 'and', items: [{ kind: 'or', items: [a, b] }, c] });
    assert.deepEqual(parsed('((a))'), a);
    assert.deepEqual(parsed('(a;b);c'), { kind: 'and', items: [{ kind: 'and', items: [a, b] }, c] });
    const e6 = parsed('((speed>50|rpm>3000);brandName=="Mercedes")');
    assert.equal(e6.kind, 'and');
    assert.equal((e6 as { items: QExpr[] }).items[0].kind, 'or');
  });

  it('parseQ should ignore spaces when they surround tokens', () => {
    assert.deepEqual(parsed(' ( a | b ) ; c '), parsed('(a|b);c'));
    assert.deepEqual(parsed('speed > 50 ; x == "y"'), parsed('speed>50;x=="y"'));
  });
});
