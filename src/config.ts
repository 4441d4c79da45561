/**
 * Mimosa's configuration: one schema, defaults in one place, validated at start, then frozen.
 * main.ts is the only reader of process.env; it hands the environment to loadConfig.
 * Every variable is documented in the README's configuration table (a test keeps the two in sync).
 */

import { isIP } from 'node:net';

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
  { env: 'MIMOSA_NOTIFICATION_TIMEOUT_MS', key: 'notificationTimeoutMs', parse: integer(100, 600_000), default: 10_000 },
  { env: 'MIMOSA_NOTIFICATION_MAX_ATTEMPTS', key: 'notificationMaxAttempts', parse: integer(1, 100), default: 10 },
  { env: 'MIMOSA_NOTIFICATION_RETRY_MS', key: 'notificationRetryMs', parse: integer(10, 3_600_000), default: 1000 },
  { env: 'MIMOSA_NOTIFICATION_CONCURRENCY', key: 'notificationConcurrency', parse: integer(1, 1000), default: 32 },
  { env: 'MIMOSA_NOTIFICATION_MAX_ENTITIES', key: 'notificationMaxEntities', parse: integer(1, 100_000), default: 1000 },
  { env: 'MIMOSA_NOTIFICATION_DENY', key: 'notificationDeny', parse: denyList, default: [] },
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
  if (errors.length) return { ok: false, errors };
  return { ok: true, config: Object.freeze(c) };
}
