/** Mimosa as a separate process on a free port, and the data set loaded into it through the API. */
import { spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { batchAt } from './data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** 1026 is Mimosa's default, 1883 Mosquitto's and 8085–8095 are taken by other tools on developers' machines: never used here. */
const avoided = (p: number) => p === 1026 || p === 1883 || (p >= 8085 && p <= 8095);

/** A port that was free a moment ago (bind port 0, read it, close). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        const p = typeof a === 'object' && a ? a.port : 0;
        s.close(() => resolve(p));
      });
    });
    if (port > 0 && !avoided(port)) return port;
  }
}

export interface Broker {
  url: string;
  /** The IoT agent's embedded MQTT broker. */
  mqttUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx src/main.ts` with warn-level logs appended to `logFile`: embedded PGlite in a fresh
 * temporary data directory (removed at stop) when `databaseUrl` is undefined, else that PostgreSQL database.
 * With `profileDir`, under `node --cpu-prof`: the profile is written there when the broker stops.
 */
export async function startBroker(databaseUrl: string | undefined, logFile: string, profileDir?: string): Promise<Broker> {
  const port = await freePort();
  const mqttPort = await freePort();
  const dataDir = databaseUrl === undefined ? await mkdtemp(join(tmpdir(), 'mimosa-bench-')) : undefined;
  const env: Record<string, string | undefined> = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MIMOSA_')));
  Object.assign(env, { MIMOSA_PORT: String(port), MIMOSA_HOST: '127.0.0.1', MIMOSA_LOG_LEVEL: 'warn', MIMOSA_MQTT_PORT: String(mqttPort), MIMOSA_DEMO: 'off' });
  if (dataDir) env.MIMOSA_DATA_DIR = dataDir;
  else env.MIMOSA_DATABASE_URL = databaseUrl;

  const log = await open(logFile, 'a');
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', log.fd, log.fd] });
  await log.close(); // the child holds its own copy of the descriptor
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => ((exited = code), resolve())));

  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      if ((await Promise.race([exit.then(() => true), sleep(15_000, false, { ref: false })])) === false) child.kill('SIGKILL');
      await exit;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && exited === undefined) {
    const status = await fetch(`${url}/health`).then((r) => r.status, () => 0);
    if (status === 200) return { url, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, pid: child.pid ?? 0, stop };
    await sleep(200);
  }
  await stop();
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
  throw new Error(`Mimosa did not become healthy (${exited === undefined ? 'timed out' : `exited with ${exited}`}); log ${logFile}:\n${tail}`);
}

/**
 * Loads entities 0 … count-1 with batch create, 1,000 per request, two requests in flight (one being parsed
 * while the other is written). Any answer but 201 stops the run: the workloads need the whole set.
 */
export async function loadData(url: string, seed: number, count: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    for (let from = next; from < count; from = next) {
      next += 1000;
      const body = JSON.stringify(batchAt(seed, from, Math.min(1000, count - from)));
      const res = await fetch(`${url}/ngsi-ld/v1/entityOperations/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`loading entities ${from}… answered ${res.status}: ${text.slice(0, 2000)}`);
    }
  };
  await Promise.all([worker(), worker()]);
  return (performance.now() - t0) / 1000;
}
