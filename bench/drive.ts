/** The harness's side of a load run: forks the load generator (driver.ts), samples the target process meanwhile. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DriveInput, DriveResult } from './driver.js';
import type { MqttInput, MqttResult } from './mqtt-driver.js';
import type { NotifyInput, NotifyResult } from './notify-driver.js';
import { sample, settle, type Backends, type Usage } from './sampler.js';

export type Measured = DriveResult & Usage;
export type NotifyMeasured = NotifyResult & Usage;
export type MqttMeasured = MqttResult & Usage;

const DRIVER = fileURLToPath(new URL('./driver.ts', import.meta.url));
const NOTIFY_DRIVER = fileURLToPath(new URL('./notify-driver.ts', import.meta.url));
const HELLO = fileURLToPath(new URL('./hello.ts', import.meta.url));
const MQTT_DRIVER = fileURLToPath(new URL('./mqtt-driver.ts', import.meta.url));

/** Resolves with the child's next IPC message; rejects if it exits first. */
function nextMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${what} exited with ${code} before answering`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
  });
}

/**
 * Drives `url` with a workload (or a plain GET /), sampling process `pid` (and the database's backends) during the
 * measured run. Between warm-up and measurement the target is let finish what the warm-up left queued.
 */
export function drive(input: DriveInput, pid: number, backends?: Backends): Promise<Measured> {
  return measure<DriveResult>(DRIVER, input, pid, backends);
}

/**
 * Runs a notification workload (notify-driver.ts: its own receiver, updates at a fixed rate), sampling `pid` and the
 * database from the first measured update to the last notification of the measured updates (or the give-up).
 */
export function driveNotify(input: NotifyInput, pid: number, backends?: Backends): Promise<NotifyMeasured> {
  return measure<NotifyResult>(NOTIFY_DRIVER, input, pid, backends);
}

/** Runs the MQTT ingestion workload (mqtt-driver.ts: a publisher process), sampling `pid` and the database meanwhile. */
export function driveMqtt(input: MqttInput, pid: number, backends?: Backends): Promise<MqttMeasured> {
  return measure<MqttResult>(MQTT_DRIVER, input, pid, backends);
}

async function measure<R>(script: string, input: DriveInput | NotifyInput | MqttInput, pid: number, backends?: Backends): Promise<R & Usage> {
  // execArgv of this process carries `--import tsx`, which the child inherits.
  const child = fork(script, [JSON.stringify(input)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let stop: (() => Promise<Usage>) | undefined;
  try {
    await nextMessage<'warmed'>(child, 'the load generator');
    await settle(pid, backends, 30_000);
    stop = sample(pid, backends);
    child.send('go');
    const result = await nextMessage<R>(child, 'the load generator');
    const usage = await stop();
    stop = undefined;
    return { ...result, ...usage };
  } finally {
    await stop?.();
    child.kill(); // a no-op once it has answered and exited
  }
}

/** Starts the bare HTTP server of the ceiling; returns its URL, pid and a stop function. */
export async function startHello(): Promise<{ url: string; pid: number; stop: () => void }> {
  const child = fork(HELLO, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await nextMessage<{ port: number }>(child, 'the HTTP ceiling server');
  return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') };
}
