import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { TermMap } from '../context/termmap.js';
import { parseQ } from './q.js';
import { termMap } from './query-fixtures.test-util.js';

let tm: TermMap;
before(async () => {
  tm = await termMap();
});

function failure(text: string, o?: { maxLength?: number; maxDepth?: number }): string {
  const r = parseQ(text, tm, o);
  if (r.ok) assert.fail(`${JSON.stringify(text)} should fail but gave ${JSON.stringify(r.value)}`);
  assert.equal(r.problem.kind, 'BadRequestData');
  return r.problem.detail;
}

describe('parseQ malformed input (clause 4.9: BadRequestData)', () => {
  it('parseQ should name the position and the token when the query is malformed', () => {
    const cases: Array<[string, string]> = [
      ['', 'Invalid q: it is empty'],
      ['   ', 'Invalid q: it is empty'],
      ['a=1', "Invalid q: '=' is not an operator (use '==') at position 2"],
      ['a==', 'Invalid q: expected a value but found end of input at position 4'],
      ['a>', 'Invalid q: expected a value but found end of input at position 3'],
      ['==1', "Invalid q: expected an attribute name but found '=' at position 1"],
      ['a;', 'Invalid q: expected an attribute name but found end of input at position 3'],
      ['a||b', "Invalid q: expected an attribute name but found '|' at position 3"],
      ['(a', "Invalid q: expected ')' to close the '(' at position 1 but found end of input at position 3"],
      ['a)', "Invalid q: unbalanced ')' at position 2"],
      ['()', "Invalid q: expected an attribute name but found ')' at position 2"],
      ['a b', "Invalid q: unexpected 'b' after the attribute path; expected an operator (== != > >= < <= ~= !~=), ';', '|', ')' or end of input at position 3"],
      ['a==5x', "Invalid q: unexpected 'x'; expected ';', '|', ')' or end of input at position 5"],
      ['a==1.', "Invalid q: unexpected '.'; expected ';', '|', ')' or end of input at position 5"],
      ['a==.5', "Invalid q: expected a value but found '.' at position 4"],
      ['a==+5', "Invalid q: expected a value but found '+' at position 4"],
      ['a==01', "Invalid q: unexpected '1'; expected ';', '|', ')' or end of input at position 5"],
      ['a=="x', 'Invalid q: unterminated string at position 4'],
      ['a=="\\x"', 'Invalid q: malformed string (expected a JSON string: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX escapes, no control characters) at position 4'],
      ["a=='x'", 'Invalid q: strings are quoted with " (double quotes) at position 4'],
      ['a>true', 'Invalid q: operator > needs a number, string, dateTime, date or time, not a boolean at position 3'],
      ['a<urn:x:y', 'Invalid q: operator < needs a number, string, dateTime, date or time, not a uri at position 3'],
      ['a>=Male', 'Invalid q: operator >= needs a number, string, dateTime, date or time, not an unquoted word (quote strings) at position 4'],
      ['a>1,2', 'Invalid q: a value list is only allowed with == or !=, not > at position 4'],
      ['a<1..2', 'Invalid q: a range is only allowed with == or !=, not < at position 4'],
      ['a==1..2017-01-01', 'Invalid q: a range needs both ends of one kind, not number and date at position 7'],
      ['a==true..false', 'Invalid q: a range needs a number, string, dateTime, date or time, not a boolean at position 4'],
      ['a==1,2..3', 'Invalid q: a value list cannot contain a range at position 7'],
      ['a==2017-13-01', 'Invalid q: 2017-13-01 is not a calendar date at position 4'],
      ['a==2023-02-29', 'Invalid q: 2023-02-29 is not a calendar date at position 4'],
      ['a==2017-12-24T25:00:00Z', 'Invalid q: 25:00:00 is not a time of day at position 4'],
      ['a==2017-12-24T12:00Z', 'Invalid q: a dateTime needs hours, minutes and seconds (YYYY-MM-DDThh:mm:ssZ, clause 4.6.3) at position 4'],
      ['a==2017-12-24T12:00:00+25:00', 'Invalid q: +25:00 is not a time zone offset at position 4'],
      ['a==12:00', 'Invalid q: a time needs hours, minutes and seconds (hh:mm:ssZ, clause 4.6.3) at position 4'],
      ['a==1e999', 'Invalid q: number 1e999 is out of range at position 4'],
      ['a==urn:', 'Invalid q: "urn:" is not a valid URI at position 4'],
      ['a==foo.bar', "Invalid q: unquoted value \"foo\" cannot contain '.'; quote it at position 4"],
      ['a~=', 'Invalid q: expected a regular expression but found end of input at position 4'],
      ['a~=(x', 'Invalid q: invalid regular expression (Invalid regular expression: /(x/: Unterminated group) at position 4'],
      ['a~="x', 'Invalid q: unterminated quoted regular expression at position 4'],
      ['a~=x"y', 'Invalid q: an unquoted regular expression cannot contain \'"\'; quote the pattern at position 5'],
      ['a..b', "Invalid q: unexpected '.' after the attribute path; expected an operator (== != > >= < <= ~= !~=), ';', '|', ')' or end of input at position 2"],
      ['a.', "Invalid q: expected a sub-attribute name after '.' but found end of input at position 3"],
      ['a.observedAt.b', 'Invalid q: nothing can follow .observedAt in an attribute path at position 14'],
      ['a.unitCode[x]', 'Invalid q: a compound-value path cannot follow .unitCode at position 11'],
      ['a[', "Invalid q: expected a member name in '[…]' but found end of input at position 3"],
      ['a[b', "Invalid q: expected ']' to close the '[' at position 2 but found end of input at position 4"],
      ['a[]', "Invalid q: expected a member name in '[…]' but found ']' at position 3"],
      ['a[b.]', "Invalid q: expected a member name in '[…]' but found ']' at position 5"],
      ['a[*][b]', "Invalid q: nothing can follow '[*]' at position 5"],
      ['a[b][*]', "Invalid q: '[*]' is only allowed as the whole compound-value path at position 5"],
      ['a[b.*]', "Invalid q: expected a member name in '[…]' but found '*' at position 5"],
      ['a{b', "Invalid q: expected '}' to close the '{' of the linked-entity path at position 1 but found end of input at position 4"],
      ['a{}', "Invalid q: expected an entity type or attribute name but found '}' at position 3"],
      ['a{T,U}', "Invalid q: expected ':' after the entity types at position 6"],
      ['a{T:}', "Invalid q: expected an attribute name but found '}' at position 5"],
      ['a.b{c}', "Invalid q: unexpected '{' after the attribute path; expected an operator (== != > >= < <= ~= !~=), ';', '|', ')' or end of input at position 4"],
      ['!(a)', "Invalid q: '!' negates an attribute path only, not a group at position 2"],
      ['!a==1', "Invalid q: '!' only negates existence; negate a comparison with != or !~= at position 3"],
      ['_a:b', "Invalid q: unexpected ':' after the attribute path; expected an operator (== != > >= < <= ~= !~=), ';', '|', ')' or end of input at position 3"],
      ['a:', "Invalid q: unexpected ':' after the attribute path; expected an operator (== != > >= < <= ~= !~=), ';', '|', ')' or end of input at position 2"],
      ['a\u0000', "Invalid q: unexpected '\\u0000' after the attribute path; expected an operator (== != > >= < <= ~= !~=), ';', '|', ')' or end of input at position 2"],
    ];
    for (const [text, detail] of cases) assert.equal(failure(text), detail, JSON.stringify(text));
  });

  it('parseQ should fail with BadRequestData when the query is longer than the bound', () => {
    assert.equal(failure('a;'.repeat(4096) + 'a'), 'Invalid q: it is longer than 8192 characters');
    assert.equal(failure('abcdef', { maxLength: 5 }), 'Invalid q: it is longer than 5 characters');
    assert.equal(parseQ('a;'.repeat(4095) + 'a', tm).ok, true);
  });

  it('parseQ should fail with BadRequestData instead of overflowing the stack when nesting is too deep', () => {
    assert.equal(failure(`${'('.repeat(33)}a${')'.repeat(33)}`), 'Invalid q: nesting is deeper than 32 levels at position 33');
    assert.equal(parseQ(`${'('.repeat(32)}a${')'.repeat(32)}`, tm).ok, true);
    assert.match(failure(`${'('.repeat(4000)}a`, { maxLength: 1e6 }), /nesting is deeper than 32 levels/);
    assert.match(failure(`${'a{'.repeat(5)}b${'}'.repeat(5)}`, { maxDepth: 4 }), /nesting is deeper than 4 levels/);
  });

  it('parseQ should fail when the text is not a string', () => {
    assert.equal(failure(42 as unknown as string), 'Invalid q: it is not a string');
  });
});
