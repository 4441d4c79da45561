/**
 * History chart of one numeric attribute: the average, minimum and maximum per period, aggregated by the broker
 * (temporal API, clause 4.5.19: options=aggregatedValues), drawn with uPlot, with the same figures as a table
 * for screen readers and keyboard users.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { get, NGSI, tenant } from '../api';
import { useValue } from '../signal';
import { Head } from '../table';

const PERIODS: Record<string, { label: string; ms: number; step: string }> = {
  day: { label: 'Last 24 hours', ms: 86_400_000, step: 'PT1H' },
  week: { label: 'Last 7 days', ms: 7 * 86_400_000, step: 'PT6H' },
  month: { label: 'Last 30 days', ms: 30 * 86_400_000, step: 'P1D' },
  year: { label: 'Last 12 months', ms: 365 * 86_400_000, step: 'P1W' },
};
const METHODS = ['avg', 'min', 'max'] as const;
type Series = Record<(typeof METHODS)[number], [number, string, string][]>;

/** Periods as [start (s), avg, min, max], in time order. */
type Rows = [number, number | null, number | null, number | null][];

function rowsOf(attr: Partial<Series> | undefined): Rows {
  const byStart = new Map<string, Rows[number]>();
  METHODS.forEach((m, i) => {
    for (const [v, start] of attr?.[m] ?? []) {
      const row = byStart.get(start) ?? [Date.parse(start) / 1000, null, null, null];
      row[i + 1] = typeof v === 'number' ? v : null;
      byStart.set(start, row);
    }
  });
  return [...byStart.values()].sort((a, b) => a[0] - b[0]);
}

function Chart({ rows, title }: { rows: Rows; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current!;
    const data = [0, 1, 2, 3].map((i) => rows.map((r) => r[i])) as uPlot.AlignedData;
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 260,
      series: [
        {},
        { label: 'average', stroke: '#2d6a4f', width: 2 },
        { label: 'minimum', stroke: '#74a9cf', dash: [4, 4] },
        { label: 'maximum', stroke: '#e76f51', dash: [4, 4] },
      ],
    };
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: 260 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [rows]);
  return <div ref={box} class="chart" role="img" aria-label={`${title}: chart of ${rows.length} periods; the table below has the figures`} data-points={rows.length} />;
}

export function History({ id, attributes }: { id: string; attributes: string[] }) {
  const t = useValue(tenant);
  const [attr, setAttr] = useState(attributes[0] ?? '');
  const [period, setPeriod] = useState('day');
  const [rows, setRows] = useState<Rows | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    if (!attributes.includes(attr)) setAttr(attributes[0] ?? '');
  }, [attributes.join()]);

  useEffect(() => {
    if (!attr) return;
    const p = PERIODS[period];
    const end = new Date();
    const q = new URLSearchParams({
      attrs: attr,
      timerel: 'between',
      timeAt: new Date(end.getTime() - p.ms).toISOString(),
      endTimeAt: end.toISOString(),
      options: 'aggregatedValues',
      aggrMethods: METHODS.join(','),
      aggrPeriodDuration: p.step,
    });
    setRows(undefined);
    get<Record<string, unknown>>(`${NGSI}/temporal/entities/${encodeURIComponent(id)}?${q}`).then(
      (r) => {
        const a = r[attr];
        setRows(rowsOf((Array.isArray(a) ? a[0] : a) as Partial<Series> | undefined));
        setError('');
      },
      (e: Error) => setError(e.message),
    );
  }, [id, attr, period, t]);

  if (attributes.length === 0) return null;
  const title = `${attr}, ${PERIODS[period].label.toLowerCase()}`;
  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <div class="history-controls">
        <label>
          Attribute{' '}
          <select value={attr} onChange={(e) => setAttr((e.target as HTMLSelectElement).value)}>
            {attributes.map((a) => (
              <option value={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Period{' '}
          <select value={period} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value)}>
            {Object.entries(PERIODS).map(([k, p]) => (
              <option value={k}>{p.label}</option>
            ))}
          </select>
        </label>
        <span class="muted">per {PERIODS[period].step} (average, minimum, maximum)</span>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {rows === undefined && !error && <p class="muted">Loading…</p>}
      {rows && rows.length === 0 && <p>No recorded value of {attr} in this period.</p>}
      {rows && rows.length > 0 && (
        <figure>
          <Chart rows={rows} title={title} />
          <figcaption>{title}</figcaption>
          <details>
            <summary>The figures as a table</summary>
            <table>
              <Head cols={['Period start', 'Average', 'Minimum', 'Maximum']} />
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <td>{new Date(r[0] * 1000).toLocaleString()}</td>
                    {r.slice(1).map((v) => (
                      <td>{v === null ? '' : Number(v.toFixed(2))}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </figure>
      )}
    </section>
  );
}
