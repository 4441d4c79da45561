import { coreContextV13 } from './core/v13.js';
import { coreContextV14 } from './core/v14.js';
import { coreContextV19 } from './core/v19.js';
import { dataIntegrityV2 } from './core/data-integrity-v2.js';

/** The URL Mimosa names as its core context (Link headers, `@context` of responses). */
export const CORE_CONTEXT_URL = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld';

const CORE_PREFIX = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context';

/**
 * Returns the built-in document for a core context URL, or undefined for any other URL.
 * V1.5–V1.8 and the unversioned URL resolve to the V1.9 definitions, a superset of theirs
 * (../shared/ngsi-ld/contexts/README.md). http:// and https:// spellings are both accepted.
 */
export function builtInContext(url: string): { '@context': unknown } | undefined {
  const u = url.replace(/^http:\/\//, 'https://');
  if (u === 'https://w3id.org/security/data-integrity/v2') return dataIntegrityV2;
  if (!u.startsWith(CORE_PREFIX)) return undefined;
  const rest = u.slice(CORE_PREFIX.length);
  if (rest === '.jsonld') return coreContextV19;
  const m = /^-v1\.(\d)(?:\.\d+)?\.jsonld$/.exec(rest);
  if (!m) return undefined;
  const minor = Number(m[1]);
  if (minor === 3) return coreContextV13;
  if (minor === 4) return coreContextV14;
  if (minor >= 5 && minor <= 9) return coreContextV19;
  return undefined;
}


/** The versioned core URLs Mimosa answers for (listed by GET /jsonldContexts). */
export const coreContextUrls: readonly string[] = [
  `${CORE_PREFIX}.jsonld`,
  ...[3, 4, 5, 6, 7, 8, 9].map((m) => `${CORE_PREFIX}-v1.${m}.jsonld`),
];
