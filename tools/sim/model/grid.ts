// Smooth height fields over the bed: a regular grid of values (mm) between first and last X/Y,
// read between the nodes with Catmull-Rom bicubic interpolation (continuous slope, passes through
// every node; Klipper's bed_mesh offers the same kind of spline). Outside the grid the edge value
// holds: a real bed does not keep bending past its last measured row.

import { Param, param, GridId } from "./params";

export const GRID_MAX_NODES: i32 = 256; // 16 x 16
const nodes = memory.data(GridId.Count * GRID_MAX_NODES * 8);

function shapeParam(grid: i32, k: i32): f64 {
  return param(Param.WarpX0 + grid * 6 + k);
}

export function clearGrid(grid: i32): void {
  for (let i = 0; i < GRID_MAX_NODES; i++) setNode(grid, i, 0);
}

export function setNode(grid: i32, index: i32, v: f64): void {
  if (index < 0 || index >= GRID_MAX_NODES || grid < 0 || grid >= GridId.Count) return;
  store<f64>(nodes + (<usize>(grid * GRID_MAX_NODES + index) << 3), v);
}

function node(grid: i32, cols: i32, col: i32, row: i32, rows: i32): f64 {
  if (col < 0) col = 0;
  if (col >= cols) col = cols - 1;
  if (row < 0) row = 0;
  if (row >= rows) row = rows - 1;
  return load<f64>(nodes + (<usize>(grid * GRID_MAX_NODES + row * cols + col) << 3));
}

function catmullRom(p0: f64, p1: f64, p2: f64, p3: f64, t: f64): f64 {
  return p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)));
}

/** The field at bed (x, y), mm; 0 when the grid is not set. */
export function gridAt(grid: i32, x: f64, y: f64): f64 {
  const cols = <i32>shapeParam(grid, 4);
  const rows = <i32>shapeParam(grid, 5);
  if (cols < 1 || rows < 1 || cols * rows > GRID_MAX_NODES) return 0;
  const x0 = shapeParam(grid, 0), x1 = shapeParam(grid, 1);
  const y0 = shapeParam(grid, 2), y1 = shapeParam(grid, 3);
  let u: f64 = cols > 1 && x1 != x0 ? ((x - x0) / (x1 - x0)) * <f64>(cols - 1) : 0;
  let v: f64 = rows > 1 && y1 != y0 ? ((y - y0) / (y1 - y0)) * <f64>(rows - 1) : 0;
  u = Math.min(Math.max(u, 0), <f64>(cols - 1));
  v = Math.min(Math.max(v, 0), <f64>(rows - 1));
  let c = <i32>Math.floor(u);
  let r = <i32>Math.floor(v);
  if (c > cols - 2) c = cols - 2;
  if (r > rows - 2) r = rows - 2;
  if (c < 0) c = 0;
  if (r < 0) r = 0;
  const tu = cols > 1 ? u - <f64>c : 0;
  const tv = rows > 1 ? v - <f64>r : 0;
  const a = catmullRom(node(grid, cols, c - 1, r - 1, rows), node(grid, cols, c, r - 1, rows), node(grid, cols, c + 1, r - 1, rows), node(grid, cols, c + 2, r - 1, rows), tu);
  const b = catmullRom(node(grid, cols, c - 1, r, rows), node(grid, cols, c, r, rows), node(grid, cols, c + 1, r, rows), node(grid, cols, c + 2, r, rows), tu);
  const d = catmullRom(node(grid, cols, c - 1, r + 1, rows), node(grid, cols, c, r + 1, rows), node(grid, cols, c + 1, r + 1, rows), node(grid, cols, c + 2, r + 1, rows), tu);
  const e = catmullRom(node(grid, cols, c - 1, r + 2, rows), node(grid, cols, c, r + 2, rows), node(grid, cols, c + 1, r + 2, rows), node(grid, cols, c + 2, r + 2, rows), tu);
  return catmullRom(a, b, d, e, tv);
}

