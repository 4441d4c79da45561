import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import fc from 'fast-check';
import { ProblemError } from '../core/problem.js';
import { contextLinkOf, negotiate, tenantOf } from './negotiate.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;
const REL = 'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"';

function problemOf(fn: () => unknown): { kind: string; detail: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProblemError) return e.problem;
    throw e;
  }
  assert.fail('expected a problem');
}

test('contextLinkOf should return the context URL when one context link is given among others', () => {
  assert.equal(contextLinkOf(req({ link: `<https://a.org/ctx.jsonld>; ${REL}` })), 'https://a.org/ctx.jsonld');
  assert.equal(contextLinkOf(req({ link: `<https://a.org/next>; rel="next", <https://a.org/c.jsonld>; ${REL}` })), 'https://a.org/c.jsonld');
  assert.equal(contextLinkOf(req({})), undefined);
});

test('contextLinkOf should fail with BadRequestData when two context links or a malformed link are given', () => {
  assert.equal(problemOf(() => contextLinkOf(req({ link: `<https://a.org/1>; ${REL}, <https://a.org/2>; ${REL}` }))).kind, 'BadRequestData');
  assert.equal(problemOf(() => contextLinkOf(req({ link: 'https://a.org/no-brackets; rel=x' }))).kind, 'BadRequestData');
  assert.equal(problemOf(() => contextLinkOf(req({ link: `<not a url>; ${REL}` }))).kind, 'BadRequestData');
});

test('contextLinkOf should never throw anything but a ProblemError for arbitrary headers', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (link) => {
      try {
        const r = contextLinkOf(req({ link }));
        return r === undefined || typeof r === 'string';
      } catch (e) {
        return e instanceof ProblemError;
      }
    }),
    { numRuns: 2000 },
  );
});

test('negotiate should pick by quality and specificity, default to the first offer and 406 otherwise', () => {
  const offers = ['application/json', 'application/ld+json', 'application/geo+json'] as const;
  assert.equal(negotiate(req({}), offers), 'application/json');
  assert.equal(negotiate(req({ accept: '*/*' }), offers), 'application/json');
  assert.equal(negotiate(req({ accept: 'application/ld+json' }), offers), 'application/ld+json');
  assert.equal(negotiate(req({ accept: 'application/json;q=0.5, application/geo+json' }), offers), 'application/geo+json');
  assert.equal(negotiate(req({ accept: 'text/html, application/*;q=0.1' }), offers), 'application/json');
  assert.equal(problemOf(() => negotiate(req({ accept: 'text/html' }), offers)).kind, 'NotAcceptable');
  assert.equal(problemOf(() => negotiate(req({ accept: 'application/json;q=0' }), offers)).kind, 'NotAcceptable');
});

test('tenantOf should accept plain names and reject hostile ones', () => {
  assert.equal(tenantOf(req({})), '');
  assert.equal(tenantOf(req({ 'ngsild-tenant': 'city-of_x.1' })), 'city-of_x.1');
  for (const bad of ['', ' ', 'a b', "x'; drop table entities;--", 'a'.repeat(300), '\u0000x']) {
    assert.equal(problemOf(() => tenantOf(req({ 'ngsild-tenant': bad }))).kind, 'BadRequestData', JSON.stringify(bad));
  }
});
