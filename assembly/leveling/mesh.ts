// The live bed mesh: the bed's height at a grid of points (as G80 measured them, plus the
// correction overlay), the smooth surface through them, and what a move adds to Z for it.
//
// Storage: up to 7 x 7 heights in micrometres as i16 (98 bytes): a bed is never more than
// +-32 mm out, and 1 um is 1/2.5 of the Z axis' 2.5 um step (400 steps/mm), so nothing the
// motors can do is lost by the rounding. The grid's corners are where the PROBE was over the bed
// when it measured (world mm, the bed's own coordinates after the XYZ calibration), as in Prusa's
// G80: a height measured with the probe over point P applies with the nozzle over P.
//
// The surface: Catmull-Rom bicubic between the nodes (each cell's cubic uses the four nodes
// around it along each axis; at the edges a node continuing the last two in a straight line
// stands in for the missing one). It
// passes through every measured point, its slope is continuous across cells, and it never
// swings further than the neighbouring points allow. Prusa's MK2 instead fits one quadratic
// (Lagrange) through each row of three points and samples it onto 7 x 7 (mesh_bed_leveling.cpp
// upsample_3x3): one curve per row, so a single high corner bends the whole row, and its users
// call the result "grossly non-linear" (prusa3d/Prusa-Firmware#1376). Bilinear lookup would keep
// kinks at every node; a bed plate bends smoothly (the SV06 seed's measured meshes do).
// Outside the measured area the edge value holds (the surface is flat beyond the last row), the
// safe choice: extrapolating a slope past the points guesses at a part of the bed nobody measured.
//
// Fade (M420 Z): the correction is full at Z 0 and shrinks linearly to nothing at the fade
// height, so the first layers follow the bed and later ones are flat (Marlin's
// ENABLE_LEVELING_FADE_HEIGHT). 0 = no fade.

export const MESH_MAX: i32 = 7;
/** i16 micrometres, row-major, front row first, left column first. */
const nodesUm = memory.data(MESH_MAX * MESH_MAX * 2, 2);

/** Columns and rows of the live mesh; 0 = no mesh. */
let cols: i32 = 0;
let rows: i32 = 0;
/** Probe positions of the first and last column / row, world mm. */
let firstX: f32 = 0;
let lastX: f32 = 0;
let firstY: f32 = 0;
let lastY: f32 = 0;
let active = false;
/** M420 Z: fade height, mm (0: none). */
export let fadeHeightMm: f32 = 0;

export function meshCols(): i32 { return cols; }
export function meshRows(): i32 { return rows; }
export function meshFirstX(): f32 { return firstX; }
export function meshLastX(): f32 { return lastX; }
export function meshFirstY(): f32 { return firstY; }
export function meshLastY(): f32 { return lastY; }
export function hasMesh(): bool { return cols > 0; }
export function isActive(): bool { return active && cols > 0; }

export function setActive(on: bool): void {
  active = on && cols > 0;
}

export function setFadeHeight(mm: f32): void {
  fadeHeightMm = mm;
}

/** Forgets the mesh (and leveling is off). */
export function clearMesh(): void {
  cols = 0;
  rows = 0;
  active = false;
}

/** A new, empty grid of nx x ny points from (x0, y0) to (x1, y1) (probe positions, world mm). */
export function beginMesh(nx: i32, ny: i32, x0: f32, x1: f32, y0: f32, y1: f32): void {
  active = false;
  cols = nx;
  rows = ny;
  firstX = x0;
  lastX = x1;
  firstY = y0;
  lastY = y1;
  for (let i = 0; i < MESH_MAX * MESH_MAX; i++) store<i16>(nodesUm + (<usize>i << 1), 0);
}

/** Micrometres to the i16 a node holds (+-32.767 mm at most). */
export function toUm(mm: f32): i16 {
  let v = mm * <f32>1000;
  v = v >= 0 ? v + <f32>0.5 : v - <f32>0.5;
  if (!(v < 32767)) v = 32767; // NaN too: never a node that moves Z by an unknown amount
  if (v < -32767) v = -32767;
  return <i16>(<i32>v);
}

export function nodeMm(col: i32, row: i32): f32 {
  return <f32>load<i16>(nodesUm + (<usize>(row * MESH_MAX + col) << 1)) / <f32>1000;
}

export function setNodeMm(col: i32, row: i32, mm: f32): void {
  store<i16>(nodesUm + (<usize>(row * MESH_MAX + col) << 1), toUm(mm));
}

/** X of column `col` of an n-column grid from x0 to x1 (a single column sits at x0). */
export function gridPosition(first: f32, last: f32, n: i32, k: i32): f32 {
  return n > 1 ? first + ((last - first) * <f32>k) / <f32>(n - 1) : first;
}

/**
 * Catmull-Rom between p1 (t = 0) and p2 (t = 1), p0 and p3 the neighbours: the cubic with
 * slopes (p2 - p0) / 2 and (p3 - p1) / 2 at its ends.
 */
