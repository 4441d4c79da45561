/**
 * The NGSI-LD information model as Mimosa holds it (clause 4.5 of ETSI GS CIM 009).
 *
 * An entity is kept in the *normalized* representation with every attribute and sub-attribute name
 * and every entity type already expanded to its full IRI, so that storage and queries never depend
 * on a client's @context. Rendering compacts names again with the requester's context.
 */

export const NGSI_LD = 'https://uri.etsi.org/ngsi-ld/';
/** The IRI of the default GeoProperty `location`. */
export const LOCATION = `${NGSI_LD}location`;
/** Merge-patch / update sentinel that deletes what it is assigned to (clause 4.5.0 / 5.6.17). */
export const NGSI_LD_NULL = 'urn:ngsi-ld:null';

export const attributeTypes = [
  'Property',
  'Relationship',
  'GeoProperty',
  'LanguageProperty',
  'VocabProperty',
  'JsonProperty',
  'ListProperty',
  'ListRelationship',
] as const;
export type AttributeType = (typeof attributeTypes)[number];

/** The member holding the content of each attribute type (clauses 4.5.2–4.5.24). */
export const contentMember: Record<AttributeType, string> = {
  Property: 'value',
  GeoProperty: 'value',
  Relationship: 'object',
  LanguageProperty: 'languageMap',
  VocabProperty: 'vocab',
  JsonProperty: 'json',
  ListProperty: 'valueList',
  ListRelationship: 'objectList',
};

/** Members of an attribute that are NGSI-LD keywords, never sub-attributes (clause 4.5.2–4.5.24). */
export const attributeKeywords = new Set([
  'type',
  'value',
  'object',
  'objectType',
  'languageMap',
  'vocab',
  'json',
  'valueList',
  'objectList',
  'datasetId',
  'observedAt',
  'unitCode',
  'createdAt',
  'modifiedAt',
  'deletedAt',
  'instanceId',
  'previousValue',
  'previousObject',
  'previousLanguageMap',
  'previousVocab',
  'previousJson',
  'previousValueList',
  'previousObjectList',
  'lang',
]);

/** Members of an entity that are NGSI-LD keywords, never attributes. */
export const entityKeywords = new Set(['id', 'type', 'scope', 'createdAt', 'modifiedAt', 'deletedAt', '@context']);

/**
 * One attribute instance in normalized form. Keyword members keep their NGSI-LD names; every other
 * member is a sub-attribute whose key is an expanded IRI and whose value is an Attribute.
 */
export interface Attribute {
  type: AttributeType;
  value?: unknown;
  object?: string | string[];
  objectType?: string | string[];
  languageMap?: Record<string, string | string[]>;
  vocab?: string | string[];
  json?: unknown;
  valueList?: unknown[];
  objectList?: Array<{ object: string }>;
  datasetId?: string;
  observedAt?: string;
  unitCode?: string;
  createdAt?: string;
  modifiedAt?: string;
  [subAttributeIri: string]: unknown;
}

/** An entity as stored: expanded names, every attribute as the list of its instances (by datasetId). */
export interface Entity {
  id: string;
  /** Expanded type IRIs, at least one. */
  types: string[];
  /** Scopes (clause 4.18), if any. */
  scope?: string[];
  createdAt: string;
  modifiedAt: string;
  /** Expanded attribute IRI → instances, at most one per datasetId (the default instance has none). */
  attrs: Record<string, Attribute[]>;
}

