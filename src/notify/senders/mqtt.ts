import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Delivery, DeliveryOutcome, Sender } from './delivery.js';

const QOS = [0, 1, 2] as const;
const VERSIONS: Record<string, 4 | 5> = { 'mqtt3.1.1': 4, 'mqtt5.0': 5 };

/**
 * MQTT endpoints (clause 7.3 of the binding): `mqtt[s]://[user:pass@]host[:port]/topic` publishes to `topic` a
 * JSON message `{ "metadata": {headers}, "body": notification }`. notifierInfo `MQTT-QoS` (0, 1, 2; default 0)
 * and `MQTT-Version` (mqtt3.1.1 or mqtt5.0; default mqtt5.0) choose the delivery. One connection is kept per
 * broker, user and version and shared by every subscription that publishes there.
 */
export class MqttSender implements Sender {
  readonly #clients = new Map<string, Promise<MqttClient>>();

  async send(d: Delivery): Promise<DeliveryOutcome> {
    let target: ReturnType<typeof parseTarget>;
    try {
      target = parseTarget(d);
    } catch (e) {
      return { ok: false, detail: (e as Error).message, retryable: false };
    }
    const message = JSON.stringify({ metadata: d.headers, body: d.body });
    try {
      const client = await this.client(target.key, target.url, target.options, d.timeoutMs);
      await withTimeout(client.publishAsync(target.topic, message, { qos: target.qos }), d.timeoutMs);
      return { ok: true, detail: `published to ${target.topic} with QoS ${target.qos}` };
    } catch (e) {
      this.#clients.delete(target.key);
      return { ok: false, detail: `cannot publish to the MQTT broker: ${(e as Error).message}`, retryable: true };
    }
  }

  private client(key: string, url: string, options: IClientOptions, timeoutMs: number): Promise<MqttClient> {
    let pending = this.#clients.get(key);
    if (!pending) {
      pending = withTimeout(mqtt.connectAsync(url, { ...options, reconnectPeriod: 0, connectTimeout: timeoutMs }), timeoutMs);
      pending.catch(() => this.#clients.delete(key));
      this.#clients.set(key, pending);
    }
    return pending;
  }

  async close(): Promise<void> {
    const clients = await Promise.allSettled([...this.#clients.values()]);
    this.#clients.clear();
    await Promise.all(clients.map((c) => (c.status === 'fulfilled' ? c.value.endAsync(true) : undefined)));
  }
}

function parseTarget(d: Delivery) {
  const u = new URL(d.uri);
  const topic = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (topic === '') throw new Error(`the MQTT endpoint ${u.protocol}//${u.host} names no topic`);
  const qos = Number(d.notifierInfo['MQTT-QoS'] ?? 0);
  if (!QOS.includes(qos as 0)) throw new Error(`MQTT-QoS must be 0, 1 or 2, not ${d.notifierInfo['MQTT-QoS']}`);
  const version = VERSIONS[d.notifierInfo['MQTT-Version'] ?? 'mqtt5.0'];
  if (version === undefined) throw new Error(`MQTT-Version must be mqtt3.1.1 or mqtt5.0, not ${d.notifierInfo['MQTT-Version']}`);
  const options: IClientOptions = { protocolVersion: version };
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  const url = `${u.protocol}//${u.host}`;
  return { key: `${url}|${options.username ?? ''}|${version}`, url, topic, qos: qos as 0 | 1 | 2, options };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
