/**
 * Grid clustering in screen space: points closer than one cell (in pixels at the current zoom) are drawn as one
 * cluster with a count. Linear in the number of points, which is plenty for a city's thousands of sensors.
 */
export interface Placed<T> {
  item: T;
  x: number;
  y: number;
}

export function gridCluster<T>(points: Placed<T>[], cell: number): Placed<T>[][] {
  const cells = new Map<string, Placed<T>[]>();
  for (const p of points) {
    const key = `${Math.floor(p.x / cell)}:${Math.floor(p.y / cell)}`;
    const list = cells.get(key);
    if (list) list.push(p);
    else cells.set(key, [p]);
  }
  return [...cells.values()];
}
