/**
 * Lexical checks on the strings an NGSI-LD body carries: identifiers (URIs), names, timestamps, scopes and
 * language tags. Pure predicates; the parsers turn a `false` into a BadRequestData with a precise detail.
 */

const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** Characters RFC 3986 / RFC 3987 never allow in a URI or IRI: whitespace, C0/C1 controls, <>"{}|\^` . */
const uriForbidden = /[\s\u0000-\u001F\u007F-\u009F<>"{}|\\^`]/u;
const badPercent = /%(?![0-9A-Fa-f]{2})/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * An absolute URI (RFC 3986 `scheme ":" hier-part`, Unicode allowed as in IRIs, clause 5.2.1):
 * a scheme, something after the colon, well-formed percent escapes, at most one fragment.
 */
export function isUri(s: string): boolean {
  if (typeof s !== 'string') return false;
  const m = scheme.exec(s);
  if (!m || s.length === m[0].length) return false;
  if (uriForbidden.test(s) || badPercent.test(s) || loneSurrogate.test(s)) return false;
  return s.indexOf('#') === s.lastIndexOf('#');
}

/**
 * Characters refused in Entity Type, Attribute and vocabulary names. Clause 4.6.2 restricts names to letters,
 * digits and `_` (optionally `prefix:`), but names may also be full IRIs, and deployed data models use `-` and `.`;
 * so, like other brokers, we refuse what breaks IRIs, the query language (clause 4.9) or list parameters
 * (`attrs=a,b`): whitespace, control and format characters, and <>"'=;(){}|\^`, .
 */
const nameForbidden = /[\s\p{Cc}\p{Cf}\p{Z}<>"'=;(){}|\\^`,]/u;

/**
 * Refused although clause 4.6.2's letters, digits and `_` allow it: every `obj[name] = …` (rendering, merging) sets
 * the prototype instead of a member, so an attribute of this name would be stored and then silently lost on read.
 * `constructor` and `prototype` are assigned as plain own members and stay valid names, as the spec has them.
 */
const PROTO = '__proto__';

/** Whether `name` is acceptable as an Attribute (or Entity Type) name before expansion (clause 4.6.2). */
export function isValidAttributeName(name: string): boolean {
  if (typeof name !== 'string' || name.length === 0 || name === PROTO) return false;
  // JSON-LD keywords (@id, @context…) are never names.
  if (name.startsWith('@')) return false;
  return !nameForbidden.test(name) && !loneSurrogate.test(name);
}

const dateTime = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * An ISO 8601 date-time with a time zone (clause 4.6.3 DateTime): `2024-01-01T12:00:00Z`, with optional
 * seconds, fraction and `±hh:mm` offset. A value without zone would be ambiguous in temporal queries.
 */
export function isDateTime(s: string): boolean {
  const m = typeof s === 'string' ? dateTime.exec(s) : null;
  if (!m) return false;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  return m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
}

/** Clause 4.18: `Scope = ["/"] ScopeLevel *("/" ScopeLevel)`, ScopeLevel = 1*(unicodeLetter / unicodeNumber / "_"). */
const scopeSyntax = /^\/?[\p{L}\p{N}_]+(?:\/[\p{L}\p{N}_]+)*$/u;

export function isScope(s: string): boolean {
  return typeof s === 'string' && scopeSyntax.test(s);
}

/** A BCP 47 language tag in its general shape (clause 4.5.18 LanguageProperty); full registry checks are not ours. */
const languageTag = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;

export function isLanguageTag(s: string): boolean {
  return typeof s === 'string' && languageTag.test(s);
}
