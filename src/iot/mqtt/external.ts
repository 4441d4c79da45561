/**
 * The transport on an external broker (MIMOSA_MQTT_URL, e.g. Mosquitto): Mimosa connects as a client and subscribes
 * to the device topics. With MQTT 5 shared subscriptions (`$share/<MIMOSA_MQTT_GROUP>/…`) every message goes to one of the Mimosa
 * processes subscribed, so that several processes on one database write each measure once.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { DEVICE_TOPICS } from './topics.js';
import type { MessageHandler, MqttTransport } from './transport.js';

export class ExternalBroker implements MqttTransport {
  #client: MqttClient | undefined;
  #subscribed = false;

  constructor(
    readonly url: string,
    /** The shared-subscription group (MIMOSA_MQTT_GROUP): one per deployment on a broker. */
    private readonly group: string,
    private readonly log: { warn(o: object, msg: string): void },
  ) {}

  /**
   * Connects and subscribes, without waiting: a broker that is down at start (or goes down) is retried every second,
   * and Mimosa serves NGSI-LD meanwhile. `connected` tells when devices' messages arrive.
   */
  async start(onMessage: MessageHandler): Promise<void> {
    const client = mqtt.connect(this.url, { protocolVersion: 5, clean: true, reconnectPeriod: 1000, connectTimeout: 10_000 });
    this.#client = client;
    client.on('message', (topic, payload) => onMessage(topic, payload));
    client.on('error', (err) => this.log.warn({ err: err.message, url: this.url }, 'IoT agent: MQTT broker connection error'));
    client.on('close', () => (this.#subscribed = false));
    // subscribe on every (re)connection: a clean session forgets subscriptions
    client.on('connect', () => {
      client.subscribeAsync(DEVICE_TOPICS.map((t) => `$share/${this.group}/${t}`), { qos: 1 }).then(
        () => (this.#subscribed = client.connected),
        (err: Error) => this.log.warn({ err: err.message }, 'IoT agent: MQTT subscription failed'),
      );
    });
  }

  get connected(): boolean {
    return this.#subscribed;
  }

  async publish(topic: string, payload: string): Promise<void> {
    if (!this.#client) throw new Error(`not connected to the MQTT broker at ${this.url}`);
    await this.#client.publishAsync(topic, payload, { qos: 1 });
  }

  async stop(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    await c?.endAsync(true);
  }
}
