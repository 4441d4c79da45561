import { pointIn, prng } from '../data.js';
import { varying, type Workload } from './workload.js';

/** 5.7.2 Query Entities with a geo-query (clause 4.10): near a random point of the box, within 500 m, first page of 20. */
export const geoNear: Workload = {
  name: 'geo-near',
  title: 'GET /entities?georel=near;maxDistance==500&geometry=Point&coordinates=[lon,lat]&limit=20, random points',
  itemsPerRequest: 1,
  requests: ({ seed }) => {
    const r = prng(seed + 3);
    return [
      varying('GET', () => {
        const georel = encodeURIComponent('near;maxDistance==500');
        const coordinates = encodeURIComponent(JSON.stringify(pointIn(r)));
        return { path: `/ngsi-ld/v1/entities?georel=${georel}&geometry=Point&coordinates=${coordinates}&limit=20` };
      }),
    ];
  },
};