export function catmullRom(p0: f32, p1: f32, p2: f32, p3: f32, t: f32): f32 {
  return p1 + <f32>0.5 * t * (p2 - p0 + t * (<f32>2 * p0 - <f32>5 * p1 + <f32>4 * p2 - p3 + t * (<f32>3 * (p1 - p2) + p3 - p0)));
}

function nodeAt(base: usize, c: i32, r: i32): f32 {
  return <f32>load<i16>(base + (<usize>(r * MESH_MAX + c) << 1)) / <f32>1000;
}

/**
 * Node (c, r) of a grid of i16 um with rows MESH_MAX apart at `base`, n x m nodes, mm. One node
 * beyond an edge (the neighbour the edge cell's cubic needs) continues the last two in a straight
 * line, so a tilted plane comes out exactly a plane (repeating the edge node instead would bend
 * it by up to 12 um over a 100 mm cell).
 */
function nodeClamped(base: usize, n: i32, m: i32, c: i32, r: i32): f32 {
  if (c < 0) return n > 1 ? <f32>2 * nodeClamped(base, n, m, 0, r) - nodeClamped(base, n, m, 1, r) : nodeClamped(base, n, m, 0, r);
  if (c >= n) return n > 1 ? <f32>2 * nodeClamped(base, n, m, n - 1, r) - nodeClamped(base, n, m, n - 2, r) : nodeClamped(base, n, m, n - 1, r);
  if (r < 0) return m > 1 ? <f32>2 * nodeAt(base, c, 0) - nodeAt(base, c, 1) : nodeAt(base, c, 0);
  if (r >= m) return m > 1 ? <f32>2 * nodeAt(base, c, m - 1) - nodeAt(base, c, m - 2) : nodeAt(base, c, m - 1);
  return nodeAt(base, c, r);
}

/** Grid coordinate of `v` along an axis of n nodes from first to last, clamped to the grid. */
function gridCoordinate(v: f32, first: f32, last: f32, n: i32): f32 {
  if (n < 2 || last == first) return 0;
  let u = ((v - first) / (last - first)) * <f32>(n - 1);
  if (!(u > 0)) u = 0; // NaN too
  if (u > <f32>(n - 1)) u = <f32>(n - 1);
  return u;
}

function rowAt(base: usize, n: i32, m: i32, r: i32, c: i32, tu: f32): f32 {
  return catmullRom(nodeClamped(base, n, m, c - 1, r), nodeClamped(base, n, m, c, r), nodeClamped(base, n, m, c + 1, r), nodeClamped(base, n, m, c + 2, r), tu);
}

/**
 * The Catmull-Rom surface of an n x m grid of i16 um at `base` (rows MESH_MAX apart) whose nodes
 * span x0..x1, y0..y1, at (x, y), mm; the edge value beyond the grid.
 */
export function gridSurfaceMm(base: usize, n: i32, m: i32, x0: f32, x1: f32, y0: f32, y1: f32, x: f32, y: f32): f32 {
  if (n < 1 || m < 1) return 0;
  const u = gridCoordinate(x, x0, x1, n);
  const v = gridCoordinate(y, y0, y1, m);
  let c = <i32>u;
  let r = <i32>v;
  if (c > n - 2) c = n - 2;
  if (r > m - 2) r = m - 2;
  if (c < 0) c = 0;
  if (r < 0) r = 0;
  const tu = n > 1 ? u - <f32>c : <f32>0;
  const tv = m > 1 ? v - <f32>r : <f32>0;
  return catmullRom(rowAt(base, n, m, r - 1, c, tu), rowAt(base, n, m, r, c, tu), rowAt(base, n, m, r + 1, c, tu), rowAt(base, n, m, r + 2, c, tu), tv);
}

/** The bed's height under the nozzle at world (x, y) by the mesh, mm (0 without a mesh). */
export function surfaceMm(x: f32, y: f32): f32 {
  if (cols == 0) return 0;
  return gridSurfaceMm(nodesUm, cols, rows, firstX, lastX, firstY, lastY, x, y);
}

/** The live nodes, i16 um, rows MESH_MAX apart (for the EEPROM record). */
export function nodesAddress(): usize {
  return nodesUm;
}

/** How much of the correction applies at logical height z (fade): 1 up to... 0 from the fade height. */
export function fadeFactor(z: f32): f32 {
  if (fadeHeightMm <= 0 || z <= 0) return 1;
  if (z >= fadeHeightMm) return 0;
  return <f32>1 - z / fadeHeightMm;
}

/** What leveling adds to Z with the nozzle at world (x, y) and logical height z, mm. */
export function correctionMm(x: f32, y: f32, z: f32): f32 {
  if (!isActive()) return 0;
  const f = fadeFactor(z);
  return f == 0 ? 0 : surfaceMm(x, y) * f;
}
