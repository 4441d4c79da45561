import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chooseLanguage, languageRanges, parseLanguageRanges } from './render-lang.js';

const street = { fr: 'Grand Place', nl: 'Grote Markt' };
const regional = { de: 'Hauptplatz', 'en-US': 'Main Square' };
const choose = (map: Record<string, string | string[]>, lang: string) => chooseLanguage(map, parseLanguageRanges(lang));

describe('parseLanguageRanges (clause 4.15)', () => {
  it('parseLanguageRanges should order ranges by weight then position when weights are given', () => {
    assert.deepEqual(parseLanguageRanges('fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5, de'), [
      { range: 'fr-ch', q: 1 },
      { range: 'de', q: 1 },
      { range: 'fr', q: 0.9 },
      { range: 'en', q: 0.8 },
      { range: '*', q: 0.5 },
    ]);
  });

  it('parseLanguageRanges should drop a range when its weight is zero', () => {
    assert.deepEqual(parseLanguageRanges('fr;q=0,nl'), [{ range: 'nl', q: 1 }]);
  });

  it('parseLanguageRanges should skip empty items and ignore unreadable weights when the list is sloppy', () => {
    assert.deepEqual(parseLanguageRanges(',,en;q=abc, ;q=0.3'), [{ range: 'en', q: 1 }]);
  });

  it('languageRanges should give the same ranges as parseLanguageRanges when called twice', () => {
    assert.deepEqual(languageRanges('en;q=0.1,de'), parseLanguageRanges('en;q=0.1,de'));
    assert.deepEqual(languageRanges('en;q=0.1,de'), parseLanguageRanges('en;q=0.1,de'));
    assert.deepEqual(languageRanges('fr'), [{ range: 'fr', q: 1 }]);
  });

  it('parseLanguageRanges should never throw and should give weights in (0, 1] by decreasing order for any string', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const ranges = parseLanguageRanges(s);
        for (let i = 0; i < ranges.length; i++) {
          assert.ok(ranges[i].q > 0 && ranges[i].q <= 1);
          assert.ok(ranges[i].range.length > 0);
          if (i > 0) assert.ok(ranges[i - 1].q >= ranges[i].q);
        }
      }),
    );
  });
});

describe('chooseLanguage (clause 4.15)', () => {
  it('chooseLanguage should pick the exact tag when it is present', () => {
    assert.deepEqual(choose(street, 'nl'), { tag: 'nl', value: 'Grote Markt' });
  });

  it('chooseLanguage should compare tags case-insensitively when the range is upper case', () => {
    assert.deepEqual(choose(street, 'FR'), { tag: 'fr', value: 'Grand Place' });
  });

  it('chooseLanguage should truncate a longer range onto a shorter tag when the range has a region', () => {
    assert.deepEqual(choose(street, 'nl-BE'), { tag: 'nl', value: 'Grote Markt' });
    assert.deepEqual(choose(street, 'fr-CH,fr'), { tag: 'fr', value: 'Grand Place' });
  });

  it('chooseLanguage should match a longer tag when the range is a bare language', () => {
    assert.deepEqual(choose(regional, 'en'), { tag: 'en-US', value: 'Main Square' });
  });

  it('chooseLanguage should let a weightier range win over an earlier one when weights differ', () => {
    assert.deepEqual(choose(street, 'fr;q=0.2,nl;q=0.9'), { tag: 'nl', value: 'Grote Markt' });
  });

  it('chooseLanguage should fall back to @none when no range matches and the map has @none', () => {
    assert.deepEqual(choose({ de: 'x', '@none': 'y' }, 'pt'), { tag: '@none', value: 'y' });
  });

  it('chooseLanguage should fall back to the first language when no range matches and the map has no @none', () => {
    assert.deepEqual(choose(street, 'pt'), { tag: 'fr', value: 'Grand Place' });
    assert.deepEqual(choose(street, ''), { tag: 'fr', value: 'Grand Place' });
  });

  it('chooseLanguage should take any language when the range is *', () => {
    assert.deepEqual(choose(street, '*'), { tag: 'fr', value: 'Grand Place' });
    assert.deepEqual(choose(street, 'pt,*;q=0.1'), { tag: 'fr', value: 'Grand Place' });
  });

  it('chooseLanguage should return a string array when the entry holds several strings', () => {
    assert.deepEqual(choose({ en: ['a', 'b'] }, 'en'), { tag: 'en', value: ['a', 'b'] });
  });

  it('chooseLanguage should return undefined when the map is empty', () => {
    assert.equal(choose({}, 'en'), undefined);
  });

  it('chooseLanguage should always return an entry of the map when the map is not empty', () => {
    const tag = fc.constantFrom('en', 'en-US', 'fr', 'de-CH', 'zh-Hant-TW', '@none');
    fc.assert(
      fc.property(fc.dictionary(tag, fc.string(), { minKeys: 1 }), fc.string(), (map, lang) => {
        const c = chooseLanguage(map, parseLanguageRanges(lang));
        assert.ok(c !== undefined && Object.hasOwn(map, c.tag));
        assert.equal(c.value, map[c.tag]);
      }),
    );
  });
});
