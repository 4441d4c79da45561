import type { ContextSourceRegistration, RegistrationStatus } from '../core/csr/model.js';
import type { CsourceSubscription } from '../core/csr/subscription.js';
import type { RegistrationTimeQuery } from '../core/csr/time.js';
import type { Attribute, Entity } from '../core/entity/model.js';
import type { GeoQuery } from '../core/query/geo.js';
import type { QExpr } from '../core/query/q-ast.js';
import type { ScopeExpr } from '../core/query/scope-query.js';
import type { Result } from '../core/problem.js';
import type { TypeExpr } from '../core/query/type-expr.js';
import type { NotificationTrigger, Subscription } from '../core/subscription/model.js';
import type { Aggregation, AggregationMethod, TemporalQuery } from '../core/temporal/query.js';

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
 * - periodic: a timeInterval period began: the current matching entities are sent;
 * - csource: registrations changed for a registration subscription (clause 5.11); `csource` holds them.
 */
export type NotificationReason = 'change' | 'periodic' | 'csource';

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
  /** For reason 'csource': the registrations to notify and why (clause 5.3.2). */
  csource?: RegistrationNotice;
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
  /**
   * Creates one entity unless one with its id exists (clause 5.6.1); resolves to whether it was created.
   * Concurrent creates of a tenant may share a transaction (store/create-batcher.ts), each with its own outcome.
   */
  create(tenant: string, entity: Entity): Promise<boolean>;
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

// ---------------------------------------------------------------- temporal evolution (clauses 5.6.11–5.6.16, 5.7.3, 5.7.4)

/** What the temporal evolution knows of an entity itself (its types and scope as last recorded). */
export interface TemporalEntityInfo {
  id: string;
  /** Every type the entity has had, expanded. */
  types: string[];
  scope?: string[];
  createdAt: string;
  modifiedAt: string;
  /** When the entity was deleted through the entity API (kept only with MIMOSA_TEMPORAL_KEEP_DELETED). */
  deletedAt?: string;
}

/** One recorded attribute instance (clauses 4.5.7, 4.5.8). */
export interface StoredInstance {
  /** `urn:ngsi-ld:<uuid>`, the handle of clauses 5.6.14 and 5.6.15. */
  instanceId: string;
  /** As recorded (normalized, expanded); a deletion instance holds NGSI-LD Null and `deletedAt`. */
  attribute: Attribute;
  /** The value of the query's time property (milliseconds): the order of instances and the temporalValues time. */
  time: number;
}

/** One aggregation period of one attribute (clause 4.5.19): [start, end) in milliseconds. */
export interface AggregatedPeriod {
  start: number;
  end: number;
  /** OR of the kind bits (core/temporal/instance.ts) of the instances aggregated. */
  kinds: number;
  /** Raw results: numbers (DateTime as milliseconds), strings for min/max of strings. */
  values: Partial<Record<AggregationMethod, number | string | null>>;
}

export interface AggregatedSeries {
  datasetId?: string;
  periods: AggregatedPeriod[];
}

/** The temporal evolution of one entity as a query selected it. */
export interface TemporalEntityData {
  entity: TemporalEntityInfo;
  /** Attribute IRI → instances in time order (normalized and temporalValues representations). */
  instances: Record<string, StoredInstance[]>;
  /** Attribute IRI → one series per datasetId (aggregated representation). */
  aggregated: Record<string, AggregatedSeries[]>;
}

/** What to take of each selected entity's evolution. */
export interface TemporalScope {
  query: TemporalQuery;
  /** Only these attributes (expanded); all when absent. */
  attrs?: readonly string[];
  /** Not these attributes. */
  omit?: readonly string[];
  /** Only instances of these datasets ('@none': the default instance). */
  datasetIds?: readonly string[];
  /** Aggregated representation: periods instead of instances. */
  aggregation?: Aggregation;
  /** Most instances per attribute in one answer (clause 6.3.10 pagination); the rest is for the next request. */
  instanceLimit: number;
}

/** Query Temporal Evolution of Entities (clause 5.7.4): an entity selection, a page, and what to take. */
export interface TemporalEntityQuery extends TemporalScope {
  selection: EntitySelection;
  limit: number;
  offset: number;
  count: boolean;
}

export interface TemporalResult {
  entities: TemporalEntityData[];
  count?: number;
  /**
   * Set when some attribute had more than instanceLimit instances: every attribute was cut at one instant, and
   * these are the earliest and latest times answered (milliseconds).
   */
  truncated?: { first: number; last: number };
}

