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
// Outside the measured area the surface continues in a straight line with the slope it has at
// the edge (its value and slope there, extended; bilinearly past a corner), as Prusa's get_z
// extends its edge cells. Holding the edge value instead left the outer strip of the printable
// area less even than Prusa's surface on the same points: the true grid's gap 12.6 um RMS against
// Prusa's 10.6 on the steel sheet 7 x 7 suite, 26.2 against 22.2 on the MK42; extended, 11.1 and
// 21.1 (npx tsx tools/bench/calibration.ts --count 3, firstLayerGapRmsUmGrid, ...Mk42Grid). The
// extension stops one grid step past the last row or column (EXTEND_LIMIT): further out nobody
// measured anything, and an edge slope carried on for longer than the span it came from is a
// guess; the surface is flat beyond that.
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
/** Grid steps per mm along X and Y ((n - 1) / span; 0 for a single column or row): kept instead
 * of the last column's and row's positions so a lookup multiplies instead of dividing. */
let stepsPerMmX: f32 = 0;
let firstY: f32 = 0;
let stepsPerMmY: f32 = 0;
let active = false;
/** M420 Z: fade height, mm (0: none). */
export let fadeHeightMm: f32 = 0;

export function meshCols(): i32 { return cols; }
export function meshRows(): i32 { return rows; }
export function meshFirstX(): f32 { return firstX; }
export function meshLastX(): f32 { return stepsPerMmX > 0 ? firstX + <f32>(cols - 1) / stepsPerMmX : firstX; }
export function meshFirstY(): f32 { return firstY; }
export function meshLastY(): f32 { return stepsPerMmY > 0 ? firstY + <f32>(rows - 1) / stepsPerMmY : firstY; }
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
  stepsPerMmX = nx > 1 && x1 > x0 ? <f32>(nx - 1) / (x1 - x0) : 0;
  firstY = y0;
  stepsPerMmY = ny > 1 && y1 > y0 ? <f32>(ny - 1) / (y1 - y0) : 0;
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
  let um = <i32>toUm(mm);
  if (um > NODE_LIMIT_UM) um = NODE_LIMIT_UM;
  if (um < -NODE_LIMIT_UM) um = -NODE_LIMIT_UM;
  store<i16>(nodesUm + (<usize>(row * MESH_MAX + col) << 1), <i16>um);
}

/** X of column `col` of an n-column grid from x0 to x1 (a single column sits at x0). */
export function gridPosition(first: f32, last: f32, n: i32, k: i32): f32 {
  return n > 1 ? first + ((last - first) * <f32>k) / <f32>(n - 1) : first;
}

/** Heights a node may hold, um: G80 refuses a bed spanning more (Prusa's G80 refuses 3 mm);
 * the bound keeps the integer sums below in range (see surfaceUm). */
export const NODE_LIMIT_UM: i32 = 5000;

/** How far past the first and last row and column the surface is extended, grid steps. */
const EXTEND_LIMIT: f32 = 1;

/** Grid coordinate of world x / y in the live mesh: 0..cols-1 / 0..rows-1 over the measured
 * area, down to -EXTEND_LIMIT and up to cols-1+EXTEND_LIMIT past it (clamped there). */
export function gridX(x: f32): f32 {
  return clampGrid((x - firstX) * stepsPerMmX, cols);
}
export function gridY(y: f32): f32 {
  return clampGrid((y - firstY) * stepsPerMmY, rows);
}

function clampGrid(u: f32, n: i32): f32 {
  if (n < 2) return 0;
  if (!(u > -EXTEND_LIMIT)) return -EXTEND_LIMIT; // NaN too
  const top = <f32>(n - 1) + EXTEND_LIMIT;
  return u > top ? top : u;
}

/** Grid coordinate of `v` along an axis of n nodes from first to last, clamped to the grid. */
export function gridCoordinate(v: f32, first: f32, last: f32, n: i32): f32 {
  if (n < 2 || last == first) return 0;
  let u = ((v - first) / (last - first)) * <f32>(n - 1);
  if (!(u > 0)) u = 0; // NaN too
  if (u > <f32>(n - 1)) u = <f32>(n - 1);
  return u;
}

