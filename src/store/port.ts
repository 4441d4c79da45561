import type { Entity } from '../core/entity/model.js';
import type { GeoQuery } from '../core/query/geo.js';
import type { QExpr } from '../core/query/q-ast.js';
import type { ScopeExpr } from '../core/query/scope-query.js';
import type { TypeExpr } from '../core/query/type-expr.js';
import type { NotificationTrigger, Subscription } from '../core/subscription/model.js';

/**
 * The storage port. `api` and the other layers talk to storage only through these interfaces;
 * one SQL implementation (store/sql-store.ts) sits behind them on either engine.
 */

/** The small SQL client every engine implements (PostgreSQL dialect, $1-style parameters). */
export interface SqlQueryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface SqlClient extends SqlQueryable {
  readonly engine: 'pglite' | 'postgres';
  /**
   * Calls `onNotify` on each NOTIFY of `channel`, from any session on the database (PostgreSQL LISTEN); resolves
   * to a function that stops listening.
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Selection of entities (clause 5.7.2): every member given must hold (they combine with AND). All names are
 * expanded IRIs. The store evaluates all of it in SQL.
 */
export interface EntitySelection {
  /**
   * The EntitySelectors of a Query (clause 5.2.33): an entity matches if it matches at least one (each selector's
   * members combine with AND).
   */
  entities?: readonly EntitySelector[];
  /** Entity Type Selection Language (clause 4.17). */
  type?: TypeExpr;
  ids?: readonly string[];
  /** Regular expression on the entity id (PostgreSQL ARE; one it rejects is a StoreQueryError). */
  idPattern?: string;
  /** An entity matches if it has at least one of these attributes. */
  attrs?: readonly string[];
  /** NGSI-LD Query Language (clause 4.9). */
  q?: QExpr;
  /** Geo-query (clause 4.10). */
  geo?: GeoQuery;
  /** Scope query (clause 4.19). */
  scopeQ?: ScopeExpr;
  /**
   * expandValues (clause 6.3.18): attributes whose string values are compared with the IRI a term of q expands
   * to, as VocabProperty values always are.
   */
  expandValues?: readonly string[];
}

export interface EntitySelector {
  type?: TypeExpr;
  id?: string;
  idPattern?: string;
}

/** A page of a selection, in id order. */
export interface EntityQuery extends EntitySelection {
  limit: number;
  offset: number;
  count: boolean;
}

export interface EntityQueryResult {
  entities: Entity[];
  /** Total number of matches, when `count` was asked. */
  count?: number;
}

/** Operations inside one write transaction of one tenant. */
export interface EntityTx {
  /** Loads the named entities and locks them until the transaction ends. */
  getForUpdate(ids: readonly string[]): Promise<Map<string, Entity>>;
  /** Inserts entities that do not exist yet; returns the ids actually inserted (others already existed). */
  insert(entities: readonly Entity[]): Promise<Set<string>>;
  /** Overwrites existing entities (all fields, including attrs and timestamps). */
  update(entities: readonly Entity[]): Promise<void>;
  /** Deletes entities; returns the ids that existed. */
  delete(ids: readonly string[]): Promise<Set<string>>;
}

export type ContextKind = 'Hosted' | 'Cached' | 'ImplicitlyCreated';

/** A @context kept by the broker (clause 5.13 JSON-LD context API). Contexts are not tenant-specific. */
export interface StoredContext {
  /** Local identifier (the last path segment of its URL at /ngsi-ld/v1/jsonldContexts/{id}). */
  id: string;
  /** The URL clients use for it (for Cached: the remote URL; for Hosted: Mimosa's own URL). */
  url: string;
  kind: ContextKind;
  /** The whole JSON document, {"@context": …}. */
  body: unknown;
  createdAt: string;
  lastUsage?: string;
  numberOfHits: number;
}

/**
 * What discovery (clauses 5.7.5–5.7.10) reports, with expanded names; the API compacts them and adds the ids.
 * Only what some entity of the tenant has now is reported.
 */
export interface EntityTypeSummary {
  type: string;
  /** Attributes some entity of the type has (clause 5.2.25 attributeNames). */
  attributeNames: string[];
}

export interface EntityTypeInfo {
  type: string;
  /** Entities of the type (clause 5.2.26). */
  entityCount: number;
  /** Each attribute entities of the type have, with the attribute types its instances have there. */
  attributeDetails: Array<{ attribute: string; attributeTypes: string[] }>;
}

export interface AttributeSummary {
  attribute: string;
  /** Types of the entities that have the attribute (clause 5.2.28 typeNames). */
  typeNames: string[];
}

export interface AttributeInfo extends AttributeSummary {
  /** Entities that have the attribute (clause 5.2.28 attributeCount; multi-attribute instances count once). */
  attributeCount: number;
  /** Attribute types of its instances (Property, Relationship…). */
  attributeTypes: string[];
}

// ---------------------------------------------------------------- subscriptions (clause 5.8) and their outbox

/**
 * The notifier's bookkeeping of a subscription: the system-generated members of clauses 5.2.12 and 5.2.14.
 * `status` (active, paused, expired) is derived from isActive and expiresAt by whoever renders it.
 */
export interface SubscriptionStatus {
  timesSent: number;
  timesFailed: number;
  /** Time of the last notification attempt. */
  lastNotification?: string;
  lastSuccess?: string;
  lastFailure?: string;
  /** Why the last attempt failed (operators read it in the subscription). */
  lastFailureReason?: string;
  /** NotificationParams.status: 'failed' once a notification was given up on (dead-lettered), 'ok' after a success. */
  notificationStatus?: 'ok' | 'failed';
  /** Notifications given up on after their last retry (kept in the dead-letter table). */
  deadLetters: number;
}

export interface StoredSubscription {
  subscription: Subscription;
  status: SubscriptionStatus;
}

export interface SubscriptionPage {
  items: StoredSubscription[];
  count?: number;
}

/**
 * Why a notification is due:
 * - change: entity writes matched the subscription; `changes` holds the entities as they were written;
 * - periodic: a timeInterval period began: the current matching entities are sent.
 */
export type NotificationReason = 'change' | 'periodic';

/** One entity change as the subscription saw it, captured in the write's transaction. */
export interface EntityChange {
  /** The entity after the write; absent when it was deleted. */
  after?: Entity;
  /** The entity before the write; absent when it was created. */
  before?: Entity;
  /** The triggers this change fired for the subscription (clause 5.2.12 notificationTrigger). */
  triggers: NotificationTrigger[];
  /** Expanded names of the attributes the triggers concern (created, updated or deleted ones). */
  attributes: string[];
}

/** A notification claimed by a worker: it holds a lease on it until it completes, fails or the lease ends. */
export interface ClaimedNotification {
  /** Outbox row ids: several when the queued notifications of a throttled subscription are coalesced into one. */
  ids: string[];
  tenant: string;
  reason: NotificationReason;
  /** For reason 'change': the changes, in write order (one row may carry a whole batch). */
  changes: EntityChange[];
  /** Delivery attempts made before this one. */
  attempts: number;
  /** The subscription as it is now (its endpoint and parameters may have changed since the row was queued). */
  subscription: Subscription;
  /** When the row was queued. */
  createdAt: string;
}

/** A notification its endpoint accepted, and when. */
export interface Delivered {
  n: ClaimedNotification;
  at: string;
}

export interface ClaimOptions {
  /** Identifies the claiming process in leases (for operators). */
  worker: string;
  limit: number;
  /** How long the claim holds; after it, another worker may take the notification again (at-least-once). */
  leaseMs: number;
  /** Endpoint keys (scheme://authority) this worker cannot take more of right now. */
  busyEndpoints: readonly string[];
  /** Most rows of one endpoint in one claim, so that a slow endpoint's backlog never fills a claim. */
  perEndpoint: number;
}

export interface SubscriptionStore {
  /** Implements 5.8.1: false when the tenant already has a subscription with that id. */
  createSubscription(tenant: string, sub: Subscription): Promise<boolean>;
  getSubscription(tenant: string, id: string): Promise<StoredSubscription | undefined>;
  /** Subscriptions of the tenant in id order. */
  listSubscriptions(tenant: string, page: { limit: number; offset: number; count: boolean }): Promise<SubscriptionPage>;
  /**
   * Implements 5.8.2: applies `change` to the locked subscription and stores the result, in one transaction; a
   * ProblemError thrown by `change` rolls back. Undefined when it does not exist.
   */
  updateSubscription(tenant: string, id: string, change: (s: Subscription) => Subscription): Promise<StoredSubscription | undefined>;
  /** Implements 5.8.5: false when it does not exist. Its queued notifications go with it. */
  deleteSubscription(tenant: string, id: string): Promise<boolean>;
}

/** The durable outbox the notification workers of every process share. */
export interface Outbox {
  /** Claims due notifications (FOR UPDATE SKIP LOCKED: no two workers get the same one). */
  claim(o: ClaimOptions): Promise<ClaimedNotification[]>;
  /**
   * Deliveries that succeeded, recorded together in one transaction (one commit for many deliveries): their rows
   * go, and each subscription's timesSent/lastSuccess are kept.
   */
  delivered(done: readonly Delivered[]): Promise<void>;
  /**
   * A delivery failed: timesFailed/lastFailure are kept, and the row is retried at `retryAt`, or, without one,
   * moved to the dead-letter table. `blockUntil` (endpoint cooldown) holds the subscription's other rows too.
   */
  failed(n: ClaimedNotification, at: string, reason: string, retryAt?: string, blockUntil?: string): Promise<void>;
  /** Queues one notification for each periodic subscription whose period has begun; returns how many. */
  schedulePeriodic(): Promise<number>;
  /** Extends the leases `worker` holds on rows `ids` (claimed, still being delivered) to `leaseMs` from now. */
  renew(worker: string, ids: readonly string[], leaseMs: number): Promise<void>;
  /**
   * Deletes the queued notifications of expired subscriptions (clause 5.2.12 expiresAt: they notify no more);
   * returns how many.
   */
  sweepExpired(): Promise<number>;
  /** Milliseconds until the next due row or period, as far as the database knows (undefined: none). */
  nextDueInMs(): Promise<number | undefined>;
  /** Calls `wake` whenever notifications are queued, by this process or (PostgreSQL) another one. */
  watch(wake: () => void): Promise<() => Promise<void>>;
}

export interface EntityStore {
  /** Runs fn in one transaction of the tenant, creating the tenant if it does not exist yet. */
  write<T>(tenant: string, fn: (tx: EntityTx) => Promise<T>): Promise<T>;
  getEntity(tenant: string, id: string): Promise<Entity | undefined>;
  queryEntities(tenant: string, query: EntityQuery): Promise<EntityQueryResult>;
  tenantExists(tenant: string): Promise<boolean>;
  listTenants(): Promise<string[]>;

