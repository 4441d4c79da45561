/**
 * MIMOSA_NOTIFICATION_DENY (src/notify/endpoint-policy.ts): denied receivers are refused when a subscription names
 * them and when a host name resolves into a denied block at delivery; with no entries, everything is allowed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EndpointPolicy, GuardedSender } from '../../src/notify/endpoint-policy.js';
import { Senders } from '../../src/notify/senders/index.js';
import { API, assertProblem, describeApi, send } from '../support/http.js';
import { Receiver } from '../support/receiver.js';

const policy = new EndpointPolicy(['169.254.169.254', '10.0.0.0/8', 'fd00::/8', 'Metadata.Internal', '127.0.0.0/8']);

describe('EndpointPolicy', () => {
  it('deniedUri should deny a listed address, an address in a listed block and a listed host name', () => {
    for (const uri of ['http://169.254.169.254/latest', 'https://10.1.2.3:8443/n', 'http://[fd00::1]/n', 'mqtt://metadata.internal./t', 'http://127.0.0.1:9/x']) {
      assert.match(policy.deniedUri(uri) ?? '', /denied by MIMOSA_NOTIFICATION_DENY/, uri);
    }
  });

  it('deniedUri should allow hosts outside the list and anything when the list is empty', () => {
    for (const uri of ['http://11.0.0.1/n', 'http://[fe80::1]/n', 'http://receiver.example/n', 'mqtt://broker:1883/t']) {
      assert.equal(policy.deniedUri(uri), undefined, uri);
    }
    assert.equal(new EndpointPolicy([]).deniedUri('http://169.254.169.254/'), undefined);
  });

  it('deniedResolved should deny a host name that resolves into a denied block', async () => {
    assert.match((await policy.deniedResolved('http://localhost:9/n')) ?? '', /localhost resolves to (127\.0\.0\.1|::1)/);
  });
});

describe('GuardedSender', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await Receiver.start();
  });
  after(() => receiver.close());

  const delivery = (uri: string) => ({ uri, body: { hello: 1 }, headers: { 'content-type': 'application/json' }, notifierInfo: {}, timeoutMs: 2000 });

  it('send should refuse a denied endpoint for good without contacting it, and deliver to an allowed one', async () => {
    const guarded = new GuardedSender(policy, new Senders());
    const refused = await guarded.send(delivery(receiver.url('/denied')));
    assert.deepEqual([refused.ok, refused.ok ? true : refused.retryable], [false, false]);
    assert.deepEqual(receiver.at('/denied'), []);
    const open = new GuardedSender(new EndpointPolicy([]), new Senders());
    assert.equal((await open.send(delivery(receiver.url('/allowed')))).ok, true);
    assert.deepEqual(receiver.at('/allowed').map((r) => r.body), [{ hello: 1 }]);
    await guarded.close();
    await open.close();
  });
});

describeApi(
  'Subscriptions with MIMOSA_NOTIFICATION_DENY',
  (h) => {
    const sub = (uri: string) => ({ type: 'Subscription', entities: [{ type: 'Car' }], notification: { endpoint: { uri } } });

    it('create should answer 400 BadRequestData when the endpoint is denied, and 201 when it is not', async () => {
      const res = await send(h().app, 'POST', `${API}/subscriptions`, sub('http://169.254.169.254/latest/meta-data'));
      const problem = assertProblem(res, 400, 'BadRequestData');
      assert.match(String(problem.detail), /169\.254\.169\.254 is denied by MIMOSA_NOTIFICATION_DENY/);
      assert.equal((await send(h().app, 'POST', `${API}/subscriptions`, sub('http://receiver.example/n'))).statusCode, 201);
    });

    it('update should answer 400 and change nothing when the new endpoint is denied', async () => {
      const created = await send(h().app, 'POST', `${API}/subscriptions`, sub('http://receiver.example/n'));
      const url = String(created.headers.location);
      assertProblem(await send(h().app, 'PATCH', url, { notification: { endpoint: { uri: 'http://10.0.0.5/n' } } }), 400, 'BadRequestData');
      const kept = (await send(h().app, 'GET', url)).json();
      assert.equal(kept.notification.endpoint.uri, 'http://receiver.example/n');
    });
  },
  { notificationDeny: ['169.254.169.254', '10.0.0.0/8'] },
);