// The surface is evaluated in integers: a leveled move looks it up for every piece it queues,
// and in soft f32 arithmetic on the AVR (with a node fetch per call, extrapolating at the edges)
// one lookup cost ~28,000 cycles, enough to let the planner run dry on 1 mm segments at
// 100 mm/s.
//
// Catmull-Rom between nodes p1 (t = 0) and p2 (t = 1), with p0 and p3 their neighbours, is
// w0 p0 + w1 p1 + w2 p2 + w3 p3 with the weights 0.5 (-t^3 + 2t^2 - t), 0.5 (3t^3 - 5t^2 + 2),
// 0.5 (-3t^3 + 4t^2 + t), 0.5 (t^3 - t^2) (slopes (p2 - p0) / 2 and (p3 - p1) / 2 at the ends),
// here in 1/4096 (Q12); the last is taken as 4096 minus the others, so they sum to exactly 4096
// (a flat mesh stays exactly flat).
//
// At an edge the cubic needs a node one beyond the grid; it continues the last two in a straight
// line (p[-1] = 2 p[0] - p[1]), so a tilted plane comes out exactly a plane (repeating the edge
// node instead would bend it by up to 12 um over a 100 mm cell). That node's weight is folded
// into the weights of the two it is made of, so every fetch is inside the grid.

/** One row's value at the four column weights, um (rounded from Q12). Nodes are within
 * +-NODE_LIMIT_UM and folded weights within +-8200, so the Q12 sum stays under 1.7e8. */
function rowUm(row: usize, c: i32, n: i32, a: i32, b: i32, d: i32, e: i32): i32 {
  let s = b * <i32>load<i16>(row + (<usize>c << 1));
  if (d != 0) s += d * <i32>load<i16>(row + (<usize>(c + 1) << 1));
  if (a != 0) s += a * <i32>load<i16>(row + (<usize>(c - 1) << 1));
  if (e != 0) s += e * <i32>load<i16>(row + (<usize>(c + 2) << 1));
  return (s + 2048) >> 12;
}

/**
 * The surface of an n x m grid of i16 um at `base` (rows MESH_MAX apart) at grid coordinates
 * (u, v), mm: Catmull-Rom over 0..n-1, 0..m-1; past an edge the value and slope there continued
 * in a straight line. The slope across an edge at grid coordinate 0 is exactly
 * surface(1) - surface(0) (the cubic's end slope with the continued node: (p1 - p[-1]) / 2 =
 * p1 - p0, row by row), so the extension is (1 + a) s(edge) - a s(neighbour) a grid steps out,
 * and the product of two such past a corner. Callers keep u, v within EXTEND_LIMIT of the grid
 * (gridX, gridY); gridCoordinate's clamped values never leave it.
 */
export function gridSurfaceAt(base: usize, n: i32, m: i32, u: f32, v: f32): f32 {
  if (n < 1 || m < 1) return 0;
  let cu = u, nu = u, a: f32 = 0;
  if (n >= 2 && u < 0) { cu = 0; nu = 1; a = -u; }
  else if (n >= 2 && u > <f32>(n - 1)) { cu = <f32>(n - 1); nu = <f32>(n - 2); a = u - cu; }
  let cv = v, nv = v, b: f32 = 0;
  if (m >= 2 && v < 0) { cv = 0; nv = 1; b = -v; }
  else if (m >= 2 && v > <f32>(m - 1)) { cv = <f32>(m - 1); nv = <f32>(m - 2); b = v - cv; }
  const edge = surfaceInside(base, n, m, cu, cv);
  if (a == 0 && b == 0) return edge;
  let z = edge;
  if (a != 0) z += a * (edge - surfaceInside(base, n, m, nu, cv));
  if (b != 0) z += b * (edge - surfaceInside(base, n, m, cu, nv));
  if (a != 0 && b != 0) z += a * b * (edge - surfaceInside(base, n, m, nu, cv) - surfaceInside(base, n, m, cu, nv) + surfaceInside(base, n, m, nu, nv));
  return z;
}

