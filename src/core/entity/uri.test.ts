import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isDateTime, isLanguageTag, isScope, isUri, isValidAttributeName } from './uri.js';

describe('isUri (clause 5.2.1, RFC 3986)', () => {
  it('isUri should accept absolute URIs and IRIs when they have a scheme and a body', () => {
    for (const s of [
      'urn:ngsi-ld:Vehicle:A4567',
      'https://example.org/a/b?c=d#e',
      'http://localhost:1026',
      'urn:ngsi-ld:Building:caf%C3%A9',
      'urn:ngsi-ld:Città:Torino',
      'a:b',
      'mqtt://broker:1883/topic',
    ]) {
      assert.equal(isUri(s), true, s);
    }
  });

  it('isUri should reject strings when they are relative, empty or contain forbidden characters', () => {
    for (const s of [
      '',
      'Vehicle',
      'urn:',
      '1urn:x',
      ':x',
      'urn:ngsi-ld:a b',
      'urn:ngsi-ld:<a>',
      'urn:x"y',
      'urn:x{y}',
      'urn:x|y',
      'urn:x\\y',
      'urn:x^y',
      'urn:x`y',
      'urn:x%zz',
      'urn:x%4',
      'urn:a#b#c',
      'urn:a\u0000',
      'urn:a\u0085',
      'urn:a\u00a0b',
      'urn:a\ud800',
    ]) {
      assert.equal(isUri(s), false, JSON.stringify(s));
    }
  });

  it('isUri should reject a string when it contains whitespace anywhere', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(' ', '\t', '\n', '\r', '\u2003'), fc.string(), (a, w, b) => !isUri(`urn:x${a}${w}${b}`)),
    );
  });

  it('isUri should accept generated web URLs', () => {
    fc.assert(fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (u) => isUri(u)));
  });

  it('isUri should never throw when given any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => typeof isUri(s) === 'boolean'));
  });
});

describe('isValidAttributeName (clause 4.6.2)', () => {
  it('isValidAttributeName should accept terms, prefixed names and IRIs', () => {
    for (const s of ['speed', 'brandName', 'dc:title', 'https://schema.org/name', 'temp_1', 'température', 'my-attr', 'a.b', 'urn:ngsi-ld:attr']) {
      assert.equal(isValidAttributeName(s), true, s);
    }
  });

  it('isValidAttributeName should reject names when they are empty, keywords or contain forbidden characters', () => {
    for (const s of ['', '@context', '@id', ' a', 'a b', 'a\tb', 'a\nb', 'a(b', 'a)b', 'a;b', 'a=b', "a'b", 'a"b', '<a>', 'a,b', 'a{b}', 'a|b', 'a\\b', 'a^b', 'a`b', '\u0000', 'a\u200bb', 'a\u00a0b', 'a\udc00']) {
      assert.equal(isValidAttributeName(s), false, JSON.stringify(s));
    }
  });

  it('isValidAttributeName should reject __proto__ and keep constructor and prototype when they are names', () => {
    assert.equal(isValidAttributeName('__proto__'), false);
    for (const s of ['constructor', 'prototype', '__proto', 'proto__', 'ex:__proto__']) assert.equal(isValidAttributeName(s), true, s);
  });

  it('isValidAttributeName should reject a name when a forbidden character is inserted anywhere', () => {
    const forbidden = fc.constantFrom(...' \t<>"\'=;(){}|\\^`,\u0001\u007f'.split(''));
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{0,6}$/), forbidden, fc.stringMatching(/^[a-z]{0,6}$/), (a, c, b) => !isValidAttributeName(`${a}${c}${b}`)),
    );
  });

  it('isValidAttributeName should accept every name matching the clause 4.6.2 grammar', () => {
    const name = fc.stringMatching(/^[\p{L}][\p{L}\p{N}_]{0,12}(?::[\p{L}][\p{L}\p{N}_]{0,12})?$/u);
    fc.assert(fc.property(name, (n) => isValidAttributeName(n)));
  });
});

describe('isDateTime (clause 4.6.3)', () => {
  it('isDateTime should accept ISO 8601 date-times when they carry a time zone', () => {
    for (const s of ['2024-01-01T12:00:00Z', '2024-01-01T12:00:00.123Z', '2024-01-01T12:00:00.123456789Z', '2024-01-01T12:00:00+02:00', '2024-01-01T12:00:00-0530', '2024-02-29T00:00Z', '2000-02-29T23:59:59Z']) {
      assert.equal(isDateTime(s), true, s);
    }
  });

  it('isDateTime should reject values when the zone is missing or a field is out of range', () => {
    for (const s of ['', '2024-01-01', '2024-01-01T12:00:00', '2024-01-01 12:00:00Z', '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-13-01T00:00:00Z', '2024-00-01T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T12:60:00Z', '2024-01-01T12:00:60Z', '2024-01-01T12:00:00+24:00', '2024-01-01T12:00:00.Z', 'yesterday']) {
      assert.equal(isDateTime(s), false, s);
    }
  });

  it('isDateTime should accept every Date.toISOString output', () => {
    const date = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(fc.property(date, (d) => isDateTime(d.toISOString())));
  });
});

describe('isScope (clause 4.18)', () => {
  it('isScope should accept hierarchical scopes with or without the leading slash', () => {
    for (const s of ['/Madrid', '/Madrid/Gardens/ParqueNorte', 'Madrid/Gardens', '/Città_1/Zona2']) assert.equal(isScope(s), true, s);
  });

  it('isScope should reject scopes when a level is empty or has other characters', () => {
    for (const s of ['', '/', '//Madrid', '/Madrid/', 'Madrid//Gardens', '/Madrid Gardens', '/Parque-Norte', '/a/#', '/a/+']) assert.equal(isScope(s), false, s);
  });
});

describe('isLanguageTag (clause 4.5.18)', () => {
  it('isLanguageTag should accept BCP 47 shaped tags and reject others', () => {
    for (const s of ['en', 'fr', 'en-GB', 'zh-Hant-TW', 'de-CH-1901']) assert.equal(isLanguageTag(s), true, s);
    for (const s of ['', 'en_GB', 'e n', '@none', 'english-', 'abcdefghi', '-en']) assert.equal(isLanguageTag(s), false, s);
  });
});
