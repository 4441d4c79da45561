/**
 * Statements run on every request of a hot path, prepared once per connection on the PostgreSQL engine (a named
 * statement: parsed and planned once, then only bound and executed). Only constant texts are registered, at module
 * load, so the statements each connection keeps stay few; generated SQL (queries, batches) is never named.
 * The embedded engine has no named statements and runs these texts as it runs any other.
 */
const names = new Map<string, string>();

/** Registers `text` as a prepared statement and returns it unchanged. */
export function prepared(text: string): string {
  if (!names.has(text)) names.set(text, `mimosa_${names.size + 1}`);
  return text;
}

/** The statement name of a registered text, else undefined. */
export function preparedName(text: string): string | undefined {
  return names.get(text);
}
