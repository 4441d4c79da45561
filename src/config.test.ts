import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadConfig, settings } from './config.js';

test('loadConfig should give the documented defaults when the environment is empty', () => {
  const r = loadConfig({});
  assert.ok(r.ok);
  assert.equal(r.config.port, 1026);
  assert.equal(r.config.host, '127.0.0.1');
  assert.equal(r.config.databaseUrl, undefined);
  assert.equal(r.config.dataDir, './data');
  assert.ok(r.config.batchLimit >= 10_000);
  assert.ok(Object.isFrozen(r.config));
});

test('loadConfig should report every invalid variable at once when several are wrong', () => {
  const r = loadConfig({ MIMOSA_PORT: '70000', MIMOSA_DATABASE_URL: 'mysql://x', MIMOSA_LOG_LEVEL: 'loud' });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.errors.length, 3);
  assert.match(r.errors.join('\n'), /MIMOSA_PORT="70000" must be a whole number from 0 to 65535/);
  assert.match(r.errors.join('\n'), /MIMOSA_DATABASE_URL="mysql:\/\/x" must be 'memory:\/\/' or a postgres/);
  assert.match(r.errors.join('\n'), /MIMOSA_LOG_LEVEL="loud" must be one of/);
});

test('loadConfig should accept memory:// and postgres URLs when given', () => {
  for (const url of ['memory://', 'postgres://u@h/db', 'postgresql://h:5432/x']) {
    const r = loadConfig({ MIMOSA_DATABASE_URL: url });
    assert.ok(r.ok, url);
    assert.equal(r.config.databaseUrl, url);
  }
});

test('loadConfig should reject a default limit above the max limit', () => {
  const r = loadConfig({ MIMOSA_DEFAULT_LIMIT: '50', MIMOSA_MAX_LIMIT: '10' });
  assert.equal(r.ok, false);
});

test('loadConfig should read the notifier switch and the endpoint deny-list when they are given', () => {
  const r = loadConfig({ MIMOSA_NOTIFIER: 'off', MIMOSA_NOTIFICATION_DENY: ' 169.254.169.254, 10.0.0.0/8,fd00::/8 ,metadata.internal ' });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  assert.equal(r.config.notifier, false);
  assert.deepEqual(r.config.notificationDeny, ['169.254.169.254', '10.0.0.0/8', 'fd00::/8', 'metadata.internal']);
});

test('loadConfig should reject a deny-list entry that is no address, block or host name', () => {
  for (const bad of ['10.0.0.0/33', 'example.org/8', '1.2.3.4/8/1', 'http://x', 'a b']) {
    const r = loadConfig({ MIMOSA_NOTIFICATION_DENY: bad });
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.errors[0], /MIMOSA_NOTIFICATION_DENY=.* is not an IP address, a CIDR block/);
  }
  assert.equal(loadConfig({ MIMOSA_NOTIFIER: 'maybe' }).ok, false);
});

test('README configuration table should list exactly the settings with their defaults', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| `(MIMOSA_[A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2].trim()] as const);
  assert.deepEqual(rows.map((r) => r[0]).sort(), settings.map((s) => s.env).sort());
  for (const [env, shown] of rows) {
    const s = settings.find((x) => x.env === env)!;
    const empty = Array.isArray(s.default) && s.default.length === 0;
    const expected = s.default === undefined ? '(unset)' : empty ? '(empty)' : `\`${String(s.default)}\``;
    assert.equal(shown, expected, env);
  }
});

test('loadConfig should read the temporal settings when they are given', () => {
  const d = loadConfig({});
  assert.ok(d.ok);
  assert.deepEqual([d.config.temporal, d.config.temporalKeepDeleted, d.config.temporalRetention, d.config.temporalMaxInstances], [true, false, undefined, 10_000]);
  const r = loadConfig({ MIMOSA_TEMPORAL: 'off', MIMOSA_TEMPORAL_KEEP_DELETED: 'on', MIMOSA_TEMPORAL_RETENTION: 'P1Y2D', MIMOSA_TEMPORAL_MAX_INSTANCES: '500' });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  assert.equal(r.config.temporal, false);
  assert.equal(r.config.temporalKeepDeleted, true);
  assert.deepEqual(r.config.temporalRetention, { months: 12, millis: 2 * 86_400_000 });
  assert.equal(r.config.temporalMaxInstances, 500);
});

test('loadConfig should reject a retention that is no non-zero ISO 8601 duration', () => {
  for (const bad of ['90', '90d', 'P0D', 'PT0S', 'P']) {
    const r = loadConfig({ MIMOSA_TEMPORAL_RETENTION: bad });
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.errors[0], /MIMOSA_TEMPORAL_RETENTION=.* must be a non-zero ISO 8601 duration/);
  }
});

test('loadConfig should read the IoT agent settings and refuse ports that collide when they are given', () => {
  const r = loadConfig({ MIMOSA_IOT_PORT: '4041', MIMOSA_IOT_AUTOPROVISION: 'off', MIMOSA_MQTT_URL: 'mqtt://broker:1883', MIMOSA_MQTT_GROUP: 'city' });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  assert.equal(r.config.iot, true);
  assert.equal(r.config.iotPort, 4041);
  assert.equal(r.config.iotAutoprovision, false);
  assert.equal(r.config.mqttUrl, 'mqtt://broker:1883');
  assert.equal(r.config.mqttPort, undefined);
  assert.equal(r.config.mqttGroup, 'city');
  assert.equal(loadConfig({ MIMOSA_MQTT_URL: 'http://broker' }).ok, false);
  assert.equal(loadConfig({ MIMOSA_MQTT_GROUP: 'a/b' }).ok, false);
  assert.equal(loadConfig({ MIMOSA_PORT: '5000', MIMOSA_MQTT_PORT: '5000' }).ok, false);
  assert.equal(loadConfig({ MIMOSA_PORT: '5000', MIMOSA_IOT_PORT: '5000' }).ok, false);
});
