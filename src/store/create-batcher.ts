/**
 * Group commit for Create Entity (clause 5.6.1): concurrent creates of a tenant share one transaction, written as
 * one batch insert (STYLE habit 5). A create that finds no transaction of its tenant running starts one at
 * once; creates arriving meanwhile gather and start the next when one ends, so an idle broker adds no wait and
 * a busy one commits many entities per transaction (one multi-row INSERT, one history insert, one subscription
 * match and one durable commit instead of one of each per entity).
 *
 * Each create keeps its own outcome. Ids repeated among waiting creates go to different transactions, so that
 * the first one creates the entity and the next finds it existing. When a shared transaction fails (a row the
 * database refuses), its creates are written again one by one, so that one create's error never fails another.
 */
import type { Entity } from '../core/entity/model.js';

/** Writes the entities in one transaction; returns the ids inserted (the others existed already). */
export type InsertMany = (tenant: string, entities: readonly Entity[]) => Promise<Set<string>>;

interface Pending {
  tenant: string;
  entity: Entity;
  settle: (inserted: boolean) => void;
  fail: (error: unknown) => void;
}

/** Most creates in one transaction: a batch of this size commits in a few milliseconds. */
const MAX_BATCH = 256;
/** Transactions running at once, each of another group (PostgreSQL runs them in parallel; PGlite in turn). */
const MAX_RUNNING = 4;

export class CreateBatcher {
  #queue: Pending[] = [];
  #running = 0;

  constructor(private readonly insertMany: InsertMany) {}

  /** Creates the entity unless one with its id exists; resolves to whether it was created. */
  insert(tenant: string, entity: Entity): Promise<boolean> {
    return new Promise((settle, fail) => {
      this.#queue.push({ tenant, entity, settle, fail });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running < MAX_RUNNING && this.#queue.length > 0) {
      const group = this.#take();
      this.#running++;
      void this.#write(group).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }

  /** The oldest create and the waiting creates of its tenant with other ids, in arrival order. */
  #take(): Pending[] {
    const tenant = this.#queue[0].tenant;
    const ids = new Set<string>();
    const group: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.#queue) {
      if (p.tenant === tenant && group.length < MAX_BATCH && !ids.has(p.entity.id)) {
        ids.add(p.entity.id);
        group.push(p);
      } else {
        rest.push(p);
      }
    }
    this.#queue = rest;
    return group;
  }

  async #write(group: Pending[]): Promise<void> {
    try {
      const inserted = await this.insertMany(group[0].tenant, group.map((p) => p.entity));
      for (const p of group) p.settle(inserted.has(p.entity.id));
    } catch (e) {
      if (group.length === 1) return group[0].fail(e);
      for (const p of group) await this.#write([p]);
    }
  }
}