  /** Entity types some entity of the tenant has (clause 5.7.5), expanded, in IRI order. */
  listEntityTypes(tenant: string): Promise<string[]>;
  /** The same types with their attribute names (clause 5.7.6). */
  listEntityTypeDetails(tenant: string): Promise<EntityTypeSummary[]>;
  /** One entity type (clause 5.7.7); undefined when no entity of the tenant has it. */
  getEntityTypeInfo(tenant: string, type: string): Promise<EntityTypeInfo | undefined>;
  /** Attribute names some entity of the tenant has (clause 5.7.8), expanded, in IRI order. */
  listAttributes(tenant: string): Promise<string[]>;
  /** The same attributes with the types of the entities that have them (clause 5.7.9). */
  listAttributeDetails(tenant: string): Promise<AttributeSummary[]>;
  /** One attribute (clause 5.7.10); undefined when no entity of the tenant has it. */
  getAttributeInfo(tenant: string, attribute: string): Promise<AttributeInfo | undefined>;

  putContext(ctx: StoredContext): Promise<void>;
  getContext(id: string): Promise<StoredContext | undefined>;
  getContextByUrl(url: string): Promise<StoredContext | undefined>;
  listContexts(kind?: ContextKind): Promise<StoredContext[]>;
  deleteContext(id: string): Promise<boolean>;
  /** Records a use of a stored context (lastUsage, numberOfHits). */
  touchContext(id: string, at: string): Promise<void>;

  /** Cheap liveness probe of the database (health endpoint). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What createSqlStore gives: entities, subscriptions and the notification outbox on one database. */
export interface Store extends EntityStore, SubscriptionStore {
  readonly outbox: Outbox;
}
