/**
 * The NGSI-LD Subscription (ETSI GS CIM 009 V1.8.1 clause 5.2.12, with NotificationParams 5.2.14, Endpoint 5.2.15
 * and EntitySelector 5.2.33) as Mimosa stores it.
 *
 * Like entities (src/core/entity/model.ts), every name is already expanded to its IRI and every query is already
 * parsed to its AST, so that matching never depends on the subscriber's @context. The context itself is kept
 * (`context`) to compact notifications and to render the subscription back; the query strings are printed again
 * from their ASTs (printQ, printScopeQuery, printTypeExpression).
 * System-generated members (status, timesSent, lastNotification…) are not here: they belong to the notifier's
 * bookkeeping and are refused when a client sends them.
 */
import type { Format } from '../entity/render.js';
import type { GeoQuery } from '../query/geo.js';
import type { QExpr } from '../query/q-ast.js';
import type { ScopeExpr } from '../query/scope-query.js';
import type { TypeExpr } from '../query/type-expr.js';

export const notificationTriggers = [
  'entityCreated',
  'entityUpdated',
  'entityDeleted',
  'attributeCreated',
  'attributeUpdated',
  'attributeDeleted',
] as const;
export type NotificationTrigger = (typeof notificationTriggers)[number];

/** Clause 5.2.12: "If not present, the default is the combination attributeCreated and attributeUpdated". */
export const defaultNotificationTrigger: readonly NotificationTrigger[] = ['attributeCreated', 'attributeUpdated'];

export const endpointMediaTypes = ['application/json', 'application/ld+json', 'application/geo+json'] as const;
export type EndpointMediaType = (typeof endpointMediaTypes)[number];

/** Clause 5.2.33. `id` takes precedence over `idPattern` when both are given; both are kept as written. */
export interface EntitySelector {
  /** The Entity Type Selection (clause 4.17), names expanded. */
  type: TypeExpr;
  id?: string;
  /** A regular expression (IEEE 1003.2 as written; compiled and matched as a JavaScript RegExp without flags). */
  idPattern?: string;
}

/** Clause 5.2.22. */
export interface KeyValuePair {
  key: string;
  value: string;
}

/** Clause 5.2.15. */
export interface Endpoint {
  /** Absolute http, https, mqtt or mqtts URI. */
  uri: string;
  /** Defaults to application/json when absent (clause 5.2.15). */
  accept?: EndpointMediaType;
  receiverInfo?: KeyValuePair[];
  notifierInfo?: KeyValuePair[];
  /** Milliseconds, >= 1. */
  timeout?: number;
  /** Milliseconds, >= 1. */
  cooldown?: number;
}

/** Scheduling key of an endpoint URI: its scheme and authority (notifiers limit concurrency per key). */
export function endpointKey(uri: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(uri);
  return (m?.[1] ?? uri).toLowerCase();
}

/** Clause 5.2.14, client-provided members only. */
export interface NotificationParams {
  /** Expanded attribute names; absent means all attributes. */
  attributes?: string[];
  /** `simplified` is stored as its synonym `keyValues`. */
  format: Format;
  sysAttrs: boolean;
  showChanges: boolean;
  endpoint: Endpoint;
}

export interface Subscription {
  id: string;
  type: 'Subscription';
  subscriptionName?: string;
  description?: string;
  entities?: EntitySelector[];
  /** Expanded attribute names; absent means any attribute. */
  watchedAttributes?: string[];
  notificationTrigger: NotificationTrigger[];
  /** Seconds between periodic notifications; exclusive with watchedAttributes and throttling. */
  timeInterval?: number;
  q?: QExpr;
  geoQ?: GeoQuery;
  scopeQ?: ScopeExpr;
  csf?: QExpr;
  isActive: boolean;
  notification: NotificationParams;
  expiresAt?: string;
  /** Seconds that must elapse between two notifications. */
  throttling?: number;
  lang?: string;
  jsonldContext?: string;
  localOnly?: boolean;
  /** Selected datasetIds (clause 4.5.5); `@none` selects the default instances. */
  datasetId?: string[];
  /** The user @context entries the subscription was made with (the core context excluded). */
  context: unknown[];
  createdAt: string;
  modifiedAt: string;
}

/** A parsed create request: the caller generates the id when the client gave none (clause 5.8.1). */
export type SubscriptionDraft = Omit<Subscription, 'id'> & { id?: string };

/** Clause 5.8.2: the members an update gives. `notification` is replaced as a whole. */
export type SubscriptionPatch = Partial<Omit<Subscription, 'type' | 'createdAt' | 'context'>> & { modifiedAt: string };
