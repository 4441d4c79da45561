/**
 * One entity: its attributes (a table, and the normalized or keyValues document), its relationships as links to
 * the entities they name, and the history of its numeric attributes (history.tsx). Reloaded when a live change
 * names it.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { entityPath, get, NGSI, tenant, type KeyValues } from '../api';
import { liveEpoch, useLiveChanges } from '../live';
import { useValue } from '../signal';
import { History } from './history';
import { Head } from '../table';

type Attribute = { type?: string; value?: unknown; object?: unknown; observedAt?: string; unitCode?: string; [k: string]: unknown };
type Normalized = { id: string; type: string | string[]; [attr: string]: unknown };

const CORE = new Set(['id', 'type', '@context', 'scope', 'createdAt', 'modifiedAt']);

function instances(v: unknown): Attribute[] {
  return (Array.isArray(v) ? v : [v]).filter((x): x is Attribute => typeof x === 'object' && x !== null);
}

function shown(a: Attribute): string {
  const v = a.value ?? a.object ?? a.languageMap ?? a.vocab ?? a.json ?? a.objectList ?? a.valueList;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function targets(a: Attribute): string[] {
  const o = a.object ?? a.objectList;
  return (Array.isArray(o) ? o : [o]).map((x) => (typeof x === 'object' && x !== null ? (x as { object?: string }).object : x)).filter((x): x is string => typeof x === 'string');
}

function AttributeTable({ entity }: { entity: Normalized }) {
  const rows = Object.entries(entity).filter(([k]) => !CORE.has(k));
  return (
    <table class="attributes">
      <caption>Attributes</caption>
      <Head cols={['Name', 'Kind', 'Value', 'Observed at']} />
      <tbody>
        {rows.flatMap(([name, v]) =>
          instances(v).map((a) => (
            <tr>
              <th scope="row">{name}</th>
              <td>{a.type}</td>
              <td>
                {a.type === 'Relationship' || a.type === 'ListRelationship'
                  ? targets(a).map((id) => (
                      <a class="relationship" href={entityPath(id)} data-page>
                        {id}
                      </a>
                    ))
                  : `${shown(a)}${a.unitCode ? ` ${a.unitCode}` : ''}`}
              </td>
              <td>{a.observedAt ?? ''}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}

/** Names of the attributes whose value is a number: those the history can chart. */
function numericAttributes(kv: KeyValues): string[] {
  return Object.entries(kv)
    .filter(([k, v]) => !CORE.has(k) && typeof v === 'number')
    .map(([k]) => k);
}

export function EntityPage({ id }: { id: string }) {
  const t = useValue(tenant);
  const epoch = useValue(liveEpoch);
  const [normalized, setNormalized] = useState<Normalized>();
  const [kv, setKv] = useState<KeyValues>();
  const [view, setView] = useState<'normalized' | 'keyValues'>('normalized');
  const [error, setError] = useState('');
  const [version, setVersion] = useState(0);
  const url = `${NGSI}/entities/${encodeURIComponent(id)}`;

  useEffect(() => {
    Promise.all([get<Normalized>(url), get<KeyValues>(`${url}?options=keyValues`)]).then(
      ([n, k]) => {
        setNormalized(n);
        setKv(k);
        setError('');
      },
      (e: Error) => setError(e.message),
    );
  }, [id, t, epoch, version]);

  const onChanges = useCallback((list: KeyValues[]) => {
    if (list.some((e) => e.id === id)) setVersion((v) => v + 1);
  }, [id]);
  useLiveChanges(onChanges);

  return (
    <div class="page">
      <h1 class="entity-id">{id}</h1>
      {error && <p role="alert" class="error">{error}</p>}
      {normalized && kv && (
        <>
          <p>
            Type <strong>{[normalized.type].flat().join(', ')}</strong> ·{' '}
            <a href={url}>this entity in the NGSI-LD API</a> · <a href={`${NGSI}/temporal/entities/${encodeURIComponent(id)}?lastN=20`}>its temporal evolution</a>
            {kv.location !== undefined && (
              <>
                {' '}
                · <a href={`/?focus=${encodeURIComponent(id)}`} data-page>on the map</a>
              </>
            )}
          </p>
          <AttributeTable entity={normalized} />
          <History id={id} attributes={numericAttributes(kv)} />
          <section aria-labelledby="doc-title">
            <h2 id="doc-title">Document</h2>
            <div role="radiogroup" aria-label="Representation" class="toggle">
              {(['normalized', 'keyValues'] as const).map((v) => (
                <label>
                  <input type="radio" name="view" value={v} checked={view === v} onChange={() => setView(v)} /> {v}
                </label>
              ))}
            </div>
            <pre class="json" tabIndex={0} aria-label={`The entity in ${view} form`}>
              {JSON.stringify(view === 'normalized' ? normalized : kv, null, 2)}
            </pre>
          </section>
        </>
      )}
    </div>
  );
}
