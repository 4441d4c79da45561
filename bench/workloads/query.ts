import { prng } from '../data.js';
import { varying, type Workload } from './workload.js';

/** 5.7.2 Query Entities by type and q (clause 4.9), first page of 20. NO2 is uniform on 5–99, so most entities match. */
export const query: Workload = {
  name: 'query',
  title: 'GET /entities?type=AirQualityObserved&q=no2>N&limit=20, N random in 20–79',
  itemsPerRequest: 1,
  requests: ({ seed }) => {
    const r = prng(seed + 2);
    return [
      varying('GET', () => ({
        path: `/ngsi-ld/v1/entities?type=AirQualityObserved&q=${encodeURIComponent(`no2>${20 + Math.floor(r() * 60)}`)}&limit=20`,
      })),
    ];
  },
};
