/**
 * The catalogue of the tenant's data: entity types and attributes with their counts (clauses 5.7.5–5.7.10), the
 * Smart Data Models in use (OASC MIM2), and where to read it all in the API.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, NGSI, tenant } from '../api';
import { useValue } from '../signal';
import { Head } from '../table';

interface TypeRow {
  id: string;
  typeName: string;
  attributeNames: string[];
  count?: number;
  model?: Model;
}
interface AttributeRow {
  id: string;
  attributeName: string;
  typeNames: string[];
  count?: number;
}
interface Model {
  type: string;
  typeIri: string;
  source: string;
  subject?: string;
  validation: string;
}

async function load(): Promise<{ types: TypeRow[]; attrs: AttributeRow[]; models: Model[] }> {
  const [types, attrs, models] = await Promise.all([
    get<TypeRow[]>(`${NGSI}/types?details=true`),
    get<AttributeRow[]>(`${NGSI}/attributes?details=true`),
    get<Model[]>('/mimosa/v1/models').catch(() => [] as Model[]),
  ]);
  await Promise.all([
    ...types.map(async (t) => {
      t.count = (await get<{ entityCount: number }>(`${NGSI}/types/${encodeURIComponent(t.typeName)}`)).entityCount;
      t.model = models.find((m) => m.typeIri === t.id || m.type === t.typeName);
    }),
    ...attrs.map(async (a) => {
      a.count = (await get<{ attributeCount: number }>(`${NGSI}/attributes/${encodeURIComponent(a.attributeName)}`)).attributeCount;
    }),
  ]);
  return { types, attrs, models };
}

export function Catalogue() {
  const t = useValue(tenant);
  const [data, setData] = useState<Awaited<ReturnType<typeof load>>>();
  const [error, setError] = useState('');
  useEffect(() => {
    load().then(setData, (e: Error) => setError(e.message));
  }, [t]);
  const inUse = data?.types.filter((x) => x.model) ?? [];
  return (
    <div class="page">
      <h1>Catalogue</h1>
      <p>
        The API: <a href="/api-reference" data-page>interactive reference</a> · <a href="/mimosa/openapi.json">OpenAPI document (JSON)</a> ·{' '}
        <a href={`${NGSI}/types?details=true`}>types</a> · <a href={`${NGSI}/attributes?details=true`}>attributes</a> ·{' '}
        <a href="/mimosa/v1/models">Smart Data Models</a> · <a href={`${NGSI}/jsonldContexts`}>@contexts</a>
      </p>
      {error && <p role="alert" class="error">{error}</p>}
      {data && (
        <>
          <table id="types">
            <caption>Entity types</caption>
            <Head cols={['Type', 'Entities', 'Attributes', 'Smart Data Model', 'API']} />
            <tbody>
              {data.types.map((x) => (
                <tr>
                  <th scope="row">
                    <a href={`/explore?type=${encodeURIComponent(x.typeName)}`} data-page>
                      {x.typeName}
                    </a>
                  </th>
                  <td class="num">{x.count}</td>
                  <td>{x.attributeNames.join(', ')}</td>
                  <td>{x.model ? `${x.model.subject ?? ''} ${x.model.type} (validation ${x.model.validation})` : '—'}</td>
                  <td>
                    <a href={`${NGSI}/entities?type=${encodeURIComponent(x.typeName)}&options=keyValues`}>entities</a> ·{' '}
                    <a href={`${NGSI}/types/${encodeURIComponent(x.typeName)}`}>type</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table id="attributes">
            <caption>Attributes</caption>
            <Head cols={['Attribute', 'Entities with it', 'Of types']} />
            <tbody>
              {data.attrs.map((a) => (
                <tr>
                  <th scope="row">
                    <a href={`/explore?attr=${encodeURIComponent(a.attributeName)}`} data-page>
                      {a.attributeName}
                    </a>
                  </th>
                  <td class="num">{a.count}</td>
                  <td>{a.typeNames.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <section aria-labelledby="models-title">
            <h2 id="models-title">Smart Data Models</h2>
            <p>
              {inUse.length} of the {data.models.length} models Mimosa knows govern entities of this tenant
              {inUse.length ? `: ${inUse.map((x) => x.typeName).join(', ')}` : ''}.
            </p>
            <ul class="models">
              {data.models.map((m) => (
                <li>
                  <a href={`/mimosa/v1/models/${encodeURIComponent(m.type)}`}>{m.type}</a> <span class="muted">{[m.subject, m.source, `validation ${m.validation}`].filter(Boolean).join(' · ')}</span>
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </div>
  );
}
