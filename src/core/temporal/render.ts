/**
 * Renders temporal evolutions as the store reads them into the three temporal representations: normalized
 * (clauses 4.5.7, 4.5.8: every instance, with its instanceId), simplified (temporalValues, clause 4.5.9) and
 * aggregated (aggregatedValues, clause 4.5.19). Pure and synchronous; names are compacted with the requester's
 * TermMap, `@context` is the caller's business.
 */
import type { TermMap } from '../context/termmap.js';
import type { Attribute, AttributeType } from '../entity/model.js';
import { renderInstances, type AttributeRendering } from '../entity/render-attribute.js';
import { chooseLanguage, languageRanges } from '../entity/render-lang.js';
import { Kind, typesOf, VALUE_KINDS } from './instance.js';
import type { AggregationMethod, TemporalFormat } from './query.js';

/** What the store gives for one entity (store/port.ts TemporalEntityData), in the shape rendering needs. */
export interface EvolutionData {
  entity: { id: string; types: string[]; scope?: string[]; createdAt: string; modifiedAt: string; deletedAt?: string };
  instances: Record<string, Array<{ instanceId: string; attribute: Attribute; time: number }>>;
  aggregated: Record<string, Array<{ datasetId?: string; periods: Period[] }>>;
}

interface Period {
  start: number;
  end: number;
  kinds: number;
  values: Partial<Record<AggregationMethod, number | string | null>>;
}

