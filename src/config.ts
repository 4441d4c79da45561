/**
 * Mimosa's configuration: one schema, defaults in one place, validated at start, then frozen.
 * main.ts is the only reader of process.env; it hands the environment to loadConfig.
 * Every variable is documented in the README's configuration table (a test keeps the two in sync).
 */

import { isIP } from 'node:net';
import { parseDuration, type Duration } from './core/temporal/duration.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** undefined = embedded PGlite in dataDir; 'memory://' = in-memory PGlite; postgres://… = PostgreSQL server. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Most connections to a PostgreSQL server this process holds. */
  readonly databasePoolSize: number;
  readonly logLevel: LogLevel;
  /** Largest request body accepted, in bytes. */
  readonly bodyLimit: number;
  /** Most entities accepted in one batch operation request. */
  readonly batchLimit: number;
  /** Largest `limit` a query may ask for. */
  readonly maxLimit: number;
  /** Page size when a query gives no `limit`. */
  readonly defaultLimit: number;
  /** Time allowed to fetch a remote @context, in milliseconds. */
  readonly contextTimeoutMs: number;
  /** Largest remote @context document accepted, in bytes. */
  readonly contextMaxBytes: number;
  /** Whether this process delivers notifications (several processes may share the work). */
  readonly notifier: boolean;
  /** Longest a notification delivery may take, in milliseconds (caps a subscription's endpoint.timeout). */
  readonly notificationTimeoutMs: number;
  /** Longest a distributed operation waits for one registered context source (clause 4.3.6). */
  readonly federationTimeoutMs: number;
  /** Delivery attempts of one notification before it goes to the dead-letter table. */
  readonly notificationMaxAttempts: number;
  /** Wait before the first retry, in milliseconds; it doubles with each further attempt, up to 5 minutes. */
  readonly notificationRetryMs: number;
  /** Deliveries this process runs at once to one endpoint (scheme and authority). */
  readonly notificationConcurrency: number;
  /** Most entities in one notification; more are split into several notifications. */
  readonly notificationMaxEntities: number;
  /** Addresses, CIDR blocks and host names notifications must never be sent to. */
  readonly notificationDeny: readonly string[];
  /** Whether entity writes record attribute instances in the temporal evolution. */
  readonly temporal: boolean;
  /** Whether deleting an entity keeps its temporal evolution (with deletion instances) instead of deleting it. */
  readonly temporalKeepDeleted: boolean;
  /** Age past which attribute instances are dropped (by their observedAt, else modifiedAt); undefined: kept forever. */
  readonly temporalRetention: Duration | undefined;
  /** Most instances of one attribute in one temporal answer; more are paged (206 and Content-Range). */
  readonly temporalMaxInstances: number;
  /** Directory of Smart Data Models (subject folders with context.jsonld and <Model>/schema.json); undefined: none. */
  readonly modelsDir: string | undefined;
  /** Whether the IoT agent runs (provisioning API, MQTT and HTTP measures, commands). */
  readonly iot: boolean;
  /** TCP port of the IoT agent's own HTTP server; undefined: its routes are served on `port`. */
  readonly iotPort: number | undefined;
  /** Whether an unknown device of a known API key is provisioned by its first measure (a group may say otherwise). */
  readonly iotAutoprovision: boolean;
  /** External MQTT broker the agent subscribes to; undefined: an embedded broker listens on mqttPort. */
  readonly mqttUrl: string | undefined;
  /** TCP port of the embedded MQTT broker (0 = any free port). */
  readonly mqttPort: number | undefined;
  /** Shared-subscription group on the external broker: the Mimosa processes of one deployment share its messages. */
  readonly mqttGroup: string;
  /** The demo city (src/demo): `auto` provisions it on an empty embedded store, `on` at every start, `off` only on request. */
  readonly demo: 'auto' | 'on' | 'off';
  /** Device messages per second the demo city's simulator publishes. */
  readonly demoRate: number;
  /** Tenant of the demo city; undefined: the default tenant. */
  readonly demoTenant: string | undefined;
  /** Hours of history the demo city's sensors get when it is first provisioned; 0: none. */
  readonly demoHistoryHours: number;
  /** Whether the web portal is served at / (with its live stream and OpenAPI document). */
  readonly portal: boolean;
  /** Base URL other Mimosa processes reach this one at, for the portal's live feed; undefined: the address listened on. */
  readonly portalUrl: string | undefined;
}

interface Setting {
  env: string;
  key: keyof Config;
  parse: (raw: string) => unknown;
  default: unknown;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(min: number, max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw.trim())) throw new Error(`must be a whole number from ${min} to ${max}`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

function nonEmpty(raw: string): string {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw.trim();
}

function databaseUrl(raw: string): string {
  const v = raw.trim();
  if (v === 'memory://' || /^postgres(ql)?:\/\/.+/.test(v)) return v;
  throw new Error("must be 'memory://' or a postgres:// (postgresql://) URL");
}

function flag(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['true', 'on', '1', 'yes'].includes(v)) return true;
  if (['false', 'off', '0', 'no'].includes(v)) return false;
  throw new Error('must be true or false');
}