/** A temporal evolution fragment (clause 5.2.20): instances to add, several per attribute and dataset allowed. */
export interface TemporalFragment {
  id: string;
  types?: string[];
  scope?: string[];
  attrs: Record<string, Attribute[]>;
}

/** The outcome of a change to one attribute of a temporal evolution: done, or what does not exist. */
export type TemporalChange = 'done' | 'noEntity' | 'noAttribute' | 'noInstance';

export interface TemporalStore {
  /** Implements 5.6.11: creates the evolution, or adds the instances (and types) to it. */
  upsertTemporalEntity(tenant: string, f: TemporalFragment, now: string): Promise<'created' | 'updated'>;
  /** Implements 5.6.12: false when the entity has no temporal evolution. */
  appendTemporalAttributes(tenant: string, f: TemporalFragment, now: string): Promise<boolean>;
  /** Implements 5.6.16: false when the entity has no temporal evolution. */
  deleteTemporalEntity(tenant: string, id: string): Promise<boolean>;
  /** Implements 5.6.13: the default instances, those of one dataset, or all. */
  deleteTemporalAttribute(tenant: string, id: string, attr: string, o: { datasetId?: string; deleteAll: boolean }): Promise<TemporalChange>;
  /** Implements 5.6.14: replaces one instance; createdAt kept, modifiedAt = now. */
  replaceTemporalInstance(tenant: string, id: string, attr: string, instanceId: string, instance: Attribute, now: string): Promise<TemporalChange>;
  /** Implements 5.6.15. */
  deleteTemporalInstance(tenant: string, id: string, attr: string, instanceId: string): Promise<TemporalChange>;
  /** Implements 5.7.3: undefined when the entity has no temporal evolution. */
  retrieveTemporal(tenant: string, id: string, scope: TemporalScope): Promise<TemporalResult | undefined>;
  /** Implements 5.7.4: a page of entities in id order, each with what the scope takes. */
  queryTemporal(tenant: string, query: TemporalEntityQuery): Promise<TemporalResult>;
  /**
   * Keeps the instance partitions: creates those of the months around `now`, and with `retentionMs` drops the
   * instances older than that (whole partitions where they are entirely older). Safe to call from every process.
   */
  maintainTemporal(o: { now: number; retentionMs?: number }): Promise<{ created: number; dropped: number; deleted: number }>;
}

// ---------------------------------------------------------------- IoT agent provisioning (src/iot, FIWARE IoT Agent API)

/** A config group ("service"): the keys the agent selects on, and its provisioning document as src/iot keeps it. */
export interface IotServiceRow {
  tenant: string;
  servicePath: string;
  resource: string;
  /** `(resource, apikey)` is unique across tenants: measures carry the API key, not the tenant. */
  apikey: string;
  /** Names of its commands. */
  commands: string[];
  doc: Record<string, unknown>;
}

/** A device, provisioned or autoprovisioned. */
export interface IotDeviceRow {
  tenant: string;
  servicePath: string;
  deviceId: string;
  /** The API key its measures arrive with (its own or its group's); `(apikey, deviceId)` is unique across tenants. */
  apikey?: string;
  /** The entity its measures update. */
  entityId: string;
  /** Names of its own commands (its group's are the group's). */
  commands: string[];
  doc: Record<string, unknown>;
}

export interface IotPage<T> {
  /** All that match, beyond the page too. */
  count: number;
  items: T[];
}

