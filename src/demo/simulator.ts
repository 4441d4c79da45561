/**
 * The demo city's devices: publishes each sensor's readings (src/demo/readings.ts) as the device would, a JSON
 * measure on `/<apikey>/<deviceId>/attrs` of the MQTT broker the IoT agent reads (its embedded broker, or the
 * external one of MIMOSA_MQTT_URL), round-robin over the sensors at a set rate of messages per second. The agent
 * writes them to the entities, so the temporal evolution grows and subscriptions fire as with real devices.
 * When the agent has no MQTT broker (MIMOSA_MQTT_PORT unset and port 1883 taken), the same measures go through its
 * HTTP southbound (`POST /iot/json`) instead, in-process.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Thing } from './catalogue.js';
import type { Call } from './client.js';
import { moment, type Moment } from './readings.js';

/** Where measures go: an MQTT broker, or the agent's HTTP southbound. */
export interface Publisher {
  readonly via: string;
  publish(t: Thing, payload: string): Promise<void>;
  close(): Promise<void>;
}

export async function mqttPublisher(url: string): Promise<Publisher> {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId: `mimosa-demo-${process.pid}-${Date.now().toString(36)}`, reconnectPeriod: 1000, connectTimeout: 10_000 });
  return {
    via: url,
    // QoS 0, as most city sensors publish: a lost reading is replaced by the next one
    publish: async (t, payload) => {
      if (!client.connected) throw new Error('the MQTT connection is down');
      await client.publishAsync(`/${t.kind.apikey}/${t.deviceId}/attrs`, payload, { qos: 0 });
    },
    close: async () => {
      await client.endAsync(true);
    },
  };
}

export function httpPublisher(iot: Call): Publisher {
  return {
    via: 'http',
    publish: async (t, payload) => {
      const res = await iot('POST', `/iot/json?k=${encodeURIComponent(t.kind.apikey)}&i=${encodeURIComponent(t.deviceId)}`, payload);
      if (res.status !== 200) throw new Error(`the IoT agent answered ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`);
    },
    close: async () => undefined,
  };
}

/** The payload of one device message: its kind's measures at `m`. */
export function payloadOf(t: Thing, m: Moment): string {
  const reading = t.kind.read(t, m);
  return JSON.stringify(Object.fromEntries(t.kind.measures.map((x) => [x.name, reading[x.name]])));
}

const TICK_MS = 100;
/** Messages sent but not yet acknowledged beyond which a tick sends nothing (the agent or broker is behind). */
const MAX_IN_FLIGHT = 2000;

interface SimulatorCounters {
  published: number;
  failed: number;
  lastError: string | undefined;
}

export class Simulator {
  readonly counters: SimulatorCounters = { published: 0, failed: 0, lastError: undefined };
  #publisher: Publisher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #rate = 0;
  #credit = 0;
  #last = 0;
  #cursor = 0;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly things: readonly Thing[],
    private readonly seed: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get running(): boolean {
    return this.#timer !== undefined;
  }

  get rate(): number {
    return this.#rate;
  }

  get via(): string | undefined {
    return this.#publisher?.via;
  }

  /** Messages per second from now on. */
  setRate(rate: number): void {
    this.#rate = rate;
  }

  /** Starts publishing at `rate` messages per second through `publisher`. */
  start(publisher: Publisher, rate: number): void {
    if (this.#timer) throw new Error('the simulator is running already');
    this.#rate = rate;
    this.#publisher = publisher;
    this.#credit = 0;
    this.#last = Date.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  /** Stops publishing, waits for the messages in flight and closes the publisher; resumes from the next sensor when started again. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const p = this.#publisher;
    this.#publisher = undefined;
    await Promise.allSettled([...this.#inFlight]);
    await p?.close().catch(() => undefined);
  }

  #tick(): void {
    const p = this.#publisher;
    if (!p || this.things.length === 0) return;
    const t = Date.now();
    // credit from the time that really passed (timers drift), never more than a second's worth (or one message) at once
    this.#credit = Math.min(Math.max(1, this.#rate), this.#credit + (this.#rate * (t - this.#last)) / 1000);
    this.#last = t;
    const m = moment(this.now(), this.seed);
    while (this.#credit >= 1 && this.#inFlight.size < MAX_IN_FLIGHT) {
      this.#credit -= 1;
      const thing = this.things[this.#cursor++ % this.things.length];
      const sent: Promise<void> = p.publish(thing, payloadOf(thing, m)).then(
        () => {
          this.counters.published++;
        },
        (e: unknown) => {
          this.counters.failed++;
          this.counters.lastError = e instanceof Error ? e.message : String(e);
        },
      );
      this.#inFlight.add(sent);
      void sent.finally(() => this.#inFlight.delete(sent));
    }
  }
}