/** Comma-separated IP addresses, CIDR blocks and host names. */
function denyList(raw: string): string[] {
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const e of entries) {
    const [address, bits, extra] = e.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    if (bits !== undefined && (family === 0 || extra !== undefined || !/^\d+$/.test(bits) || Number(bits) > max)) {
      throw new Error(`has ${JSON.stringify(e)}, which is not an IP address, a CIDR block (address/bits) or a host name`);
    }
    if (family === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(e)) {
      throw new Error(`has ${JSON.stringify(e)}, which is not an IP address, a CIDR block (address/bits) or a host name`);
    }
  }
  return entries;
}

/** An ISO 8601 duration (P90D, P1Y, PT12H), not zero. */
function retention(raw: string): Duration {
  const r = parseDuration(raw.trim());
  if (!r.ok || (r.value.months === 0 && r.value.millis === 0)) throw new Error('must be a non-zero ISO 8601 duration such as P90D, P1Y or PT12H');
  return r.value;
}

/** An MQTT broker URL: mqtt:// or mqtts:// (ws:// and wss:// too), with a host. */
function mqttUrl(raw: string): string {
  const v = raw.trim();
  if (!/^(mqtts?|wss?):\/\/[^/\s]+/.test(v)) throw new Error('must be an mqtt://, mqtts://, ws:// or wss:// URL with a host');
  return v;
}

/** An http(s) base URL without query or fragment, kept without its trailing slash. */
function baseUrl(raw: string): string {
  const v = raw.trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s?#]+(\/[^\s?#]*)?$/.test(v)) throw new Error('must be an http:// or https:// URL such as http://mimosa-1.internal:1026');
  return v;
}

/** One MQTT topic level: no / + # and no whitespace. */
function topicLevel(raw: string): string {
  const v = raw.trim();
  if (!/^[^/+#\s]{1,64}$/.test(v)) throw new Error('must be 1 to 64 characters without / + # or whitespace');
  return v;
}

function demoMode(raw: string): 'auto' | 'on' | 'off' {
  const v = raw.trim().toLowerCase();
  if (v === 'auto' || v === 'on' || v === 'off') return v;
  throw new Error('must be auto, on or off');
}

/** Messages per second: a decimal number from 0.1 to 1000 (the bounds of POST /mimosa/demo/start?rate= too). */
function demoRate(raw: string): number {
  const n = /^\d{1,6}(\.\d{1,6})?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(n >= 0.1 && n <= 1000)) throw new Error('must be a number from 0.1 to 1000');
  return n;
}

/** A tenant name: letters, digits, `_` and `-`. */
function tenantName(raw: string): string {
  const v = raw.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(v)) throw new Error('must be 1 to 64 letters, digits, _ or -');
  return v;
}

function logLevel(raw: string): LogLevel {
  const v = raw.trim().toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(v)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
  return v;
}

