/**
 * The abstract syntax of the NGSI-LD Query Language (clause 4.9), as `parseQ` and `parseCsf` produce it and the
 * SQL compiler consumes it. Attribute, sub-attribute, relationship and entity type names are already expanded to
 * IRIs with the request's @context (clause 5.5.7); compound-value keys (`[a.b]`) are JSON member names and stay
 * as written (clause 4.9: evaluated as an ECMA 262 MemberExpression against the value).
 */

/** Attribute members that a dotted path may end with, as if they were sub-attributes (clause 4.9 example 8). */
export const metaMembers = ['observedAt', 'createdAt', 'modifiedAt', 'unitCode', 'datasetId'] as const;
export type MetaMember = (typeof metaMembers)[number];

/** One Relationship followed to linked entities (clause 4.9 LinkedEntityRelation, clause 4.5.23). */
export interface LinkStep {
  /** Expanded IRI of the Relationship followed. */
  rel: string;
  /** Expanded entity types hinted for the target entities (`sensor{Device:humidity}`); empty when none. */
  types: string[];
}

/** The attribute path of a Query Term (production rule Attribute). */
export interface QPath {
  /** Relationships to follow before `attr` is looked up on the linked entities; empty for a plain path. */
  via: LinkStep[];
  /** Expanded IRI of the top-level attribute (of the entity reached through `via`). */
  attr: string;
  /** Expanded IRIs of the sub-attributes below `attr`, outermost first. */
  sub: string[];
  /** A trailing `.observedAt`, `.unitCode`…: the target is that member of the (sub-)attribute, not its value. */
  member?: MetaMember;
  /**
   * Trailing compound-value path (`address[city]`, `a[b.c]`, `a[b][c]`), as JSON member names. For a
   * LanguageProperty the single key is the language tag, or `*` for any language (clause 4.9 `color[*]`);
   * `*` is only accepted as the whole of a one-key path. Empty when absent.
   */
  keys: string[];
}

/** Values that have an order: Number, quotedStr, dateTime, date, time (production rule ComparableValue). */
export type QComparable =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  /** Normalised: decimal comma → point, missing zone → `Z` (clause 4.6.3: timestamps are UTC). */
  | { kind: 'dateTime'; value: string }
  | { kind: 'date'; value: string }
  /** Normalised: decimal comma → point. */
  | { kind: 'time'; value: string };

export type QValue =
  | QComparable
  | { kind: 'boolean'; value: boolean }
  /** An unquoted URI (production rule URI): compared with Relationship objects and vocab IRIs. */
  | { kind: 'uri'; value: string }
  /**
   * An unquoted word (`gender==Male`, clause 4.9 example 12): compared as the string `value`, or as `iri` (its
   * expansion) against a VocabProperty or an attribute listed in expandValues.
   */
  | { kind: 'term'; value: string; iri: string };

export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export type QExpr =
  | { kind: 'and'; items: QExpr[] }
  | { kind: 'or'; items: QExpr[] }
  /** `attr`: the target element exists. */
  | { kind: 'exists'; path: QPath }
  /** `!attr`: the target element does not exist (not in the ABNF; accepted like Orion-LD and Stellio do). */
  | { kind: 'notExists'; path: QPath }
  | { kind: 'compare'; path: QPath; op: CompareOp; value: QValue }
  /** `attr==v1,v2…` (any of) or, negated, `attr!=v1,v2…` (none of); two values at least. */
  | { kind: 'in'; path: QPath; negated: boolean; values: QValue[] }
  /** `attr==min..max` (both included) or, negated, `attr!=min..max`; both ends of one kind. */
  | { kind: 'range'; path: QPath; negated: boolean; min: QComparable; max: QComparable }
  /**
   * `attr~=re` / `attr!~=re`. `pattern` compiles as a JavaScript RegExp; a leading `(?i)` is lifted into
   * `ignoreCase`. The spec names POSIX regular expressions (IEEE 1003.2); PostgreSQL evaluates its own ARE
   * flavour, which differs from JavaScript on named groups, `\p{…}` classes, `[[:alpha:]]` classes, `\b`
   * (PostgreSQL: backspace; word boundary is `\y`) and lookbehind details: the SQL side must report what it
   * rejects as BadRequestData.
   */
  | { kind: 'pattern'; path: QPath; negated: boolean; pattern: string; ignoreCase: boolean };
