/**
 * The NGSI-LD Context Source Registration (ETSI GS CIM 009 V1.8.1 clause 5.2.9, with RegistrationInfo 5.2.10,
 * EntityInfo 5.2.8, TimeInterval 5.2.11 and KeyValuePair 5.2.22) as Mimosa stores it.
 *
 * As for entities and subscriptions, every name is expanded to its IRI (entity types, property and relationship
 * names, the names of the registration's own Properties), so that matching never depends on the registrant's
 * @context; the context itself is kept to render the registration back in the registrant's terms when a reader
 * gives none. The system-generated members (status, timesSent, timesFailed, lastSuccess, lastFailure) are the
 * broker's bookkeeping of distributed operations (RegistrationStatus) and are refused when a client sends them.
 */
import type { GeoJSONGeometry } from '../entity/geojson.js';
import { LOCATION, NGSI_LD } from '../entity/model.js';
import type { KeyValuePair } from '../subscription/model.js';
import type { Operation, OperationGroup } from './operations.js';

/** Clause 4.3.6: additive (inclusive, auxiliary) and proxied (exclusive, redirect) registrations. */
export const registrationModes = ['inclusive', 'exclusive', 'redirect', 'auxiliary'] as const;
export type RegistrationMode = (typeof registrationModes)[number];

/** The GeoProperties of a registration a geo-query may name (clause 5.2.9), expanded. */
export const registrationGeoProperties: readonly string[] = [LOCATION, `${NGSI_LD}observationSpace`, `${NGSI_LD}operationSpace`];

/** Clause 5.2.8 EntityInfo: the entity type(s) are mandatory; `id` and `idPattern` are optional. */
export interface EntityInfo {
  /** Expanded entity types: an entity described by this EntityInfo has all of them. */
  types: string[];
  id?: string;
  /** A regular expression on entity ids (as written; it compiles as a JavaScript RegExp and a PostgreSQL ARE). */
  idPattern?: string;
}

/** Clause 5.2.10: at least one member; absent lists mean "any" (all entities, all attributes). */
export interface RegistrationInfo {
  entities?: EntityInfo[];
  /** Expanded Property names. */
  propertyNames?: string[];
  /** Expanded Relationship names. */
  relationshipNames?: string[];
}

/** Clause 5.2.11: [startAt, endAt); an absent endAt leaves the interval open. */
export interface TimeInterval {
  startAt: string;
  endAt?: string;
}

/** Clause 5.2.34 RegistrationManagementInfo, the members Mimosa keeps. */
export interface RegistrationManagement {
  localOnly?: boolean;
  /** ISO 8601 duration, as given. */
  cacheDuration?: string;
  /** Milliseconds, >= 1. */
  timeout?: number;
  /** Milliseconds, >= 1. */
  cooldown?: number;
}

export interface ContextSourceRegistration {
  id: string;
  type: 'ContextSourceRegistration';
  registrationName?: string;
  description?: string;
  information: RegistrationInfo[];
  /** Clause 4.5.5: the datasetIds the source provides (`@none`: the default instances). */
  datasetId?: string[];
  tenant?: string;
  observationInterval?: TimeInterval;
  managementInterval?: TimeInterval;
  location?: GeoJSONGeometry;
  observationSpace?: GeoJSONGeometry;
  operationSpace?: GeoJSONGeometry;
  expiresAt?: string;
  /** The NGSI-LD interface of the source (an absolute URI). */
  endpoint: string;
  contextSourceInfo?: KeyValuePair[];
  /** Clause 4.18 scopes, as given (a single scope is kept as a one-item list). */
  scope?: string[];
  mode: RegistrationMode;
  /** As given: single operations and groups; federationOps when the client gave none. */
  operations: Array<Operation | OperationGroup>;
  refreshRate?: string;
  management?: RegistrationManagement;
  contextSourceAlias?: string;
  /** The registrant's own Properties (clause 5.2.9 "CSourcePropertyName"): expanded name → value. */
  properties?: Record<string, unknown>;
  /** The user @context entries the registration was made with (the core context excluded). */
  context: unknown[];
  createdAt: string;
  modifiedAt: string;
}

/** A parsed create request: the caller generates the id when the client gave none (clause 5.9.2). */
export type RegistrationDraft = Omit<ContextSourceRegistration, 'id'> & { id?: string };

/** Clause 5.9.3: the members an update gives; `information` and the other lists are replaced as a whole. */
export type RegistrationPatch = Partial<Omit<ContextSourceRegistration, 'type' | 'createdAt' | 'context'>> & { modifiedAt: string };

/** The broker's bookkeeping of the distributed operations a registration served (clause 5.2.9, read-only). */
export interface RegistrationStatus {
  timesSent: number;
  timesFailed: number;
  lastSuccess?: string;
  lastFailure?: string;
}

/** Clause 5.2.9 status: ok after a success, failed after a failure, absent before any distributed operation. */
export function statusOf(s: RegistrationStatus): 'ok' | 'failed' | undefined {
  if (s.lastSuccess === undefined && s.lastFailure === undefined) return undefined;
  if (s.lastFailure === undefined) return 'ok';
  if (s.lastSuccess === undefined) return 'failed';
  return Date.parse(s.lastFailure) > Date.parse(s.lastSuccess) ? 'failed' : 'ok';
}

/** The attributes an information item names (Properties and Relationships), or undefined for "every attribute". */
export function attributesOf(info: RegistrationInfo): string[] | undefined {
  if (info.propertyNames === undefined && info.relationshipNames === undefined) return undefined;
  return [...new Set([...(info.propertyNames ?? []), ...(info.relationshipNames ?? [])])];
}
