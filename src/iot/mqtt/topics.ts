/**
 * The MQTT topics of the FIWARE IoT Agents (UL and JSON "MQTT binding"): devices publish measures to
 * `/<apikey>/<deviceId>/attrs` (several) or `/<apikey>/<deviceId>/attrs/<attr>` (one), and command results to
 * `/<apikey>/<deviceId>/cmdexe`; they receive commands on `/<apikey>/<deviceId>/cmd`. The newer spellings with the
 * protocol first (`/ul/…`, `/json/…`) are read too, and fix the payload format.
 */

export type PayloadFormat = 'ul' | 'json';

export type DeviceTopic =
  | { kind: 'attrs'; apikey: string; deviceId: string; format?: PayloadFormat }
  | { kind: 'attr'; apikey: string; deviceId: string; attr: string; format?: PayloadFormat }
  | { kind: 'cmdexe'; apikey: string; deviceId: string; format?: PayloadFormat };

const PROTOCOLS = new Set<string>(['ul', 'json']);

/** The topic filters the agent subscribes to. */
export const DEVICE_TOPICS: readonly string[] = ['', '/ul', '/json'].flatMap((p) => [`${p}/+/+/attrs`, `${p}/+/+/attrs/+`, `${p}/+/+/cmdexe`]);

export function parseTopic(topic: string): DeviceTopic | undefined {
  const levels = topic.split('/');
  if (levels[0] !== '') return undefined;
  let rest = levels.slice(1);
  let format: PayloadFormat | undefined;
  if (rest.length >= 4 && PROTOCOLS.has(rest[0]) && (rest[3] === 'attrs' || rest[3] === 'cmdexe')) {
    format = rest[0] as PayloadFormat;
    rest = rest.slice(1);
  }
  const [apikey, deviceId, kind, attr, ...extra] = rest;
  if (!apikey || !deviceId || extra.length > 0) return undefined;
  const f = format === undefined ? {} : { format };
  if (kind === 'attrs' && attr === undefined) return { kind: 'attrs', apikey, deviceId, ...f };
  if (kind === 'attrs' && attr) return { kind: 'attr', apikey, deviceId, attr, ...f };
  if (kind === 'cmdexe' && attr === undefined) return { kind: 'cmdexe', apikey, deviceId, ...f };
  return undefined;
}

export const commandTopic = (apikey: string, deviceId: string) => `/${apikey}/${deviceId}/cmd`;
