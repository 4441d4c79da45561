/**
 * The MQTT load generator (forked by drive.ts): provisions a config group, publishes one measure per device to
 * autoprovision them all (the warm-up), then publishes measures as fast as the broker writes them, keeping at most
 * `backlog` published and not yet written (the agent's own counters, GET /iot/stats, tell how many it wrote), for
 * the measured duration; then waits for the rest to be written. Over IPC: 'warmed', then (after 'go') an MqttResult.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { setTimeout as sleep } from 'node:timers/promises';
import { MQTT_WORKLOAD as W } from './workloads/mqtt.js';

export interface MqttInput {
  url: string;
  mqttUrl: string;
  durationSec: number;
}

export interface MqttResult {
  devices: number;
  /** Length of the measured phase. */
  seconds: number;
  /** Measures published in the measured phase. */
  published: number;
  /** Measures the agent wrote during the measured phase, per second: the figure. */
  measuresPerSec: number;
  /** Refused by the agent (should be 0) and never written after the drain (should be 0). */
  rejected: number;
  lost: number;
  /** From the end of publishing until every measure was written. */
  drainSec: number;
  /** Measures per store transaction, on average over the measured phase. */
  batch: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as MqttInput;
const APIKEY = `bench${Date.now().toString(36)}`;
const TENANT = 'bench_mqtt';

interface Stats {
  measures: number;
  rejected: number;
  writes: { written: number; transactions: number };
}

async function stats(): Promise<Stats> {
  const res = await fetch(`${input.url}/iot/stats`);
  return (await res.json()) as Stats;
}

async function provision(): Promise<void> {
  const group = {
    apikey: APIKEY,
    resource: '',
    entity_type: 'MqttBench',
    attributes: [
      { object_id: 't', name: 'temperature', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'CEL' } } },
      { object_id: 'h', name: 'humidity', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'P1' } } },
    ],
  };
  const res = await fetch(`${input.url}/iot/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'fiware-service': TENANT, 'fiware-servicepath': '/' },
    body: JSON.stringify({ services: [group] }),
  });
  if (res.status !== 201) throw new Error(`provisioning answered ${res.status}: ${await res.text()}`);
}

let seq = 0;
function publish(clients: MqttClient[]): void {
  const i = seq++;
  const d = i % W.devices;
  clients[i % clients.length].publish(`/${APIKEY}/dev${d}/attrs`, `t|${(15 + (i % 150) / 10).toFixed(1)}|h|${40 + (i % 30)}`, { qos: 0 });
}

/** Waits until the agent has written (or refused) `target` measures, at most `ms`; resolves with the counters. */
async function until(target: number, ms: number): Promise<Stats> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await stats();
    if (s.measures + s.rejected >= target || Date.now() > deadline) return s;
    await sleep(50);
  }
}

async function main(): Promise<void> {
  await provision();
  const clients = await Promise.all(Array.from({ length: W.connections }, () => mqtt.connectAsync(input.mqttUrl, { reconnectPeriod: 0 })));
  const base = await stats();
  for (let d = 0; d < W.devices; d++) publish(clients);
  const warmed = await until(base.measures + base.rejected + W.devices, 120_000);
  if (warmed.measures - base.measures < W.devices) throw new Error(`warm-up: ${warmed.measures - base.measures} of ${W.devices} measures written`);
  process.send?.('warmed');
  await new Promise<void>((resolve) => process.once('message', () => resolve()));

  const start = await stats();
  const startSeq = seq;
  // the agent's counters are read every 50 ms beside the publishing, which never waits for them
  let last = start;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      last = await stats();
      await sleep(50);
    }
  })();
  const t0 = performance.now();
  const end = t0 + input.durationSec * 1000;
  while (performance.now() < end) {
    const outstanding = seq - startSeq - (last.measures - start.measures) - (last.rejected - start.rejected);
    const room = W.backlog - outstanding;
    for (let k = 0; k < Math.min(room, 500); k++) publish(clients);
    await sleep(room > 0 ? 1 : 5);
  }
  polling = false;
  await poller;
  const done = () => start.measures + start.rejected + (seq - startSeq);
  const t1 = performance.now();
  const atEnd = await stats();
  const published = seq - startSeq;
  const drained = await until(done(), 60_000);
  const drainSec = (performance.now() - t1) / 1000;
  await Promise.all(clients.map((c) => c.endAsync()));
  const result: MqttResult = {
    devices: W.devices,
    seconds: (t1 - t0) / 1000,
    published,
    measuresPerSec: (atEnd.measures - start.measures) / ((t1 - t0) / 1000),
    rejected: drained.rejected - start.rejected,
    lost: published - (drained.measures - start.measures) - (drained.rejected - start.rejected),
    drainSec,
    batch: (atEnd.writes.written - start.writes.written) / Math.max(1, atEnd.writes.transactions - start.writes.transactions),
  };
  process.send?.(result);
}

main().catch((e: unknown) => {
  console.error(`mqtt driver: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
