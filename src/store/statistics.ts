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

  constructor(private readonly db: SqlClient) {}

  /** Records rows written by a committed transaction; may start an ANALYZE. */
  wrote(rows: number): void {
    this.#changed += rows;
    if (this.#changed < this.#threshold || this.#running) return;
    this.#changed = 0;
    this.#running = this.analyze().finally(() => {
      this.#running = undefined;
    });
  }

  private async analyze(): Promise<void> {
    try {
      await this.db.query('ANALYZE entities');
      const [row] = await this.db.query<{ n: number }>("SELECT reltuples::float8 AS n FROM pg_class WHERE relname = 'entities'");
      this.#threshold = Math.max(MIN_CHANGES, Math.round(Number(row?.n ?? 0) * SCALE));
    } catch {
      // Statistics are an optimisation: a failed ANALYZE (say, the database is closing) changes no answer.
    }
  }

  /** Waits for a running ANALYZE, so that the client can be closed under it. */
  async settle(): Promise<void> {
    await this.#running;
  }
}
