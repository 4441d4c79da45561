/**
 * Language selection for the `lang` parameter (ETSI GS CIM 009 clause 4.15).
 *
 * The parameter reads like an HTTP Accept-Language list (IETF RFC 3282): language ranges separated by commas,
 * each with an optional `;q=` weight. Ranges are tried by decreasing weight (list order breaks ties); tags compare
 * case-insensitively and match as in RFC 4647 lookup: exact, then a longer tag under the range (`en` → `en-US`),
 * then the range truncated subtag by subtag (`nl-BE` → `nl`). When no range matches, clause 4.15 says the broker
 * "shall default to any supported language": the `@none` entry when there is one, otherwise the first entry.
 */

export interface LanguageRange {
  /** Lower-cased language range, or `*`. */
  readonly range: string;
  readonly q: number;
}

/** The languageMap entry chosen for a request: its key (reported as `lang`) and its string or string array. */
export interface LanguageChoice {
  readonly tag: string;
  readonly value: string | string[];
}

const weight = /^q=([01](?:\.\d{0,3})?)$/i;

/** Parses a `lang` parameter into ranges sorted by decreasing weight. Never throws: unreadable items are skipped. */
export function parseLanguageRanges(lang: string): LanguageRange[] {
  const ranges: Array<LanguageRange & { at: number }> = [];
  lang.split(',').forEach((item, at) => {
    const [rawRange, ...params] = item.split(';').map((s) => s.trim());
    if (!rawRange) return;
    let q = 1;
    for (const p of params) {
      const m = weight.exec(p);
      if (m) q = Math.min(1, Number(m[1]));
    }
    // q=0 means "not acceptable" (RFC 7231 §5.3.1).
    if (q > 0) ranges.push({ range: rawRange.toLowerCase(), q, at });
  });
  ranges.sort((a, b) => b.q - a.q || a.at - b.at);
  return ranges.map(({ range, q }) => ({ range, q }));
}

let lastLang: string | undefined;
let lastRanges: LanguageRange[] = [];

/** parseLanguageRanges with a one-entry memo: a query renders many entities with the same `lang`. */
export function languageRanges(lang: string): LanguageRange[] {
  if (lang !== lastLang) {
    lastRanges = parseLanguageRanges(lang);
    lastLang = lang;
  }
  return lastRanges;
}

function matchRange(keys: readonly string[], lowered: readonly string[], range: string): string | undefined {
  const exact = lowered.indexOf(range);
  if (exact >= 0) return keys[exact];
  const longer = lowered.findIndex((k) => k.startsWith(`${range}-`));
  if (longer >= 0) return keys[longer];
  for (let cut = range.lastIndexOf('-'); cut > 0; cut = range.lastIndexOf('-', cut - 1)) {
    const truncated = lowered.indexOf(range.slice(0, cut));
    if (truncated >= 0) return keys[truncated];
  }
  return undefined;
}

function anyLanguage(keys: readonly string[]): string {
  return keys.includes('@none') ? '@none' : keys[0];
}

/**
 * Picks the entry of a languageMap that best serves the ranges; undefined only for an empty map.
 */
export function chooseLanguage(
  languageMap: Readonly<Record<string, string | string[]>>,
  ranges: readonly LanguageRange[],
): LanguageChoice | undefined {
  const keys = Object.keys(languageMap);
  if (keys.length === 0) return undefined;
  const lowered = keys.map((k) => k.toLowerCase());
  let tag: string | undefined;
  for (const { range } of ranges) {
    tag = range === '*' ? anyLanguage(keys) : matchRange(keys, lowered, range);
    if (tag !== undefined) break;
  }
  tag ??= anyLanguage(keys);
  return { tag, value: languageMap[tag] };
}
