/**
 * Entry point: the only place that reads process.env. Validates the configuration, opens storage
 * (embedded PGlite by default), serves the API and stops cleanly on SIGINT/SIGTERM.
 */
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { openSqlClient } from './store/open.js';
import { createSqlStore } from './store/sql-store.js';

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`Mimosa cannot start: invalid configuration\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}\n`);
    process.exit(2);
  }
  const config = loaded.config;
  const client = await openSqlClient(config.databaseUrl, config.dataDir, { poolSize: config.databasePoolSize });
  const store = await createSqlStore(client, { temporal: { record: config.temporal, keepDeleted: config.temporalKeepDeleted } });
  const app = await buildApp({ config, store, engine: client.engine });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping');
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  const where = config.databaseUrl === undefined ? `embedded PGlite in ${config.dataDir}` : client.engine;
  app.log.info(`Mimosa NGSI-LD broker ready on http://${config.host}:${config.port}/ngsi-ld/v1 (storage: ${where})`);
}

main().catch((e: unknown) => {
  process.stderr.write(`Mimosa cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
