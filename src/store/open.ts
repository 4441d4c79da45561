import type { SqlClient } from './port.js';

export interface OpenOptions {
  /** Pool size for a PostgreSQL server. */
  poolSize?: number;
}

/**
 * Opens the engine the configuration names, loading only that engine's module:
 * unset → embedded PGlite in `dataDir`; `memory://` → embedded PGlite in memory; `postgres://…` → a server.
 */
export async function openSqlClient(databaseUrl: string | undefined, dataDir: string, options: OpenOptions = {}): Promise<SqlClient> {
  if (databaseUrl === undefined) {
    const { openPglite } = await import('./engines/pglite.js');
    return openPglite({ dataDir });
  }
  if (databaseUrl === 'memory://') {
    const { openPglite } = await import('./engines/pglite.js');
    return openPglite({});
  }
  const { openPostgres } = await import('./engines/postgres.js');
  return openPostgres(databaseUrl, options);
}
