import { entityAt } from '../data.js';
import { varying, type Workload } from './workload.js';

/** 5.6.1 Create Entity: one new entity per request, ids never used before (tag `create`). */
export const create: Workload = {
  name: 'create',
  title: 'POST /entities: one new entity per request (fresh ids, the three types in turn)',
  itemsPerRequest: 1,
  requests: ({ seed }) => {
    let next = 0;
    return [varying('POST', () => ({ path: '/ngsi-ld/v1/entities', body: JSON.stringify(entityAt(seed, next++, 'create')) }))];
  },
};
