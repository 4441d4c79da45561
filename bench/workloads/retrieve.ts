import { idAt, prng } from '../data.js';
import { varying, type Workload } from './workload.js';

/** 5.7.1 Retrieve Entity by id, ids drawn at random from the loaded set. */
export const retrieve: Workload = {
  name: 'retrieve',
  title: 'GET /entities/{id}: random ids from the data set, normalized',
  itemsPerRequest: 1,
  dbCeiling: 'select',
  requests: ({ seed, entities }) => {
    const r = prng(seed + 1);
    return [varying('GET', () => ({ path: `/ngsi-ld/v1/entities/${idAt(Math.floor(r() * entities))}` }))];
  },
};
