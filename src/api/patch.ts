import { raise } from '../core/problem.js';

/**
 * What every PATCH of a subscription or registration checks before touching the store (clauses 5.8.2, 5.9.3,
 * 5.11.3): an id in the fragment must be the path's, and a new expiresAt must lie in the future.
 */
export function checkPatchTarget(kind: string, pathId: string, patch: { id?: string; expiresAt?: string }, now: string): void {
  if (patch.id !== undefined && patch.id !== pathId) raise('BadRequestData', `${kind} id in the body (${patch.id}) differs from the id in the path (${pathId})`);
  if (patch.expiresAt !== undefined && !(Date.parse(patch.expiresAt) > Date.parse(now))) {
    raise('BadRequestData', `${kind} expiresAt ${JSON.stringify(patch.expiresAt)} is not in the future`);
  }
}
