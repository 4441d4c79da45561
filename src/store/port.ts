import type { Entity } from '../core/entity/model.js';

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
  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Selection of entities for a query (clause 5.7.2); issue-3 features extend it. */
export interface EntityQuery {
  /** Expanded type IRIs: an entity matches if it has any of them. */
  types?: readonly string[];
  ids?: readonly string[];
  /** POSIX regular expression on the entity id. */
  idPattern?: string;
  /** Expanded attribute IRIs: an entity matches if it has at least one of them. */
  attrs?: readonly string[];
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

export interface EntityStore {
  /** Runs fn in one transaction of the tenant, creating the tenant if it does not exist yet. */
  write<T>(tenant: string, fn: (tx: EntityTx) => Promise<T>): Promise<T>;
  getEntity(tenant: string, id: string): Promise<Entity | undefined>;
  queryEntities(tenant: string, query: EntityQuery): Promise<EntityQueryResult>;
  tenantExists(tenant: string): Promise<boolean>;
  listTenants(): Promise<string[]>;

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
