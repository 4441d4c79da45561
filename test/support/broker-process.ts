/**
 * Mimosa as a real child process (`node --import tsx src/main.ts`), for tests that kill and restart brokers.
 * Each broker listens on a port found free a moment before, keeps its output in memory for failure messages,
 * and is ready once it logs its "ready" line. `stopAll()` ends every broker still running (for after() hooks).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Allowed for a process to start; a first PGlite start runs initdb, PostGIS and the migrations (~10 s here). */
const START_MS = 90_000;

/** 1026 is Mimosa's default, 1883 Mosquitto's and 8085–8095 are taken by other tools on developers' machines: never used here. */
const avoided = (p: number) => p === 1026 || p === 1883 || (p >= 8085 && p <= 8095);

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

export interface BrokerProcess {
  /** The API root, e.g. http://127.0.0.1:40123/ngsi-ld/v1 */
  readonly api: string;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends SIGKILL (kill -9) and resolves once the process is gone. */
  kill(): Promise<void>;
  /** Sends SIGTERM (a clean stop), then SIGKILL after 15 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

const running = new Set<BrokerProcess>();

/**
 * Starts a broker with `env` (MIMOSA_* variables; MIMOSA_PORT and MIMOSA_HOST are chosen here) and resolves once
 * it is ready; rejects with its output if it exits or does not get ready in time.
 */
export async function startBroker(env: Record<string, string>, name = 'broker'): Promise<BrokerProcess> {
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MIMOSA_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, MIMOSA_LOG_LEVEL: 'info', MIMOSA_MQTT_PORT: '0', MIMOSA_DEMO: 'off', ...env, MIMOSA_PORT: String(port), MIMOSA_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const collect = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.includes('Mimosa NGSI-LD broker ready on')) ready();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const end = async (signal: NodeJS.Signals) => {
    if (!gone) {
      child.kill(signal);
      if (signal === 'SIGTERM') {
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
    }
    await exited;
    running.delete(broker);
  };
  const broker: BrokerProcess = {
    api: `http://127.0.0.1:${port}/ngsi-ld/v1`,
    pid: child.pid ?? 0,
    output: () => out,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
  running.add(broker);

  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    isReady.then(() => 'ready' as const),
    exited.then((how) => `exited (${String(how)})`),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`not ready after ${START_MS} ms`), START_MS))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    await broker.kill();
    throw new Error(`${name} did not start: ${outcome}\n${out.split('\n').slice(-30).join('\n')}`);
  }
  return broker;
}

/** Kills every broker this process started and that still runs. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((b) => b.kill()));
}

/** For failure messages: the pid and the last lines a broker wrote. */
export function tail(b: BrokerProcess, lines = 20): string {
  return `pid ${b.pid}:\n${b.output().split('\n').slice(-lines).join('\n')}`;
}