/** `servicePath` undefined selects every service path of the tenant (FIWARE's `/*`). */
export interface IotStore {
  /** Creates the groups in one transaction, or none: then returns the first that exists already. */
  createServices(rows: readonly IotServiceRow[]): Promise<{ duplicate?: IotServiceRow }>;
  listServices(tenant: string, servicePath: string | undefined, page: { limit: number; offset: number }): Promise<IotPage<IotServiceRow>>;
  /** Stores `change` of the locked group; undefined when it does not exist. */
  updateService(tenant: string, servicePath: string | undefined, key: { resource: string; apikey: string }, change: (r: IotServiceRow) => IotServiceRow): Promise<IotServiceRow | undefined>;
  deleteService(tenant: string, servicePath: string | undefined, key: { resource: string; apikey: string }): Promise<boolean>;
  /** The groups of an API key, whatever their tenant (southbound look-up). */
  servicesByApikey(apikey: string): Promise<IotServiceRow[]>;
  /** Creates the devices in one transaction, or none: then returns the first whose id (or API key and id) is taken. */
  createDevices(rows: readonly IotDeviceRow[]): Promise<{ duplicate?: IotDeviceRow }>;
  /** Autoprovisioning: inserts the device unless one with its keys exists; returns what is stored (safe when concurrent). */
  ensureDevice(row: IotDeviceRow): Promise<IotDeviceRow | undefined>;
  listDevices(tenant: string, servicePath: string | undefined, page: { limit: number; offset: number }): Promise<IotPage<IotDeviceRow>>;
  getDevice(tenant: string, servicePath: string | undefined, deviceId: string): Promise<IotDeviceRow | undefined>;
  /** Stores `change` of the locked device; undefined when it does not exist, 'conflict' when its new keys are taken. */
  updateDevice(tenant: string, servicePath: string | undefined, deviceId: string, change: (r: IotDeviceRow) => IotDeviceRow): Promise<IotDeviceRow | 'conflict' | undefined>;
  deleteDevice(tenant: string, servicePath: string | undefined, deviceId: string): Promise<boolean>;
  /** The device measures with this API key and id are for (southbound look-up). */
  deviceByApikey(apikey: string, deviceId: string): Promise<IotDeviceRow | undefined>;
  /** The devices whose measures update this entity. */
  devicesByEntity(tenant: string, entityId: string): Promise<IotDeviceRow[]>;
  /** Every command name of every device and group. */
  commandNames(): Promise<string[]>;
}

/** What createSqlStore gives: entities, subscriptions, the notification outbox and temporal evolutions on one database. */
export interface Store extends EntityStore, SubscriptionStore, TemporalStore {
  readonly outbox: Outbox;
  /** The IoT agent's provisioning (src/iot). */
  readonly iot: IotStore;
  /** Smart Data Models added through the API, validation modes and recorded violations (src/models). */
  readonly models: ModelStore;
  /** Context source registrations and registration subscriptions (clauses 5.9–5.11). */
  readonly registrations: RegistrationStore;
}

// ---------------------------------------------------------------- Smart Data Models (src/models, OASC MIM2)

/** A model added through the API, as it was given. */
export interface StoredModel {
  /** Expanded IRI of the entity type the model governs: its identity. */
  typeIri: string;
  /** The short type name (e.g. ParkingSpot). */
  name: string;
  /** The JSON Schema of the keyValues form. */
  schema: unknown;
  /** The @context entries the model's names are compacted with ([] = the core context only). */
  context: unknown[];
  /** Documents the schema's `$ref`s name, by URL. */
  documents: Record<string, unknown>;
  createdAt: string;
}

/** How writes of a tenant are checked against a model; `off` is the absence of a setting. */
export type ValidationMode = 'off' | 'warn' | 'enforce';

export interface ValidationSetting {
  tenant: string;
  typeIri: string;
  mode: Exclude<ValidationMode, 'off'>;
}

/** One way an entity does not conform: where in its keyValues form (RFC 6901 JSON pointer), and how. */
export interface Violation {
  pointer: string;
  message: string;
  /** The attribute instance concerned, when it is not the default one. */
  datasetId?: string;
}

/** The violations of an entity's last write validated in warn mode against one model. */
export interface ViolationRecord {
  entityId: string;
  typeIri: string;
  violations: Violation[];
  recordedAt: string;
}

export interface ViolationQuery {
  typeIri?: string;
  entityId?: string;
  limit: number;
  offset: number;
  count: boolean;
}

export interface ModelStore {
  /** False when a model of that type exists already. */
  insertModel(m: StoredModel): Promise<boolean>;
  /** False when there was none. */
  deleteModel(typeIri: string): Promise<boolean>;
  listModels(): Promise<StoredModel[]>;
  /** `off` removes the setting. */
  setValidationMode(tenant: string, typeIri: string, mode: ValidationMode): Promise<void>;
  listValidationModes(): Promise<ValidationSetting[]>;
  /** Keeps each entity's latest violations per model; a record without violations clears the entity's. */
  recordViolations(tenant: string, records: readonly ViolationRecord[]): Promise<void>;
  /** Recorded violations of entities that exist, most recent first. */
  listViolations(tenant: string, q: ViolationQuery): Promise<{ items: ViolationRecord[]; count?: number }>;
  /** Calls `onChange` whenever a model or a mode changes, through this process or (PostgreSQL) another one. */
  watchModels(onChange: () => void): Promise<() => Promise<void>>;
}

