/**
 * Operator page: the tenant's subscriptions (clause 5.8.4) with their delivery state (status, timesSent,
 * timesFailed, last success and failure). The portal's own live feed is one of them, named mimosa-portal-live.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, NGSI, tenant } from '../api';
import { liveEpoch } from '../live';
import { useValue } from '../signal';
import { Head } from '../table';

interface Subscription {
  id: string;
  subscriptionName?: string;
  status?: string;
  expiresAt?: string;
  entities?: { type: string }[];
  watchedAttributes?: string[];
  notification: { endpoint: { uri: string }; status?: string; timesSent?: number; timesFailed?: number; lastNotification?: string; lastSuccess?: string; lastFailure?: string };
}

export function Subscriptions() {
  const t = useValue(tenant);
  const epoch = useValue(liveEpoch);
  const [list, setList] = useState<Subscription[]>();
  const [error, setError] = useState('');
  const [version, setVersion] = useState(0);
  useEffect(() => {
    get<Subscription[]>(`${NGSI}/subscriptions?limit=1000`).then(setList, (e: Error) => setError(e.message));
  }, [t, epoch, version]);
  return (
    <div class="page">
      <h1>Subscriptions</h1>
      <p>
        <button type="button" onClick={() => setVersion(version + 1)}>
          Refresh
        </button>{' '}
        <a href={`${NGSI}/subscriptions`}>in the API</a>
      </p>
      {error && <p role="alert" class="error">{error}</p>}
      {list && list.length === 0 && <p>This tenant has no subscription.</p>}
      {list && list.length > 0 && (
        <div class="scroll">
          <table>
            <caption>{list.length} subscriptions</caption>
            <Head cols={['Subscription', 'Status', 'Delivery', 'Sent', 'Failed', 'Last success', 'Last failure', 'Endpoint', 'Selects']} />
            <tbody>
              {list.map((s) => (
                <tr class={s.notification.status === 'failed' ? 'failed' : undefined}>
                  <th scope="row">
                    <a href={`${NGSI}/subscriptions/${encodeURIComponent(s.id)}`}>{s.subscriptionName ?? s.id}</a>
                  </th>
                  <td>{s.status}</td>
                  <td>{s.notification.status ?? ''}</td>
                  <td class="num">{s.notification.timesSent ?? 0}</td>
                  <td class="num">{s.notification.timesFailed ?? 0}</td>
                  <td>{s.notification.lastSuccess ?? ''}</td>
                  <td>{s.notification.lastFailure ?? ''}</td>
                  <td class="uri">{s.notification.endpoint.uri}</td>
                  <td>{[...(s.entities ?? []).map((e) => e.type), ...(s.watchedAttributes ?? [])].join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
