/**
 * `npm run bench`: for each engine, measures the ceilings, starts Mimosa as its own process, loads the data set
 * through the API, drives each workload from a separate load-generator process, then prints a table and writes
 * bench/results/<date>-<engine>.json. See the README's Benchmarks section.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadData, startBroker } from './broker.js';
import { drive, driveMqtt, driveNotify, startHello } from './drive.js';
import { parseOptions, USAGE, type Engine, type Options } from './options.js';
import { createDatabase, dbCeilings, type BenchDatabase } from './postgres.js';
import { failures, table, type EngineResult, type WorkloadResult } from './report.js';
import { settle } from './sampler.js';
import { workload, WORKLOADS } from './workloads/index.js';
import { MQTT_WORKLOAD } from './workloads/mqtt.js';
import { NOTIFY_WORKLOADS } from './workloads/notify.js';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
/** The broker's default MIMOSA_DATABASE_POOL_SIZE, given to the database ceiling too. */
const POOL_SIZE = 10;

/** Undone in reverse order at the end or on Ctrl-C: the broker, its data directory, the bench database. */
const cleanups: Array<() => Promise<void>> = [];
let cleaning = Promise.resolve();
/** Serialised, so that Ctrl-C during a cleanup waits for it rather than exiting half-way. */
function cleanUp(): Promise<void> {
  cleaning = cleaning.then(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
  });
  return cleaning;
}

const say = (s: string) => process.stderr.write(`${s}\n`);

function commit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src') !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

async function runEngine(engine: Engine, o: Options, stamp: string): Promise<EngineResult> {
  const loadBefore = loadavg()[0];
  const setup = { seed: o.seed, entities: o.entities };
  const load = { setup, durationSec: o.durationSec, warmupSec: o.warmupSec, connections: o.connections };

  let db: BenchDatabase | undefined;
  if (engine === 'postgres') {
    db = await createDatabase(o.postgresUrl);
    cleanups.push(db.drop);
  }

  say(`${engine}: HTTP ceiling (bare node:http)…`);
  const hello = await startHello();
  const http = await drive({ url: hello.url, ...load }, hello.pid).finally(hello.stop);
  const logFile = `${RESULTS}${stamp}-${engine}.broker.log`;
  const broker = await startBroker(db?.url, logFile, o.cpuProf ? `${RESULTS}${stamp}-${engine}.cpuprofile` : undefined);
  cleanups.push(broker.stop);

  say(`${engine}: loading ${o.entities.toLocaleString('en-US')} entities…`);
  const loadSec = await loadData(broker.url, o.seed, o.entities);
  await settle(broker.pid, db?.backends);

  const result: EngineResult = {
    date: new Date().toISOString(),
    engine,
    quick: o.quick,
    entities: o.entities,
    seed: o.seed,
    connections: o.connections,
    durationSec: o.durationSec,
    machine: { cpus: availableParallelism(), node: process.version, loadAvg: [loadBefore, loadBefore] },
    commit: commit(),
    load: { entities: o.entities, seconds: loadSec, perSec: o.entities / loadSec },
    ceilings: { http: { ...http, reqPerSec: http.ok / http.seconds } },
    workloads: [],
  };
  if (db) {
    say(`${engine}: database ceiling (pg INSERT, SELECT by id)…`);
    // Each ceiling runs with the concurrency of the workload it is compared with.
    const callers = (kind: 'insert' | 'select') => WORKLOADS.find((w) => w.dbCeiling === kind)?.connections ?? o.connections;
    const c = await dbCeilings(db, o.seed, o.durationSec, { insert: callers('insert'), select: callers('select') }, POOL_SIZE);
    result.ceilings.dbInsert = c.insert;
    result.ceilings.dbSelect = c.select;
  }

  for (const name of o.only) {
    if (name === MQTT_WORKLOAD.name) {
      say(`${engine}: ${name} (${MQTT_WORKLOAD.devices.toLocaleString('en-US')} devices over MQTT)…`);
      await settle(broker.pid, db?.backends, 30_000);
      const m = await driveMqtt({ url: broker.url, mqttUrl: broker.mqttUrl, durationSec: o.durationSec }, broker.pid, db?.backends);
      result.mqtt = { name, title: MQTT_WORKLOAD.title, ...m };
      continue;
    }
    const n = NOTIFY_WORKLOADS.find((x) => x.name === name);
    if (n) {
      say(`${engine}: ${name} (${n.subscriptions} subscriptions, ${n.rate.toLocaleString('en-US')} updates/s)…`);
      await settle(broker.pid, db?.backends, 30_000);
      const m = await driveNotify({ url: broker.url, workload: name, durationSec: o.durationSec, warmupSec: o.warmupSec }, broker.pid, db?.backends);
      (result.notify ??= []).push({ name, title: n.title, ...m });
      continue;
    }
    const w = workload(name);
    if (w.prepare) {
      say(`${engine}: ${name}: loading its data…`);
      await w.prepare(broker.url, setup);
    }
    say(`${engine}: ${name}…`);
    await settle(broker.pid, db?.backends, 30_000);
    const m = await drive({ url: broker.url, workload: name, ...load, connections: w.connections ?? o.connections }, broker.pid, db?.backends);
    const reqPerSec = m.ok / m.seconds;
    const itemsPerSec = reqPerSec * w.itemsPerRequest;
    const ceiling = w.dbCeiling === 'insert' ? result.ceilings.dbInsert : w.dbCeiling === 'select' ? result.ceilings.dbSelect : undefined;
    const r: WorkloadResult = { name, title: w.title, connections: w.connections ?? o.connections, ...m, reqPerSec, itemsPerSec };
    // A batch request is not comparable with one small GET: batches are read against the database ceiling only.
    if (w.itemsPerRequest === 1) r.vsHttp = reqPerSec / result.ceilings.http.reqPerSec;
    if (ceiling) r.vsDb = itemsPerSec / ceiling.itemsPerSec;
    result.workloads.push(r);
  }
  await cleanUp();
  result.machine.loadAvg[1] = loadavg()[0];
  return result;
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2), process.env);
  } catch (e) {
    say(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.once('SIGINT', () => {
    say('interrupted: cleaning up…');
    void cleanUp().finally(() => process.exit(130));
  });
  await mkdir(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  let failed = false;
  for (const engine of o.engines) {
    const r = await runEngine(engine, o, stamp);
    const file = `${RESULTS}${stamp}-${engine}.json`;
    await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
    const f = failures(r);
    console.log(`\n${table(r)}\n${f ? `\nFailures:\n${f}\n` : ''}\n(${file})`);
    failed ||= f !== '';
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch(async (e: unknown) => {
  say(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  await cleanUp();
  process.exit(1);
});
