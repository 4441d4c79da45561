/**
 * Recording the temporal evolution of entities written through the entity API (clauses 5.6.1–5.6.10, 5.6.17–5.6.20)
 * inside the write's own transaction: the history has an instance exactly when the change committed. Fed by the
 * states before and after each entity of the transaction (the subscription journal's view, store/subscriptions).
 */
import type { Entity } from '../../core/entity/model.js';
import { recordedInstances, type RecordedInstance } from '../../core/temporal/instance.js';
import type { SqlQueryable } from '../port.js';
import { deleteEvolutions, insertInstances, markDeleted, upsertTemporalEntities } from './rows.js';

export interface RecordingOptions {
  /** Whether entity writes record instances at all (MIMOSA_TEMPORAL). */
  record: boolean;
  /**
   * Whether deleting an entity keeps its evolution, with a deletion instance for each of its attribute instances
   * (MIMOSA_TEMPORAL_KEEP_DELETED); by default the evolution goes with the entity.
   */
  keepDeleted: boolean;
}

/** The states of one entity around the transaction. */
interface Change {
  before?: Entity;
  after?: Entity;
}

/** Records what the transaction's entity changes add to the temporal evolution; returns the instances recorded. */
export async function recordHistory(db: SqlQueryable, tenant: string, changes: readonly Change[], o: RecordingOptions): Promise<number> {
  const now = new Date().toISOString();
  const deleted = changes.filter((c) => c.after === undefined && c.before !== undefined).map((c) => c.before as Entity);
  if (!o.keepDeleted) await deleteEvolutions(db, tenant, deleted.map((e) => e.id));
  if (!o.record) return 0;
  const written = changes.filter((c) => c.after !== undefined || o.keepDeleted);
  const records: RecordedInstance[] = [];
  for (const c of written) records.push(...recordedInstances(c.before, c.after, now));
  // a deleted entity's evolution is kept from its last state, so that it exists even if recording began later
  const present = written.map((c) => (c.after ?? c.before) as Entity);
  await upsertTemporalEntities(
    db,
    tenant,
    present.map((e) => ({ id: e.id, types: e.types, scope: e.scope, createdAt: e.createdAt, modifiedAt: e.modifiedAt })),
    { keepScope: false },
  );
  if (o.keepDeleted) await markDeleted(db, tenant, deleted.map((e) => e.id), now);
  await insertInstances(db, tenant, records, now);
  return records.length;
}
