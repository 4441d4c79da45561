/** Operator page: the tenants (NGSILD-Tenant) that exist, how many entity types and subscriptions each has. */
import { useEffect, useState } from 'preact/hooks';
import { get, tenant } from '../api';
import { useValue } from '../signal';
import { Head } from '../table';

interface Row {
  name: string;
  types: number;
  subscriptions: number;
}

async function describeTenant(name: string): Promise<Row> {
  const headers: Record<string, string> = name === '' ? {} : { 'NGSILD-Tenant': name };
  const [types, subs] = await Promise.all([
    fetch('/ngsi-ld/v1/types', { headers }).then((r) => (r.ok ? r.json() : { typeList: [] })),
    fetch('/ngsi-ld/v1/subscriptions?limit=1&count=true', { headers }).then((r) => Number(r.headers.get('NGSILD-Results-Count') ?? 0)),
  ]);
  return { name, types: (types as { typeList?: string[] }).typeList?.length ?? 0, subscriptions: subs };
}

export function Tenants() {
  const current = useValue(tenant);
  const [rows, setRows] = useState<Row[]>();
  const [error, setError] = useState('');
  useEffect(() => {
    get<string[]>('/mimosa/portal/tenants')
      .then((names) => Promise.all(names.map(describeTenant)))
      .then(setRows, (e: Error) => setError(e.message));
  }, []);
  return (
    <div class="page">
      <h1>Tenants</h1>
      <p>A tenant is created by its first write; its data is isolated from the others'.</p>
      {error && <p role="alert" class="error">{error}</p>}
      {rows && (
        <table>
          <caption>{rows.length} tenants</caption>
          <Head cols={['Tenant', 'Entity types', 'Subscriptions', 'Portal']} />
          <tbody>
            {rows.map((r) => (
              <tr>
                <th scope="row">{r.name === '' ? '(default)' : r.name}</th>
                <td class="num">{r.types}</td>
                <td class="num">{r.subscriptions}</td>
                <td>
                  {r.name === current ? (
                    'shown'
                  ) : (
                    <button type="button" onClick={() => tenant.set(r.name)}>
                      Show this tenant
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
