/**
 * The demo city, run by Mimosa: provisions it (idempotently) and runs its simulator, on request (the operator
 * endpoints, src/demo/install.ts) or at start (MIMOSA_DEMO: `on` always; `auto`, the default, on the embedded engine
 * when the demo's tenant is empty or holds the demo already, so that a first `npm start` shows a living city and
 * a restart resumes it, while a store with other data is left alone).
 */
import { problem, type Result } from '../core/problem.js';
import { demoThings, type Thing } from './catalogue.js';
import { Stopping, type Call } from './client.js';
import { provisionCity, type ProvisionReport } from './provision.js';
import { moment } from './readings.js';
import { httpPublisher, mqttPublisher, Simulator, type Publisher } from './simulator.js';

type DemoMode = 'auto' | 'on' | 'off';

export interface DemoSettings {
  mode: DemoMode;
  /** Device messages per second of the simulator. */
  rate: number;
  /** undefined: the default tenant. */
  tenant: string | undefined;
  /** Whether the store is the embedded engine (`auto` provisions only there). */
  embedded: boolean;
  /** Hours of history the entities get when the city is first provisioned (0: none). */
  historyHours: number;
}

export interface Log {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
  error(o: object, msg: string): void;
}

export interface DemoStatus {
  provisioned: boolean;
  running: boolean;
  /** Messages per second while running. */
  rate: number;
  tenant: string | null;
  /** The MQTT broker measures are published to, or `http` (the agent's HTTP southbound). */
  via: string | null;
  entities: number;
  published: number;
  failed: number;
  lastError: string | null;
}

/** The seed of the demo city: the same city on every run. */
const SEED = 8;
/** An entity only the demo has: its presence says the tenant holds the demo. */
const MARKER = 'urn:ngsi-ld:Streetlight:santander-001';

export class DemoCity {
  readonly things: readonly Thing[] = demoThings(SEED);
  readonly #simulator: Simulator;
  #provisioned = false;
  #closed = false;
  /** Start, stop and provisioning run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** The NGSI-LD API, the IoT agent's provisioning API, and its HTTP southbound (the simulator's, when there is no MQTT). */
    private readonly api: { ngsi: Call; iot?: Call; southbound?: Call },
    private readonly s: DemoSettings,
    private readonly log: Log,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#simulator = new Simulator(this.things, SEED, now);
  }

  #serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(f, f);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  status(): DemoStatus {
    const sim = this.#simulator;
    return {
      provisioned: this.#provisioned,
      running: sim.running,
      rate: sim.rate || this.s.rate,
      tenant: this.s.tenant ?? null,
      via: sim.via ?? null,
      // the sensors and the on-street parking zones their spots belong to
      entities: this.things.length + new Set(this.things.filter((t) => t.kind.type === 'ParkingSpot').map((t) => t.axis)).size,
      published: sim.counters.published,
      failed: sim.counters.failed,
      lastError: sim.counters.lastError ?? null,
    };
  }

  /** Creates what is missing of the city (entities, and the IoT agent's groups and devices when it runs). */
  async #provision(): Promise<Result<ProvisionReport>> {
    const started = Date.now();
    const r = await provisionCity(this.api, this.s.tenant, this.things, moment(this.now(), SEED), this.s.historyHours);
    if (!r.ok) return r;
    this.#provisioned = true;
    const { entities, history } = r.value;
    const ms = Date.now() - started;
    if (entities > 0) this.log.info({ entities, history, ms }, `demo city: provisioned ${entities} entities with ${history} attribute instances of history in ${ms} ms`);
    return r;
  }

  /** Provisions the city if this process has not yet, then runs the simulator at `rate` (or changes its rate). */
  start(rate = this.s.rate): Promise<Result<DemoStatus>> {
    return this.#serial(async () => {
      if (this.#closed) return { ok: false, problem: problem('ServiceUnavailable', 'Mimosa is stopping') };
      const iot = this.api.iot;
      if (!iot) return { ok: false, problem: problem('OperationNotSupported', 'The demo city needs the IoT agent, which is off (MIMOSA_IOT=false)') };
      if (!this.#provisioned) {
        const p = await this.#provision();
        if (!p.ok) return p;
      }
      if (this.#simulator.running) this.#simulator.setRate(rate);
      else this.#simulator.start(await this.#publisher(iot, this.api.southbound ?? iot), rate);
      return { ok: true, value: this.status() };
    });
  }

  /** The agent's MQTT broker when it has one that answers, else its HTTP southbound. */
  async #publisher(iot: Call, southbound: Call): Promise<Publisher> {
    const about = await iot('GET', '/iot/about');
    const mqtt = (about.json as { mqtt?: { url: string; connected: boolean } | null } | undefined)?.mqtt;
    if (mqtt?.connected) {
      try {
        return await mqttPublisher(mqtt.url);
      } catch (err) {
        this.log.warn({ err, mqtt: mqtt.url }, 'demo city: the MQTT broker does not answer; measures go through the IoT agent over HTTP');
      }
    } else {
      this.log.warn({}, 'demo city: the IoT agent has no MQTT broker; measures go through its HTTP southbound (POST /iot/json)');
    }
    return httpPublisher(southbound);
  }

  stop(): Promise<DemoStatus> {
    return this.#serial(async () => {
      await this.#simulator.stop();
      return this.status();
    });
  }

  /** At start: what MIMOSA_DEMO asks for. Never throws: a demo that cannot start is logged, Mimosa runs on. */
  async atStart(): Promise<void> {
    try {
      if (this.s.mode === 'off' || !(await this.#wanted())) return;
      const r = await this.start();
      if (!r.ok) {
        this.log.warn({ problem: r.problem }, `demo city: not started: ${r.problem.detail}`);
        return;
      }
      const st = r.value;
      this.log.info(
        { tenant: st.tenant, entities: st.entities, rate: st.rate, via: st.via },
        `demo city: Santander, ${st.entities} entities, simulator publishing ${st.rate} measures/s; stop it with POST /mimosa/demo/stop, or MIMOSA_DEMO=off`,
      );
    } catch (err) {
      // stopped while provisioning (say, Ctrl-C on a first start): not a failure; the next start completes the city
      if (err instanceof Stopping || this.#closed) this.log.info({}, 'demo city: provisioning interrupted by the stop; the next start completes it');
      else this.log.error({ err }, 'demo city: could not start');
    }
  }

  /** `on`: always; `auto`: on the embedded engine, when the tenant is empty or holds the demo already. */
  async #wanted(): Promise<boolean> {
    if (this.s.mode === 'on') return true;
    if (!this.s.embedded || !this.api.iot) return false;
    const marker = await this.api.ngsi('GET', `/ngsi-ld/v1/entities/${encodeURIComponent(MARKER)}`, undefined, this.s.tenant);
    if (marker.status === 200) return true;
    const types = await this.api.ngsi('GET', '/ngsi-ld/v1/types', undefined, this.s.tenant);
    const empty = types.status === 404 || (types.status === 200 && ((types.json as { typeList?: unknown[] }).typeList ?? []).length === 0);
    if (!empty) this.log.info({}, 'demo city: not provisioned, the store holds other data (MIMOSA_DEMO=on or POST /mimosa/demo/start adds it)');
    return empty;
  }

  /** When the application closes: stops the simulator, and refuses to start again. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.stop();
  }
}