/** The Catmull-Rom surface at grid coordinates (u, v) within 0..n-1, 0..m-1 (clamped), mm. */
function surfaceInside(base: usize, n: i32, m: i32, u: f32, v: f32): f32 {
  if (!(u > 0)) u = 0; // NaN too
  if (!(v > 0)) v = 0;
  let c = <i32>u;
  let r = <i32>v;
  if (c > n - 2) c = n - 2;
  if (r > m - 2) r = m - 2;
  if (c < 0) c = 0;
  if (r < 0) r = 0;
  // Column weights (small constant multiples as shifts: no library multiply on the AVR).
  let q = <i32>((u - <f32>c) * <f32>4096 + <f32>0.5); // 0..4096
  let q2 = (q * q) >> 12;
  let q3 = (q2 * q) >> 12;
  let a = (-q3 + (q2 << 1) - q) >> 1;
  let b = (q3 + (q3 << 1) - (q2 << 2) - q2 + 8192) >> 1;
  let d = (-q3 - (q3 << 1) + (q2 << 2) + q) >> 1;
  let e = 4096 - a - b - d;
  if (n < 2) {
    a = 0; b = 4096; d = 0; e = 0;
  } else {
    if (c == 0) { b += a << 1; d -= a; a = 0; } // node -1 = 2 p0 - p1
    if (c + 2 >= n) { d += e << 1; b -= e; e = 0; } // node n = 2 p(n-1) - p(n-2)
  }
  // Row weights, the same way.
  q = <i32>((v - <f32>r) * <f32>4096 + <f32>0.5);
  q2 = (q * q) >> 12;
  q3 = (q2 * q) >> 12;
  let ra = (-q3 + (q2 << 1) - q) >> 1;
  let rb = (q3 + (q3 << 1) - (q2 << 2) - q2 + 8192) >> 1;
  let rd = (-q3 - (q3 << 1) + (q2 << 2) + q) >> 1;
  let re = 4096 - ra - rb - rd;
  if (m < 2) {
    ra = 0; rb = 4096; rd = 0; re = 0;
  } else {
    if (r == 0) { rb += ra << 1; rd -= ra; ra = 0; }
    if (r + 2 >= m) { rd += re << 1; rb -= re; re = 0; }
  }
  const stride: usize = MESH_MAX << 1;
  const row = base + <usize>r * stride;
  // Rows (um, within +-15,000 after the folding) times weights within +-8200: under 5e8.
  let sum = rb * rowUm(row, c, n, a, b, d, e);
  if (rd != 0) sum += rd * rowUm(row + stride, c, n, a, b, d, e);
  if (ra != 0) sum += ra * rowUm(row - stride, c, n, a, b, d, e);
  if (re != 0) sum += re * rowUm(row + 2 * stride, c, n, a, b, d, e);
  return <f32>sum * (<f32>1 / <f32>4096000); // Q12 um to mm
}

/** The bed's height under the nozzle at world (x, y) by the mesh, mm (0 without a mesh). */
export function surfaceMm(x: f32, y: f32): f32 {
  if (cols == 0) return 0;
  return gridSurfaceAt(nodesUm, cols, rows, gridX(x), gridY(y));
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

/** What leveling adds to Z at grid coordinates (u, v) of the live mesh and logical height z, mm. */
export function correctionAtGrid(u: f32, v: f32, z: f32): f32 {
  if (!isActive()) return 0;
  const f = fadeFactor(z);
  return f == 0 ? 0 : gridSurfaceAt(nodesUm, cols, rows, u, v) * f;
}

/** What leveling adds to Z with the nozzle at world (x, y) and logical height z, mm. */
export function correctionMm(x: f32, y: f32, z: f32): f32 {
  if (!isActive()) return 0;
  const f = fadeFactor(z);
  return f == 0 ? 0 : surfaceMm(x, y) * f;
}
