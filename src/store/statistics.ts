import type { SqlClient } from './port.js';

/** Rows changed before the first ANALYZE; later, a tenth of the table (autovacuum's default scale factor). */
const MIN_CHANGES = 1000;
const SCALE = 0.1;

/**
 * Keeps the planner's statistics of the entity tables fresh. PGlite runs no autovacuum at all, and on a server
 * autovacuum analyses a freshly loaded table only after a delay: until then the planner has no idea how many
 * entities match a type or a GIN condition, and a `type=X&q=…&limit=20` query that should stop after 20 rows in
 * id order sorts a whole type instead (measured: 4 queries/s instead of thousands over 100,000 entities). So the
 * store counts the rows it writes and, past the threshold, runs ANALYZE in the background, one at a time.
 */
export class Statistics {
  #changed = 0;
  #threshold = MIN_CHANGES;
  #running: Promise<void> | undefined;
  #again = false;

  /**
   * `table` names what is kept fresh; by default the entities. The temporal evolution's instances are vacuumed too
   * (`VACUUM (ANALYZE) attribute_instances`): PGlite never sets the visibility map by itself, and without it the
   * index-only scans aggregation relies on read every row.
   */
  constructor(
    private readonly db: SqlClient,
    private readonly table: { refresh: string; rows: string; min?: number; scale?: number } = {
      refresh: 'ANALYZE entities',
      rows: "SELECT reltuples::float8 AS n FROM pg_class WHERE relname = 'entities'",
    },
  ) {
    this.#threshold = table.min ?? MIN_CHANGES;
  }

  /** Records rows written by a committed transaction; may start an ANALYZE. */
  wrote(rows: number): void {
    this.#changed += rows;
    if (this.#changed >= this.#threshold) this.refresh();
  }

  /** Starts a refresh now, or once the running one ends (it may have started before the latest rows). */
  refresh(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#changed = 0;
    this.#running = this.analyze().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.refresh();
      }
    });
  }

  private async analyze(): Promise<void> {
    try {
      await this.db.query(this.table.refresh);
      const [row] = await this.db.query<{ n: number }>(this.table.rows);
      this.#threshold = Math.max(this.table.min ?? MIN_CHANGES, Math.round(Number(row?.n ?? 0) * (this.table.scale ?? SCALE)));
    } catch {
      // Statistics are an optimisation: a failed ANALYZE (say, the database is closing) changes no answer.
    }
  }

  /** Waits for a running ANALYZE, so that the client can be closed under it. */
  async settle(): Promise<void> {
    this.#again = false;
    await this.#running;
  }
}
