/**
 * Collects the parameters of one statement while its text is built, so that no value ever reaches SQL text:
 * `p.add(v)` returns the placeholder (`$3`) that stands for v.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
