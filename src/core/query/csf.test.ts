import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { TermMap } from '../context/termmap.js';
import { parseCsf } from './csf.js';
import { parseQ } from './q.js';
import { EX, termMap } from './query-fixtures.test-util.js';

let tm: TermMap;
before(async () => {
  tm = await termMap();
});

describe('parseCsf (clause 4.9 on CSourceRegistration properties)', () => {
  it('parseCsf should give the q AST when the filter uses the query language', () => {
    for (const text of ['mode=="inclusive"', 'brand==ex:Tesla;ex:region!="EU"|capacity==10..20', 'a.observedAt>2020-01-01T00:00:00Z', 'a[b]~="x"']) {
      const csf = parseCsf(text, tm);
      const q = parseQ(text, tm);
      assert.ok(csf.ok && q.ok, text);
      assert.deepEqual(csf.value, q.value, text);
    }
  });

  it('parseCsf should expand registration property names when they are terms of the @context', () => {
    const r = parseCsf('ex:owner=="x";speed', tm);
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      kind: 'and',
      items: [
        { kind: 'compare', path: { via: [], attr: `${EX}owner`, sub: [], keys: [] }, op: '==', value: { kind: 'string', value: 'x' } },
        { kind: 'exists', path: { via: [], attr: `${EX}speed`, sub: [], keys: [] } },
      ],
    });
  });

  it('parseCsf should fail with BadRequestData naming csf when a linked-entity path is used', () => {
    const r = parseCsf('sensor{humidity}==40', tm);
    assert.ok(!r.ok);
    assert.equal(r.problem.kind, 'BadRequestData');
    assert.equal(r.problem.detail, "Invalid csf: linked-entity paths ('{') are not allowed in csf at position 7");
  });

  it('parseCsf should name csf in the detail when the filter is malformed', () => {
    const r = parseCsf('mode=', tm);
    assert.ok(!r.ok);
    assert.equal(r.problem.detail, "Invalid csf: '=' is not an operator (use '==') at position 5");
  });
});
