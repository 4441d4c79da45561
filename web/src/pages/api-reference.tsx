/**
 * Interactive API reference, offline: the OpenAPI document Mimosa serves (/mimosa/openapi.json: ETSI's NGSI-LD
 * description and Mimosa's own routes), grouped by tag; each operation can be tried against this broker with the
 * portal's tenant.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { call, get } from '../api';

type Param = { name: string; in: string; description?: string; required?: boolean; $ref?: string };
type Op = { tags?: string[]; summary?: string; description?: string; operationId?: string; parameters?: Param[]; requestBody?: unknown };
type Doc = { info: { title: string; version: string }; servers: { url: string }[]; paths: Record<string, Record<string, unknown>>; components: { parameters: Record<string, Param> } };
interface Entry {
  method: string;
  path: string;
  base: string;
  op: Op;
  params: Param[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function entries(doc: Doc): Entry[] {
  const resolve = (p: Param): Param => (p.$ref ? doc.components.parameters[p.$ref.split('/').pop()!] ?? p : p);
  const out: Entry[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const servers = (item.servers as { url: string }[] | undefined) ?? doc.servers;
    for (const method of METHODS) {
      const op = item[method] as Op | undefined;
      if (!op) continue;
      const params = (op.parameters ?? []).map(resolve).filter((p) => p.in === 'path' || p.in === 'query');
      out.push({ method, path, base: servers[0].url.replace(/\/$/, ''), op, params });
    }
  }
  return out;
}

function TryIt({ e }: { e: Entry }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [body, setBody] = useState('');
  const [answer, setAnswer] = useState<string>();
  const send = async (ev: Event) => {
    ev.preventDefault();
    let path = e.path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(values[n] ?? ''));
    const q = new URLSearchParams(e.params.filter((p) => p.in === 'query' && values[p.name]).map((p) => [p.name, values[p.name]]));
    if (q.size) path += `?${q}`;
    const init: RequestInit = { method: e.method.toUpperCase() };
    if (body.trim()) init.body = body;
    if (body.trim()) init.headers = { 'Content-Type': 'application/json' };
    try {
      const r = await call<unknown>(`${e.base}${path}`, init, [...Array(600).keys()]);
      setAnswer(`${r.status}\n${typeof r.body === 'string' ? r.body : JSON.stringify(r.body, null, 2) ?? ''}`);
    } catch (err) {
      setAnswer(String(err));
    }
  };
  return (
    <form class="try" onSubmit={send}>
      {e.params.map((p) => (
        <label>
          {p.name} <span class="muted">({p.in}{p.required ? ', required' : ''})</span>
          <input value={values[p.name] ?? ''} required={p.in === 'path'} onInput={(x) => setValues({ ...values, [p.name]: (x.target as HTMLInputElement).value })} />
        </label>
      ))}
      {e.op.requestBody !== undefined && (
        <label>
          Body (JSON)
          <textarea rows={6} value={body} onInput={(x) => setBody((x.target as HTMLTextAreaElement).value)} />
        </label>
      )}
      <button type="submit">Send {e.method.toUpperCase()} request</button>
      {answer !== undefined && (
        <pre class="json" aria-live="polite" tabIndex={0}>
          {answer}
        </pre>
      )}
    </form>
  );
}

export function ApiReference() {
  const [doc, setDoc] = useState<Doc>();
  const [error, setError] = useState('');
  const [filter, setFilter] = useState('');
  useEffect(() => {
    get<Doc>('/mimosa/openapi.json').then(setDoc, (e: Error) => setError(e.message));
  }, []);
  const all = useMemo(() => (doc ? entries(doc) : []), [doc]);
  const shown = all.filter((e) => `${e.method} ${e.path} ${e.op.summary ?? ''} ${e.op.tags?.join(' ')}`.toLowerCase().includes(filter.toLowerCase()));
  const tags = [...new Set(shown.map((e) => e.op.tags?.[0] ?? 'Other'))];
  return (
    <div class="page">
      <h1>API reference</h1>
      <p>
        {doc ? `${doc.info.title} ${doc.info.version}, ${all.length} operations. ` : ''}
        <a href="/mimosa/openapi.json">The OpenAPI document</a> (JSON) works with any OpenAPI tool. Requests sent from here use the portal's tenant.
      </p>
      {error && <p role="alert" class="error">{error}</p>}
      <label>
        Find an operation <input type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      </label>
      {tags.map((tag) => (
        <section aria-label={tag}>
          <h2>{tag}</h2>
          {shown
            .filter((e) => (e.op.tags?.[0] ?? 'Other') === tag)
            .map((e) => (
              <details class="operation">
                <summary>
                  <span class={`method method-${e.method}`}>{e.method.toUpperCase()}</span> <code>{e.base === '' ? e.path : `${e.base}${e.path}`}</code>{' '}
                  <span class="muted">{e.op.summary?.trim()}</span>
                </summary>
                {e.op.description && <p class="description">{e.op.description.trim()}</p>}
                <TryIt e={e} />
              </details>
            ))}
        </section>
      ))}
    </div>
  );
}
