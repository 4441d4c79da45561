/** A table's header row: one column header per name. */
export function Head({ cols }: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th scope="col">{c}</th>
        ))}
      </tr>
    </thead>
  );
}
