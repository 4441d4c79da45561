import { batchAt } from '../data.js';
import { varying, type Workload } from './workload.js';

const BATCH = 1000;

/**
 * 5.6.8 Batch Upsert of 1,000 new entities per request (tag `batch`): new rows rather than updates, so that
 * concurrent requests never wait on each other's row locks and the figure compares with the multi-row INSERT ceiling.
 * Four connections, not 32: 32 × 1,000 entities in flight is a queue of several seconds on one broker, so a 3 s run
 * would only see the first requests of that queue complete and its latencies would mean nothing.
 */
export const batchUpsert: Workload = {
  name: 'batch-upsert',
  title: 'POST /entityOperations/upsert: 1,000 new entities per request (reported as entities/s)',
  itemsPerRequest: BATCH,
  connections: 4,
  dbCeiling: 'insert',
  requests: ({ seed }) => {
    let next = 0;
    return [
      varying('POST', () => ({
        path: '/ngsi-ld/v1/entityOperations/upsert',
        body: JSON.stringify(batchAt(seed, BATCH * next++, BATCH, 'batch')),
      })),
    ];
  },
};