// ---------------------------------------------------------------- context source registrations (clauses 5.9–5.11)

/**
 * A selection of registrations (clause 5.10.2 discovery, and the selection members of a registration
 * subscription), every name expanded; the members given combine with AND. Entity members (entities, type, ids,
 * idPattern, attrs) are matched against the registration's information as core/csr/match.ts describes; `q` and
 * `csf` against its own members and Properties; `geo` against its location, observationSpace or operationSpace
 * (by geoproperty); `scopeQ` against its scope; `time` against its intervals (none: only registrations without
 * intervals). Expired registrations are never selected.
 */
export interface RegistrationSelection extends Pick<EntitySelection, 'entities' | 'type' | 'ids' | 'idPattern' | 'attrs' | 'q' | 'geo' | 'scopeQ'> {
  csf?: QExpr;
  time?: RegistrationTimeQuery;
}

export interface RegistrationQuery extends RegistrationSelection {
  limit: number;
  offset: number;
  count: boolean;
}

export interface StoredRegistration {
  registration: ContextSourceRegistration;
  status: RegistrationStatus;
}

/** Clause 5.3.2 triggerReason. */
export type TriggerReason = 'newlyMatching' | 'updated' | 'noLongerMatching';

/** What one registration-subscription notification carries: the registrations, and why. */
export interface RegistrationNotice {
  triggerReason: TriggerReason;
  registrations: ContextSourceRegistration[];
}

export interface RegistrationStore {
  /**
   * Implements 5.9.2, creating the tenant if needed; AlreadyExists when the id is taken or the registration
   * conflicts with another registration or with entities held here (clause 4.3.6.3). Queues the notifications of
   * the registration subscriptions it newly matches, in the same transaction.
   */
  createRegistration(tenant: string, r: ContextSourceRegistration): Promise<Result<true>>;
  getRegistration(tenant: string, id: string): Promise<StoredRegistration | undefined>;
  /** Implements 5.10.2: a page of the selected registrations in id order. */
  queryRegistrations(tenant: string, q: RegistrationQuery): Promise<{ items: StoredRegistration[]; count?: number }>;
  /**
   * Implements 5.9.3: applies `change` to the locked registration and stores the result (a ProblemError thrown by
   * `change` rolls back). Undefined when it does not exist; AlreadyExists on a conflict, as on creation.
   */
  updateRegistration(tenant: string, id: string, change: (r: ContextSourceRegistration) => ContextSourceRegistration): Promise<Result<true> | undefined>;
  /** Implements 5.9.4: false when it does not exist. */
  deleteRegistration(tenant: string, id: string): Promise<boolean>;
  /**
   * Counts one distributed operation sent to the registration's source (clause 5.2.9 timesSent, timesFailed,
   * lastSuccess, lastFailure); nothing happens when the registration is gone meanwhile.
   */
  recordDistributed(tenant: string, id: string, outcome: { ok: boolean; at: string }): Promise<void>;
  /** The tenants that have at least one registration (expired ones included). */
  tenantsWithRegistrations(): Promise<string[]>;
  /** Calls `onChange` after any process commits a registration write (LISTEN/NOTIFY); resolves to the unwatch. */
  watchRegistrations(onChange: () => void): Promise<() => Promise<void>>;

  /**
   * Implements 5.11.2: false when the tenant has a subscription (of either kind) with that id. Queues the first
   * notification (newlyMatching) with the registrations that match already.
   */
  createCsourceSubscription(tenant: string, s: CsourceSubscription): Promise<boolean>;
  getCsourceSubscription(tenant: string, id: string): Promise<StoredSubscription | undefined>;
  /** Implements 5.11.5. */
  listCsourceSubscriptions(tenant: string, page: { limit: number; offset: number; count: boolean }): Promise<SubscriptionPage>;
  /** Implements 5.11.3, as updateSubscription does for entity subscriptions. */
  updateCsourceSubscription(tenant: string, id: string, change: (s: CsourceSubscription) => CsourceSubscription): Promise<StoredSubscription | undefined>;
  /** Implements 5.11.6. */
  deleteCsourceSubscription(tenant: string, id: string): Promise<boolean>;
}
