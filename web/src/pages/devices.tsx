/**
 * Operator page: the IoT agent's devices of the tenant (FIWARE provisioning API, /iot/devices), their counters in
 * this process (/iot/stats) and their last measures, read from the entities they write.
 */
import { useEffect, useState } from 'preact/hooks';
import { call, entityPath, NGSI, queryAll, tenant, type KeyValues } from '../api';
import { useValue } from '../signal';
import { Head } from '../table';

interface Device {
  device_id: string;
  entity_name: string;
  entity_type: string;
  protocol?: string;
  transport?: string;
  attributes?: { object_id?: string; name: string }[];
}
interface Counters {
  device_id: string;
  measures: number;
  lastMeasureAt?: string;
  lastError?: { name: string; message: string };
}

function lastMeasures(d: Device, e: KeyValues | undefined): string {
  if (!e) return 'no entity yet';
  const names = d.attributes?.length ? d.attributes.map((a) => a.name) : Object.keys(e).filter((k) => k !== 'id' && k !== 'type');
  return names
    .filter((n) => e[n] !== undefined)
    .map((n) => `${n} ${typeof e[n] === 'object' ? JSON.stringify(e[n]) : String(e[n])}`)
    .join(' · ');
}

async function load(): Promise<{ devices: Device[]; stats: Map<string, Counters>; entities: Map<string, KeyValues> } | undefined> {
  const headers = { 'Fiware-ServicePath': '/*' };
  const r = await call<{ devices: Device[] }>('/iot/devices?limit=1000', { headers }, [404]);
  if (r.status === 404) return undefined;
  const s = await call<{ devices?: Counters[] }>('/iot/stats', { headers }, [404]);
  const stats = new Map((s.body?.devices ?? []).map((c) => [c.device_id, c]));
  const ids = [...new Set(r.body.devices.map((d) => d.entity_name))];
  const entities = new Map<string, KeyValues>();
  for (let i = 0; i < ids.length; i += 100) {
    for (const e of await queryAll(new URLSearchParams({ id: ids.slice(i, i + 100).join(','), options: 'keyValues' }))) entities.set(e.id, e);
  }
  return { devices: r.body.devices, stats, entities };
}

export function Devices() {
  const t = useValue(tenant);
  const [data, setData] = useState<Awaited<ReturnType<typeof load>> | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    load().then(setData, (e: Error) => setError(e.message));
  }, [t]);
  return (
    <div class="page">
      <h1>Devices</h1>
      {error && <p role="alert" class="error">{error}</p>}
      {data === undefined && <p>The IoT agent is not served here (MIMOSA_IOT=false, or its routes are on MIMOSA_IOT_PORT).</p>}
      {data && data.devices.length === 0 && <p>No device is provisioned in this tenant.</p>}
      {data && data.devices.length > 0 && (
        <div class="scroll">
          <table>
            <caption>{data.devices.length} devices</caption>
            <Head cols={['Device', 'Entity', 'Protocol', 'Measures (this process)', 'Last measure', 'Last values', 'Last error']} />
            <tbody>
              {data.devices.map((d) => {
                const c = data.stats.get(d.device_id);
                return (
                  <tr>
                    <th scope="row">{d.device_id}</th>
                    <td>
                      <a href={entityPath(d.entity_name)} data-page>
                        {d.entity_name}
                      </a>
                    </td>
                    <td>{[d.protocol, d.transport].filter(Boolean).join(' / ')}</td>
                    <td class="num">{c?.measures ?? 0}</td>
                    <td>{c?.lastMeasureAt ?? ''}</td>
                    <td>{lastMeasures(d, data.entities.get(d.entity_name))}</td>
                    <td>{c?.lastError ? `${c.lastError.name}: ${c.lastError.message}` : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <a href="/iot/devices">Devices in the API</a> · <a href={`${NGSI}/entities`}>entities</a>
      </p>
    </div>
  );
}
