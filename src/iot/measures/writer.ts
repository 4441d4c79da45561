/**
 * Batched measure writes: concurrent measures are grouped into one store transaction per tenant (STYLE habit 5),
 * flushed when BATCH measures wait or FLUSH_MS after the first one, and while a transaction runs the next batch
 * gathers, so that a busy agent writes big batches and an idle one answers within milliseconds. Writes go through
 * the store's write path, so that subscriptions fire and the temporal evolution records every measure.
 *
 * One transaction takes at most one write per entity: the store records one instance per attribute and entity per
 * transaction (its before and after states), so a second measure of a device waits for the next transaction rather
 * than replacing the first in the history. A failed batch is retried one write at a time, so that one device's bad
 * write never fails another's. WORKERS batches are written at once (PostgreSQL runs them in parallel; PGlite, one
 * connection, in turn), never two holding the same entity, so that they never wait for each other's row locks.
 */
import type { Attribute, Entity } from '../../core/entity/model.js';
import { updateAttributes } from '../../core/entity/ops.js';
import type { EntityStore, EntityTx } from '../../store/port.js';

export interface EntityWrite {
  tenant: string;
  entityId: string;
  /** The entity as a first write creates it (before this write's attributes). */
  create: () => Entity;
  /** Expanded attribute name → the instance written. */
  attrs: Record<string, Attribute>;
  /** Called once the write committed, or with why it failed. */
  done: (error?: Error) => void;
}

/** Most writes in one batch: above ~1,000 entities a PGlite transaction grows slower per entity (measured with bench mqtt). */
const BATCH = 1000;
/** Longest a write waits for others to share its transaction. */
const FLUSH_MS = 5;
/** Most writes waiting; beyond, writes are refused (the caller counts them OVERLOADED) rather than memory growing. */
const MAX_QUEUED = 50_000;
/** Batches written at once: with two, PostgreSQL writes one while the agent prepares the next (bench mqtt, postgres: 1,718 → 3,238 measures/s). */
const WORKERS = 2;

export class BatchWriter {
  #queue: EntityWrite[] = [];
  #timer: NodeJS.Timeout | undefined;
  #workers = 0;
  /** Entities (tenant and id) of the batches being written. */
  readonly #writing = new Set<string>();
  /** Whether the last look at the queue found only entities being written (no use looking again before a batch ends). */
  #stalled = false;
  /** Writes committed and the transactions they took (their ratio is the mean batch). */
  written = 0;
  transactions = 0;

  constructor(
    private readonly store: EntityStore,
    private readonly now: () => string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Queues a write; false when too many wait already. */
  submit(w: EntityWrite): boolean {
    if (this.#queue.length >= MAX_QUEUED) return false;
    this.#queue.push(w);
    if (this.#workers === 0) {
      if (this.#queue.length >= BATCH) this.#kick();
      else this.#timer ??= setTimeout(() => this.#kick(), FLUSH_MS);
    } else if (this.#workers < WORKERS && !this.#stalled && this.#queue.length >= BATCH) {
      this.#kick();
    }
    return true;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Writes everything queued (at close). */
  async drain(): Promise<void> {
    while (this.#workers > 0 || this.#queue.length > 0) {
      this.#kick();
      await new Promise((resolve) => setTimeout(resolve, FLUSH_MS));
    }
  }

  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#workers < WORKERS && this.#queue.length > 0) {
      const batch = this.#take();
      this.#stalled = batch.length === 0;
      if (batch.length === 0) return;
      this.#workers++;
      void this.#loop(batch).finally(() => this.#workers--);
    }
  }

  /** Writes `batch`, then the next ones, until nothing it may take is queued. */
  async #loop(first: EntityWrite[]): Promise<void> {
    for (let batch = first; batch.length > 0; batch = this.#take()) {
      const keys = batch.map(keyOf);
      for (const k of keys) this.#writing.add(k);
      try {
        await this.#write(batch);
      } finally {
        for (const k of keys) this.#writing.delete(k);
        this.#stalled = false;
      }
    }
  }

  /** Up to BATCH writes, at most one per entity and none of an entity being written; the others keep their order. */
  #take(): EntityWrite[] {
    const batch: EntityWrite[] = [];
    const rest: EntityWrite[] = [];
    const seen = new Set<string>();
    let i = 0;
    for (; i < this.#queue.length && batch.length < BATCH; i++) {
      const w = this.#queue[i];
      const key = keyOf(w);
      if (seen.has(key) || this.#writing.has(key)) {
        seen.add(key);
        rest.push(w);
      } else {
        seen.add(key);
        batch.push(w);
      }
    }
    this.#queue = i === this.#queue.length ? rest : rest.concat(this.#queue.slice(i));
    return batch;
  }

  async #write(batch: EntityWrite[]): Promise<void> {
    const byTenant = new Map<string, EntityWrite[]>();
    for (const w of batch) byTenant.set(w.tenant, [...(byTenant.get(w.tenant) ?? []), w]);
    for (const [tenant, writes] of byTenant) {
      try {
        await this.store.write(tenant, (tx) => apply(tx, writes, this.now()));
        this.written += writes.length;
        this.transactions += 1;
        for (const w of writes) w.done();
      } catch (e) {
        if (writes.length === 1) {
          this.onError(e);
          writes[0].done(e instanceof Error ? e : new Error(String(e)));
        } else {
          // one at a time: only the write the store refuses fails
          for (const w of writes) await this.#write([w]);
        }
      }
    }
  }
}

const keyOf = (w: EntityWrite) => `${w.tenant}\n${w.entityId}`;

const asInstances = (attrs: Record<string, Attribute>): Record<string, Attribute[]> =>
  Object.fromEntries(Object.entries(attrs).map(([k, a]) => [k, [a]]));

async function apply(tx: EntityTx, writes: readonly EntityWrite[], now: string): Promise<void> {
  const found = await tx.getForUpdate(writes.map((w) => w.entityId));
  const updates: Entity[] = [];
  const creates: EntityWrite[] = [];
  for (const w of writes) {
    const current = found.get(w.entityId);
    if (current) updates.push(updateAttributes(current, asInstances(w.attrs), now).entity);
    else creates.push(w);
  }
  const inserted = await tx.insert(creates.map((w) => updateAttributes(w.create(), asInstances(w.attrs), now).entity));
  // created meanwhile by another process: update it instead
  const raced = creates.filter((w) => !inserted.has(w.entityId));
  if (raced.length > 0) {
    const now2 = await tx.getForUpdate(raced.map((w) => w.entityId));
    for (const w of raced) {
      const current = now2.get(w.entityId);
      if (current) updates.push(updateAttributes(current, asInstances(w.attrs), now).entity);
    }
  }
  if (updates.length > 0) await tx.update(updates);
}
