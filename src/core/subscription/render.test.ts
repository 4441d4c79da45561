import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtInContext } from '../context/core-contexts.js';
import { compileContext } from '../context/termmap.js';
import { termMap } from '../query/query-fixtures.test-util.js';
import type { Subscription } from './model.js';
import { parseSubscription } from './parse.js';
import { renderSubscription, type DeliveryStatus } from './render.js';

const NOW = '2024-05-01T10:00:00.000Z';
const tm = await termMap();
const fresh: DeliveryStatus = { timesSent: 0, timesFailed: 0 };

/** A subscription with every member a client may give (shared with test/api/subscriptions.test.ts). */
const everyMember = JSON.parse(readFileSync(new URL('../../../test/fixtures/subscriptions/every-member.json', import.meta.url), 'utf8'));

function parsed(body: Record<string, unknown>): Subscription {
  const r = parseSubscription(body, tm, NOW);
  assert.ok(r.ok, r.ok ? '' : r.problem.detail);
  return { id: 'urn:ngsi-ld:Subscription:generated', ...r.value };
}

describe('renderSubscription', () => {
  it('render should give back every member as written when the subscription has all of them', () => {
    const out = renderSubscription(parsed(everyMember), fresh, tm, NOW);
    const notification = { ...everyMember.notification, timesSent: 0, timesFailed: 0 };
    assert.deepEqual(out, { ...everyMember, notification, status: 'paused' });
    assert.deepEqual(Object.keys(out).slice(0, 4), ['id', 'type', 'subscriptionName', 'description']);
  });

  it('render should parse back to the same subscription when rendered with the same context', () => {
    const s = parsed(everyMember);
    // the system-generated members are refused on input: leave them out
    const { status: _status, notification, ...members } = renderSubscription(s, fresh, tm, NOW);
    const { timesSent: _sent, timesFailed: _failed, ...params } = notification as Record<string, unknown>;
    const again = parsed({ ...members, notification: params });
    assert.deepEqual(again, s);
  });

  it('render should compact names with the given context when it differs from the one of creation', async () => {
    const other = await compileContext([{ velocity: 'http://example.org/speed' }], async (u) => builtInContext(u) ?? Promise.reject(new Error(u)));
    const s = parsed({ type: 'Subscription', watchedAttributes: ['speed'], q: 'speed>1', notification: { attributes: ['ex:speed'], endpoint: { uri: 'http://x.org/n' } } });
    const out = renderSubscription(s, fresh, other, NOW) as { watchedAttributes: string[]; q: string; notification: { attributes: string[] } };
    assert.deepEqual(out.watchedAttributes, ['velocity']);
    assert.equal(out.q, 'velocity>1');
    assert.deepEqual(out.notification.attributes, ['velocity']);
  });

  it('render should default geoproperty to location and print minDistance when the geoQ gave no geoproperty', () => {
    const s = parsed({ ...everyMember, geoQ: { georel: 'near;minDistance==2.5', geometry: 'Point', coordinates: [1, 2] } });
    assert.deepEqual(renderSubscription(s, fresh, tm, NOW).geoQ, { geometry: 'Point', coordinates: [1, 2], georel: 'near;minDistance==2.5', geoproperty: 'location' });
  });

  it('render should answer status active, paused or expired when isActive and expiresAt say so', () => {
    const s = parsed({ ...everyMember, isActive: true });
    assert.equal(renderSubscription(s, fresh, tm, NOW).status, 'active');
    assert.equal(renderSubscription({ ...s, isActive: false }, fresh, tm, NOW).status, 'paused');
    assert.equal(renderSubscription(s, fresh, tm, '2099-01-01T00:00:00Z').status, 'expired');
    assert.equal(renderSubscription({ ...s, isActive: false }, fresh, tm, '2100-01-01T00:00:00Z').status, 'expired');
  });

  it('render should add createdAt and modifiedAt only when sysAttrs is asked', () => {
    const s = { ...parsed(everyMember), modifiedAt: '2024-06-01T00:00:00.000Z' };
    const plain = renderSubscription(s, fresh, tm, NOW);
    assert.equal('createdAt' in plain || 'modifiedAt' in plain, false);
    const sys = renderSubscription(s, fresh, tm, NOW, { sysAttrs: true });
    assert.equal(sys.createdAt, NOW);
    assert.equal(sys.modifiedAt, '2024-06-01T00:00:00.000Z');
  });

  it('render should report the delivery members when the notifier has recorded them', () => {
    const d: DeliveryStatus = {
      timesSent: 4,
      timesFailed: 1,
      lastNotification: '2024-05-01T09:00:00Z',
      lastSuccess: '2024-05-01T09:00:00Z',
      lastFailure: '2024-05-01T08:00:00Z',
      status: 'ok',
    };
    const n = renderSubscription(parsed(everyMember), d, tm, NOW).notification as Record<string, unknown>;
    assert.deepEqual(
      { status: n.status, timesSent: n.timesSent, timesFailed: n.timesFailed, lastNotification: n.lastNotification, lastSuccess: n.lastSuccess, lastFailure: n.lastFailure },
      d,
    );
  });

  it('render should leave out optional members when the subscription has only the mandatory ones', () => {
    const s = parsed({ type: 'Subscription', entities: [{ type: 'Car' }], notification: { endpoint: { uri: 'http://x.org/n' } } });
    assert.deepEqual(renderSubscription(s, fresh, tm, NOW), {
      id: s.id,
      type: 'Subscription',
      entities: [{ type: 'Car' }],
      notificationTrigger: ['attributeCreated', 'attributeUpdated'],
      isActive: true,
      notification: { format: 'normalized', sysAttrs: false, showChanges: false, endpoint: { uri: 'http://x.org/n' }, timesSent: 0, timesFailed: 0 },
      status: 'active',
    });
  });
});
