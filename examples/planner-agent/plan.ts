// Breadth-first shortest path on a grid with blocked cells: small, deterministic and easy to check.
export interface Cell {
  x: number;
  y: number;
}

export interface RouteInput {
  from: Cell;
  to: Cell;
  blocked?: Cell[] | undefined;
}

/** the cells from `from` to `to` inclusive, or null when unreachable */
export function planRoute(width: number, height: number, input: RouteInput): Cell[] | null {
  const key = (c: Cell) => c.y * width + c.x;
  const inside = (c: Cell) => c.x >= 0 && c.y >= 0 && c.x < width && c.y < height;
  if (!inside(input.from) || !inside(input.to))
    throw new Error(`from and to must be inside the ${width}x${height} grid`);
  const blocked = new Set((input.blocked ?? []).map(key));
  const prev = new Map<number, number>([[key(input.from), -1]]);
  const queue: Cell[] = [input.from];
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c.x === input.to.x && c.y === input.to.y) break;
    for (const [dx, dy] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ] as const) {
      const n = { x: c.x + dx, y: c.y + dy };
      if (!inside(n) || blocked.has(key(n)) || prev.has(key(n))) continue;
      prev.set(key(n), key(c));
      queue.push(n);
    }
  }
  if (!prev.has(key(input.to))) return null;
  const path: Cell[] = [];
  for (let k = key(input.to); k !== -1; k = prev.get(k)!) path.unshift({ x: k % width, y: Math.floor(k / width) });
  return path;
}