/** The settings table: environment variable → config key, parser, default. The README documents each row. */
export const settings: readonly Setting[] = [
  { env: 'MIMOSA_PORT', key: 'port', parse: integer(0, 65535), default: 1026 },
  { env: 'MIMOSA_HOST', key: 'host', parse: nonEmpty, default: '127.0.0.1' },
  { env: 'MIMOSA_DATABASE_URL', key: 'databaseUrl', parse: databaseUrl, default: undefined },
  { env: 'MIMOSA_DATA_DIR', key: 'dataDir', parse: nonEmpty, default: './data' },
  { env: 'MIMOSA_DATABASE_POOL_SIZE', key: 'databasePoolSize', parse: integer(1, 1000), default: 10 },
  { env: 'MIMOSA_LOG_LEVEL', key: 'logLevel', parse: logLevel, default: 'info' },
  { env: 'MIMOSA_BODY_LIMIT', key: 'bodyLimit', parse: integer(1024, 1024 * 1024 * 1024), default: 64 * 1024 * 1024 },
  { env: 'MIMOSA_BATCH_LIMIT', key: 'batchLimit', parse: integer(1, 1_000_000), default: 10_000 },
  { env: 'MIMOSA_MAX_LIMIT', key: 'maxLimit', parse: integer(1, 1_000_000), default: 1000 },
  { env: 'MIMOSA_DEFAULT_LIMIT', key: 'defaultLimit', parse: integer(1, 1_000_000), default: 20 },
  { env: 'MIMOSA_CONTEXT_TIMEOUT_MS', key: 'contextTimeoutMs', parse: integer(100, 120_000), default: 5000 },
  { env: 'MIMOSA_CONTEXT_MAX_BYTES', key: 'contextMaxBytes', parse: integer(1024, 64 * 1024 * 1024), default: 1024 * 1024 },
  { env: 'MIMOSA_NOTIFIER', key: 'notifier', parse: flag, default: true },
  { env: 'MIMOSA_FEDERATION_TIMEOUT_MS', key: 'federationTimeoutMs', parse: integer(100, 120_000), default: 5000 },
  { env: 'MIMOSA_NOTIFICATION_TIMEOUT_MS', key: 'notificationTimeoutMs', parse: integer(100, 600_000), default: 10_000 },
  { env: 'MIMOSA_NOTIFICATION_MAX_ATTEMPTS', key: 'notificationMaxAttempts', parse: integer(1, 100), default: 10 },
  { env: 'MIMOSA_NOTIFICATION_RETRY_MS', key: 'notificationRetryMs', parse: integer(10, 3_600_000), default: 1000 },
  { env: 'MIMOSA_NOTIFICATION_CONCURRENCY', key: 'notificationConcurrency', parse: integer(1, 1000), default: 32 },
  { env: 'MIMOSA_NOTIFICATION_MAX_ENTITIES', key: 'notificationMaxEntities', parse: integer(1, 100_000), default: 1000 },
  { env: 'MIMOSA_NOTIFICATION_DENY', key: 'notificationDeny', parse: denyList, default: [] },
  { env: 'MIMOSA_TEMPORAL', key: 'temporal', parse: flag, default: true },
  { env: 'MIMOSA_TEMPORAL_KEEP_DELETED', key: 'temporalKeepDeleted', parse: flag, default: false },
  { env: 'MIMOSA_TEMPORAL_RETENTION', key: 'temporalRetention', parse: retention, default: undefined },
  { env: 'MIMOSA_TEMPORAL_MAX_INSTANCES', key: 'temporalMaxInstances', parse: integer(1, 1_000_000), default: 10_000 },
  { env: 'MIMOSA_MODELS_DIR', key: 'modelsDir', parse: nonEmpty, default: undefined },
  { env: 'MIMOSA_IOT', key: 'iot', parse: flag, default: true },
  { env: 'MIMOSA_IOT_PORT', key: 'iotPort', parse: integer(0, 65535), default: undefined },
  { env: 'MIMOSA_IOT_AUTOPROVISION', key: 'iotAutoprovision', parse: flag, default: true },
  { env: 'MIMOSA_MQTT_URL', key: 'mqttUrl', parse: mqttUrl, default: undefined },
  { env: 'MIMOSA_MQTT_PORT', key: 'mqttPort', parse: integer(0, 65535), default: undefined },
  { env: 'MIMOSA_MQTT_GROUP', key: 'mqttGroup', parse: topicLevel, default: 'mimosa' },
  { env: 'MIMOSA_DEMO', key: 'demo', parse: demoMode, default: 'auto' },
  { env: 'MIMOSA_DEMO_RATE', key: 'demoRate', parse: demoRate, default: 10 },
  { env: 'MIMOSA_DEMO_TENANT', key: 'demoTenant', parse: tenantName, default: undefined },
  { env: 'MIMOSA_DEMO_HISTORY_HOURS', key: 'demoHistoryHours', parse: integer(0, 24 * 31), default: 48 },
  { env: 'MIMOSA_PORTAL', key: 'portal', parse: flag, default: true },
  { env: 'MIMOSA_PORTAL_URL', key: 'portalUrl', parse: baseUrl, default: undefined },
];

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Validates the environment (and overrides, e.g. from tests) into a frozen Config; every problem is reported at once. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, overrides: Partial<Config> = {}): ConfigResult {
  const out: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const s of settings) {
    const raw = env[s.env];
    if (raw === undefined || raw === '') {
      out[s.key] = s.default;
      continue;
    }
    try {
      out[s.key] = s.parse(raw);
    } catch (e) {
      errors.push(`${s.env}=${JSON.stringify(raw)} ${(e as Error).message}`);
    }
  }
  Object.assign(out, overrides);
  const c = out as unknown as Config;
  if (c.defaultLimit > c.maxLimit) errors.push(`MIMOSA_DEFAULT_LIMIT (${c.defaultLimit}) must not exceed MIMOSA_MAX_LIMIT (${c.maxLimit})`);
  if (c.iot && c.iotPort !== undefined && c.iotPort !== 0 && c.iotPort === c.port) errors.push(`MIMOSA_IOT_PORT (${c.iotPort}) must differ from MIMOSA_PORT`);
  if (c.iot && c.mqttUrl === undefined && (c.mqttPort ?? 1883) === c.port) errors.push(`MIMOSA_MQTT_PORT (${c.mqttPort}) must differ from MIMOSA_PORT`);
  if (errors.length) return { ok: false, errors };
  return { ok: true, config: Object.freeze(c) };
}
