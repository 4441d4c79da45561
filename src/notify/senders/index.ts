import type { Delivery, DeliveryOutcome, Sender } from './delivery.js';
import { HttpSender } from './http.js';
import { MqttSender } from './mqtt.js';

/** Dispatches each delivery to the sender of its URI scheme (clause 5.2.15: http, https, mqtt, mqtts). */
export class Senders implements Sender {
  readonly #http = new HttpSender();
  readonly #mqtt = new MqttSender();

  send(d: Delivery): Promise<DeliveryOutcome> {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(d.uri)?.[1]?.toLowerCase();
    if (scheme === 'http' || scheme === 'https') return this.#http.send(d);
    if (scheme === 'mqtt' || scheme === 'mqtts') return this.#mqtt.send(d);
    return Promise.resolve({ ok: false, detail: `the ${scheme ?? 'missing'} scheme is not supported for notifications`, retryable: false });
  }

  async close(): Promise<void> {
    await Promise.all([this.#http.close(), this.#mqtt.close()]);
  }
}
