/**
 * The entity explorer: search by id, filter by type, attribute, a query (clause 4.9) and an area (near a point),
 * one page of results at a time. The filters live in the URL, so a search can be shared and the back button works.
 */
import { useEffect, useState } from 'preact/hooks';
import { call, entityPath, entityTypes, firstType, get, NGSI, tenant, type KeyValues } from '../api';
import { navigate } from '../router';
import { useValue } from '../signal';
import { Head } from '../table';

const PAGE = 20;
const FIELDS = ['text', 'type', 'attr', 'q', 'lat', 'lon', 'radius'] as const;
type Filters = Record<(typeof FIELDS)[number], string>;

function filtersOf(q: URLSearchParams): Filters {
  return Object.fromEntries(FIELDS.map((f) => [f, q.get(f) ?? ''])) as Filters;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The NGSI-LD query (clause 5.7.2) for the filters; without a type, every type of the tenant. */
function queryFor(f: Filters, types: string[], offset: number): URLSearchParams {
  const p = new URLSearchParams({ options: 'keyValues', count: 'true', limit: String(PAGE), offset: String(offset) });
  p.set('type', f.type || types.join(','));
  if (f.text) p.set('idPattern', `(?i).*${escapeRegex(f.text)}.*`);
  const q = [f.attr, f.q].filter((x) => x !== '').join(';');
  if (q) p.set('q', q);
  if (f.lat && f.lon && f.radius) {
    p.set('georel', `near;maxDistance==${Number(f.radius)}`);
    p.set('geometry', 'Point');
    p.set('coordinates', `[${Number(f.lon)},${Number(f.lat)}]`);
  }
  return p;
}

function summary(e: KeyValues): string {
  return Object.entries(e)
    .filter(([k]) => k !== 'id' && k !== 'type' && k !== 'location' && k !== '@context')
    .slice(0, 4)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

function FilterForm({ initial, types, attrs }: { initial: Filters; types: string[]; attrs: string[] }) {
  const [f, setF] = useState(initial);
  useEffect(() => setF(initial), [JSON.stringify(initial)]);
  const field = (k: keyof Filters) => ({ value: f[k], onInput: (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value }) });
  const submit = (e: Event) => {
    e.preventDefault();
    const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v !== ''));
    navigate(`/explore${q.size ? `?${q}` : ''}`);
  };
  return (
    <form class="filters" onSubmit={submit} aria-label="Filters" role="search">
      <label>
        Id contains <input type="search" name="text" {...field('text')} />
      </label>
      <label>
        Type{' '}
        <select name="type" {...field('type')} onChange={field('type').onInput}>
          <option value="">Any type</option>
          {types.map((t) => (
            <option value={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Has attribute{' '}
        <select name="attr" {...field('attr')} onChange={field('attr').onInput}>
          <option value="">Any attribute</option>
          {attrs.map((a) => (
            <option value={a}>{a}</option>
          ))}
        </select>
      </label>
      <label>
        Query (q) <input name="q" placeholder="no2>40" {...field('q')} />
      </label>
      <fieldset>
        <legend>Area: within a radius of a point</legend>
        <label>
          Latitude <input name="lat" inputMode="decimal" size={9} {...field('lat')} />
        </label>
        <label>
          Longitude <input name="lon" inputMode="decimal" size={9} {...field('lon')} />
        </label>
        <label>
          Radius (m) <input name="radius" inputMode="numeric" size={6} {...field('radius')} />
        </label>
      </fieldset>
      <div class="actions">
        <button type="submit">Search</button>
        <button type="button" class="secondary" onClick={() => navigate('/explore')}>
          Clear
        </button>
      </div>
    </form>
  );
}

export function Explorer({ query }: { query: URLSearchParams }) {
  const t = useValue(tenant);
  const filters = filtersOf(query);
  const offset = Number(query.get('offset') ?? 0) || 0;
  const [types, setTypes] = useState<string[]>([]);
  const [attrs, setAttrs] = useState<string[]>([]);
  const [result, setResult] = useState<{ list: KeyValues[]; total: number } | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    entityTypes().then(setTypes, () => setTypes([]));
    get<{ attributeList?: string[] }>(`${NGSI}/attributes`).then((a) => setAttrs(a.attributeList ?? []), () => setAttrs([]));
  }, [t]);

  useEffect(() => {
    if (types.length === 0) return setResult({ list: [], total: 0 });
    setError('');
    call<KeyValues[]>(`${NGSI}/entities?${queryFor(filters, types, offset)}`).then(
      (r) => setResult({ list: r.body, total: Number(r.headers.get('NGSILD-Results-Count') ?? r.body.length) }),
      (e: Error) => setError(e.message),
    );
  }, [query.toString(), types, t]);

  const page = (o: number) => {
    const q = new URLSearchParams(query);
    q.set('offset', String(o));
    return `/explore?${q}`;
  };
  return (
    <div class="page">
      <h1>Entity explorer</h1>
      <FilterForm initial={filters} types={types} attrs={attrs} />
      {error && <p role="alert" class="error">{error}</p>}
      {result && (
        <section aria-labelledby="results-title">
          <h2 id="results-title" aria-live="polite">
            <span id="result-count">{result.total}</span> {result.total === 1 ? 'entity' : 'entities'}
          </h2>
          <table class="results">
            <Head cols={['Entity', 'Type', 'Attributes']} />
            <tbody>
              {result.list.map((e) => (
                <tr data-type={firstType(e)}>
                  <td>
                    <a href={entityPath(e.id)} data-page>
                      {e.id}
                    </a>
                  </td>
                  <td>{firstType(e)}</td>
                  <td class="muted">{summary(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Result pages">
            {offset > 0 && (
              <a href={page(Math.max(0, offset - PAGE))} data-page>
                Previous
              </a>
            )}
            <span>
              {result.total === 0 ? 0 : offset + 1}–{Math.min(offset + PAGE, result.total)} of {result.total}
            </span>
            {offset + PAGE < result.total && (
              <a href={page(offset + PAGE)} data-page>
                Next
              </a>
            )}
          </nav>
        </section>
      )}
    </div>
  );
}
