/**
 * The zero-setup transport: an MQTT broker (aedes) inside Mimosa, on MIMOSA_MQTT_PORT, used when MIMOSA_MQTT_URL is
 * unset. The agent subscribes to it in-process (no socket, no client of its own); devices connect as to any broker.
 * Its sessions live in memory: commands queued for a disconnected device with a persistent session are lost with
 * the process (use an external broker for more).
 */
import { Aedes } from 'aedes';
import { createServer, type Server, type Socket } from 'node:net';
import { DEVICE_TOPICS } from './topics.js';
import type { MessageHandler, MqttTransport } from './transport.js';

/** The IANA port of MQTT, the embedded broker's when MIMOSA_MQTT_PORT is unset. */
export const MQTT_DEFAULT_PORT = 1883;

export interface EmbeddedOptions {
  /**
   * The port was not asked for (MIMOSA_MQTT_PORT unset): when another broker (a Mosquitto) already holds it, Mimosa
   * starts anyway, without MQTT southbound, and says so; `npm start` must work on any machine. An asked-for port
   * that cannot be bound stops the start.
   */
  optional?: boolean;
  log?: { warn: (o: object, msg?: string) => void };
}

export class EmbeddedBroker implements MqttTransport {
  #broker: Aedes | undefined;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  #url: string | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly options: EmbeddedOptions = {},
  ) {}

  get url(): string | undefined {
    return this.#url;
  }

  get connected(): boolean {
    return this.#server?.listening === true;
  }

  async start(onMessage: MessageHandler): Promise<void> {
    const broker = await Aedes.createBroker();
    this.#broker = broker;
    for (const filter of DEVICE_TOPICS) {
      await new Promise<void>((resolve) =>
        broker.subscribe(
          filter,
          (packet, done) => {
            onMessage(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
            done();
          },
          resolve,
        ),
      );
    }
    const server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      broker.handle(socket);
    });
    this.#server = server;
    const listening = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        const why = `the embedded MQTT broker cannot listen on ${this.host}:${this.port} (${e.message})`;
        if (this.options.optional && e.code === 'EADDRINUSE') {
          this.options.log?.warn({}, `${why}: devices cannot publish over MQTT; set MIMOSA_MQTT_URL=mqtt://${this.host}:${this.port} to use the broker there, or MIMOSA_MQTT_PORT`);
          resolve(false);
        } else reject(new Error(`${why}; set MIMOSA_MQTT_PORT, or MIMOSA_MQTT_URL to use the broker there`));
      });
      server.listen(this.port, this.host, () => resolve(true));
    });
    if (!listening) {
      this.#server = undefined;
      return;
    }
    const a = server.address();
    const port = typeof a === 'object' && a ? a.port : this.port;
    this.#url = `mqtt://${this.host.includes(':') ? `[${this.host}]` : this.host}:${port}`;
  }

  publish(topic: string, payload: string): Promise<void> {
    const broker = this.#broker;
    if (!broker) return Promise.reject(new Error('the embedded MQTT broker is not running'));
    return new Promise((resolve, reject) =>
      broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false }, (e) => (e ? reject(e) : resolve())),
    );
  }

  async stop(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    this.#server = undefined;
    this.#broker = undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
