import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks the async scope of a client's transaction callback, so that a query sent to the client itself
 * (instead of the `tx` argument) from inside that callback fails at once. On PGlite such a query would
 * wait forever for the transaction it is part of; on PostgreSQL it would run outside the transaction
 * and could wait forever on the rows that transaction locked.
 *
 * The mark is a flag cleared when the callback settles: AsyncLocalStorage hands the store to every timer
 * and promise the callback starts, and work that outlives the transaction may use the client freely.
 */
export class TxScope {
  readonly #scope = new AsyncLocalStorage<{ open: boolean }>();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const mark = { open: true };
    try {
      return await this.#scope.run(mark, fn);
    } finally {
      mark.open = false;
    }
  }

  assertOutside(): void {
    if (this.#scope.getStore()?.open) {
      throw new Error('SqlClient used inside its own transaction callback: use the tx argument instead');
    }
  }
}
