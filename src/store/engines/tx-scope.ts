import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks the async scope of a client's transaction callback, so that a query sent to the client itself
 * (instead of the `tx` argument) from inside that callback fails at once. On PGlite such a query would
 * wait forever for the transaction it is part of; on PostgreSQL it would run outside the transaction
 * and could wait forever on the rows that transaction locked.
 */
export class TxScope {
  readonly #scope = new AsyncLocalStorage<true>();

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.#scope.run(true, fn);
  }

  assertOutside(): void {
    if (this.#scope.getStore()) {
      throw new Error('SqlClient used inside its own transaction callback: use the tx argument instead');
    }
  }
}
