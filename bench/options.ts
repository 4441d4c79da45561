import { WORKLOADS } from './workloads/index.js';
import { MQTT_WORKLOAD } from './workloads/mqtt.js';
import { NOTIFY_WORKLOADS } from './workloads/notify.js';

/** Every workload name in run order: the notification workloads last (they add entities and subscriptions). */
const NAMES = [...WORKLOADS, ...NOTIFY_WORKLOADS, MQTT_WORKLOAD].map((w) => w.name);

export type Engine = 'pglite' | 'postgres';

export interface Options {
  quick: boolean;
  engines: Engine[];
  /** Server on which the postgres engine creates (and drops) its own database. */
  postgresUrl: string;
  /** Workload names, in run order. */
  only: string[];
  entities: number;
  durationSec: number;
  warmupSec: number;
  connections: number;
  seed: number;
  /** Run the broker under `node --cpu-prof`, profiles beside the results. */
  cpuProf: boolean;
}

const TEST_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

export const USAGE = `npm run bench [-- options]
  --quick                    10,000 entities, 3 s per workload after 1 s of warm-up
                             (default: 100,000 entities, 10 s after 2 s)
  --engine pglite|postgres|both
                             default: pglite, plus postgres when MIMOSA_DATABASE_URL is a postgres:// URL.
                             postgres uses the server of MIMOSA_DATABASE_URL (else ${TEST_SERVER})
                             and creates and drops its own database mimosa_bench_<random>
  --only <workload,...>      some of: ${NAMES.join(', ')}
  --cpu-prof                 run the broker under node --cpu-prof (bench/results/<date>-<engine>.cpuprofile/)`;

/** Parses argv (after the script name); throws an Error with a message for the user on bad input. */
export function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Options {
  let quick = false;
  let cpuProf = false;
  let engine: string | undefined;
  let only: string[] = NAMES;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--cpu-prof') cpuProf = true;
    else if (a === '--engine') engine = value();
    else if (a === '--only') only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else throw new Error(`unknown option ${a}`);
  }
  const unknown = only.filter((n) => !NAMES.includes(n));
  if (unknown.length) throw new Error(`unknown workload ${unknown.join(', ')}`);
  // Run in the registry's order whatever the order given: the read-only workloads come before the ones that add entities.
  only = NAMES.filter((n) => only.includes(n));

  const serverUrl = /^postgres(ql)?:\/\//.test(env.MIMOSA_DATABASE_URL ?? '') ? env.MIMOSA_DATABASE_URL : undefined;
  let engines: Engine[];
  if (engine === undefined) engines = serverUrl ? ['pglite', 'postgres'] : ['pglite'];
  else if (engine === 'both') engines = ['pglite', 'postgres'];
  else if (engine === 'pglite' || engine === 'postgres') engines = [engine];
  else throw new Error(`--engine must be pglite, postgres or both, not ${engine}`);

  return {
    quick,
    engines,
    postgresUrl: serverUrl ?? TEST_SERVER,
    only,
    entities: quick ? 10_000 : 100_000,
    durationSec: quick ? 3 : 10,
    warmupSec: quick ? 1 : 2,
    connections: 32,
    seed: 20240601,
    cpuProf,
  };
}
