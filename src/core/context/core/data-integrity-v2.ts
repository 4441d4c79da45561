/**
 * Reduced built-in stand-in for the W3C Data Integrity v2 context
 * (https://w3id.org/security/data-integrity/v2), which the NGSI-LD V1.9 core context names as the
 * scoped context of its `ngsildproof` term. JSON-LD processing validates scoped contexts when the
 * core context is compiled, so without a local copy no context could be compiled offline.
 * It defines the Data Integrity proof terms with their `https://w3id.org/security#` IRIs; it is used
 * only inside `ngsildproof` values.
 */
const SEC = 'https://w3id.org/security#';

export const dataIntegrityV2: { '@context': Record<string, unknown> } = {
  '@context': {
    '@version': 1.1,
    '@protected': true,
    id: '@id',
    type: '@type',
    DataIntegrityProof: `${SEC}DataIntegrityProof`,
    proof: { '@id': `${SEC}proof`, '@type': '@id', '@container': '@graph' },
    challenge: `${SEC}challenge`,
    created: { '@id': 'http://purl.org/dc/terms/created', '@type': 'http://www.w3.org/2001/XMLSchema#dateTime' },
    cryptosuite: { '@id': `${SEC}cryptosuite`, '@type': `${SEC}cryptosuiteString` },
    domain: `${SEC}domain`,
    expires: { '@id': `${SEC}expiration`, '@type': 'http://www.w3.org/2001/XMLSchema#dateTime' },
    nonce: `${SEC}nonce`,
    previousProof: { '@id': `${SEC}previousProof`, '@type': '@id' },
    proofPurpose: { '@id': `${SEC}proofPurpose`, '@type': '@vocab' },
    proofValue: { '@id': `${SEC}proofValue`, '@type': `${SEC}multibase` },
    verificationMethod: { '@id': `${SEC}verificationMethod`, '@type': '@id' },
  },
};