export interface TemporalRenderOptions {
  format: TemporalFormat;
  sysAttrs: boolean;
  /** Clause 4.21 projection: entity members to keep ('id', 'type', 'scope', expanded attribute IRIs…). */
  pick?: ReadonlySet<string>;
  omit?: ReadonlySet<string>;
  /** The `lang` parameter (clause 4.15). */
  lang?: string;
  /** Aggregation methods requested (aggregatedValues). */
  methods?: readonly AggregationMethod[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const oneOrMany = <T>(xs: T[]): T | T[] => (xs.length === 1 ? xs[0] : xs);

function projected(name: string, o: TemporalRenderOptions): boolean {
  return (o.pick === undefined || o.pick.has(name)) && !(o.omit?.has(name) ?? false);
}

/** Renders one temporal evolution (clause 5.2.20 EntityTemporal). */
export function renderTemporalEntity(d: EvolutionData, tm: TermMap, o: TemporalRenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const e = d.entity;
  if (projected('id', o)) out.id = e.id;
  if (e.types.length > 0 && projected('type', o)) out.type = oneOrMany(e.types.map((t) => tm.compact(t)));
  if (e.scope !== undefined && projected('scope', o)) out.scope = oneOrMany(e.scope);
  if (o.sysAttrs) {
    if (projected('createdAt', o)) out.createdAt = e.createdAt;
    if (projected('modifiedAt', o)) out.modifiedAt = e.modifiedAt;
    if (e.deletedAt !== undefined && projected('deletedAt', o)) out.deletedAt = e.deletedAt;
  }
  if (o.format === 'aggregatedValues') {
    for (const [iri, series] of Object.entries(d.aggregated)) {
      if (projected(iri, o)) out[tm.compact(iri)] = oneOrMany(series.map((s) => aggregated(s, o)));
    }
    return out;
  }
  const r: AttributeRendering = { tm, format: 'normalized', sysAttrs: o.sysAttrs, lang: o.lang === undefined ? undefined : languageRanges(o.lang) };
  for (const [iri, instances] of Object.entries(d.instances)) {
    if (!projected(iri, o) || instances.length === 0) continue;
    out[tm.compact(iri)] = o.format === 'temporalValues' ? simplified(instances, r) : oneOrMany(instances.map((i) => normalized(i, r)));
  }
  return out;
}

/** Clauses 4.5.7, 4.5.8: an instance as the normalized representation gives it, with its instanceId. */
function normalized(i: EvolutionData['instances'][string][number], r: AttributeRendering): Record<string, unknown> {
  const out = renderInstances([i.attribute], r) as Record<string, unknown>;
  out.instanceId = i.instanceId;
  // clause 6.3.11: with sysAttrs, temporal representations carry deletedAt too
  if (r.sysAttrs && i.attribute.deletedAt !== undefined) out.deletedAt = i.attribute.deletedAt;
  return out;
}

/** Clause 4.5.9: the member holding the pairs, and the first element of each pair, by attribute type. */
function pair(a: Attribute, r: AttributeRendering): [string, unknown] {
  switch (a.type) {
    case 'Relationship':
      return ['objects', a.object];
    case 'ListRelationship':
      return ['objectLists', (a.objectList ?? []).map((x) => x.object)];
    case 'LanguageProperty': {
      const choice = r.lang && a.languageMap ? chooseLanguage(a.languageMap, r.lang) : undefined;
      // clause 4.15: with lang, the chosen string, as for a Property
      return choice ? ['values', choice.value] : ['languageMaps', { languageMap: a.languageMap }];
    }
    case 'VocabProperty':
      return ['vocabs', { vocab: Array.isArray(a.vocab) ? a.vocab.map((v) => r.tm.compact(v)) : a.vocab && r.tm.compact(a.vocab) }];
    case 'JsonProperty':
      return ['jsons', { json: a.json }];
    case 'ListProperty':
      return ['valueLists', a.valueList];
    default:
      return ['values', a.value];
  }
}

/** Clause 4.5.9, one object per datasetId (clause 4.5.5), typed after its latest instance. */
function simplified(instances: EvolutionData['instances'][string], r: AttributeRendering): unknown {
  const byDataset = new Map<string | undefined, typeof instances>();
  for (const i of instances) byDataset.set(i.attribute.datasetId, [...(byDataset.get(i.attribute.datasetId) ?? []), i]);
  const out: Array<Record<string, unknown>> = [];
  // the default instance first, then by datasetId
  const order = [...byDataset].sort(([a], [b]) => (a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : a < b ? -1 : 1));
  for (const [datasetId, list] of order) {
    const latest = list[list.length - 1].attribute;
    const [member] = pair(latest, r);
    const o: Record<string, unknown> = { type: member === 'values' && latest.type === 'LanguageProperty' ? 'Property' : latest.type };
    o[member] = list.map((i) => [pair(i.attribute, r)[1], iso(i.time)]);
    if (datasetId !== undefined) o.datasetId = datasetId;
    out.push(o);
  }
  return oneOrMany(out);
}

/** The value kinds of a series (deletions aside). */
export function seriesKinds(periods: readonly Period[]): number {
  return periods.reduce((m, p) => m | p.kinds, 0) & VALUE_KINDS & ~Kind.deleted;
}

const only = (mask: number, ...kinds: number[]) => mask !== 0 && kinds.some((k) => (mask & ~k) === 0);

/** Clause 4.5.19.1, tables 4.5.19.1-1 to -3: whether a method applies to values of these kinds. */
export function eligible(m: AggregationMethod, mask: number): boolean {
  switch (m) {
    case 'totalCount':
    case 'distinctCount':
      return true;
    case 'sum':
      return only(mask, Kind.number, Kind.array);
    case 'avg':
      return only(mask, Kind.number, Kind.array, Kind.dateTime);
    case 'min':
    case 'max':
      return only(mask, Kind.number, Kind.array, Kind.dateTime, Kind.string);
    case 'stddev':
    case 'sumsq':
      return only(mask, Kind.number);
  }
}

/** Clause 4.5.19: one member per applicable method, each [value, start, end] per period. */
function aggregated(s: EvolutionData['aggregated'][string][number], o: TemporalRenderOptions): Record<string, unknown> {
  const mask = seriesKinds(s.periods);
  const types = typesOf(s.periods.reduce((m, p) => m | p.kinds, 0));
  const type: AttributeType = types.length === 1 ? types[0] : types.includes('Relationship') ? 'Relationship' : 'Property';
  const out: Record<string, unknown> = { type };
  const dateTimes = mask === Kind.dateTime;
  for (const m of o.methods ?? []) {
    if (!eligible(m, mask)) continue;
    const asTime = dateTimes && (m === 'avg' || m === 'min' || m === 'max');
    out[m] = s.periods.map((p) => {
      const v = p.values[m] ?? null;
      return [asTime && typeof v === 'number' ? iso(Math.round(v)) : v, iso(p.start), iso(p.end)];
    });
  }
  if (s.datasetId !== undefined) out.datasetId = s.datasetId;
  return out;
}
