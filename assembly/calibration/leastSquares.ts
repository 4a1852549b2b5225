// Weighted linear least squares for the calibration fits, up to four unknowns, in static memory:
// accumulate the normal equations J'WJ x = J'Wr one row at a time, factor them by Cholesky and
// solve. The skew fit (4 unknowns) and the circle fit (3) share it; one system is in use at a
// time (each fit runs to completion before the next starts).

export const MAX_UNKNOWNS: i32 = 4;

const normal = memory.data(MAX_UNKNOWNS * MAX_UNKNOWNS * 4);
const rhs = memory.data(MAX_UNKNOWNS * 4);
const factor = memory.data(MAX_UNKNOWNS * MAX_UNKNOWNS * 4);
const solution = memory.data(MAX_UNKNOWNS * 4);
const row = memory.data(MAX_UNKNOWNS * 4);
let unknowns: i32 = 0;

/** Zero `count` f32s. Not memory.fill: binaryen turns a constant-size fill into i64 stores, which
 * the firmware's gate refuses (and avr-gcc would do 64-bit work for). */
function zero(base: usize, count: i32): void {
  for (let i = 0; i < count; i++) store<f32>(base + (<usize>i << 2), 0);
}

function at(base: usize, i: i32): f32 {
  return load<f32>(base + (<usize>i << 2));
}
function put(base: usize, i: i32, v: f32): void {
  store<f32>(base + (<usize>i << 2), v);
}

/** Start a system of n (<= 4) unknowns. */
export function begin(n: i32): void {
  unknowns = n;
  zero(normal, MAX_UNKNOWNS * MAX_UNKNOWNS);
  zero(rhs, MAX_UNKNOWNS);
}

/** Set element k of the next row of J (the derivatives of one residual). */
export function setRow(k: i32, derivative: f32): void {
  put(row, k, derivative);
}

/** Add the row set by setRow() with its residual r and weight w. */
export function addRow(r: f32, w: f32): void {
  if (w <= 0) return;
  for (let i = 0; i < unknowns; i++) {
    const ji = at(row, i);
    if (ji == 0) continue;
    put(rhs, i, at(rhs, i) + w * ji * r);
    for (let j = 0; j < unknowns; j++) {
      put(normal, i * MAX_UNKNOWNS + j, at(normal, i * MAX_UNKNOWNS + j) + w * ji * at(row, j));
    }
  }
}

/**
 * Factor J'WJ = L L'. False when the unknowns are not all fixed by the rows (a pivot not clearly
 * positive: f32 rounding leaves about 1e-7 of the diagonal for a dependent column, so 1e-5 of it
 * is the line).
 */
export function factorize(): bool {
  zero(factor, MAX_UNKNOWNS * MAX_UNKNOWNS);
  for (let j = 0; j < unknowns; j++) {
    const diagonal = at(normal, j * MAX_UNKNOWNS + j);
    let d = diagonal;
    for (let k = 0; k < j; k++) d -= at(factor, j * MAX_UNKNOWNS + k) * at(factor, j * MAX_UNKNOWNS + k);
    if (d <= 0 || d <= diagonal * 1e-5) return false;
    const l = Mathf.sqrt(d);
    put(factor, j * MAX_UNKNOWNS + j, l);
    for (let i = j + 1; i < unknowns; i++) {
      let s = at(normal, i * MAX_UNKNOWNS + j);
      for (let k = 0; k < j; k++) s -= at(factor, i * MAX_UNKNOWNS + k) * at(factor, j * MAX_UNKNOWNS + k);
      put(factor, i * MAX_UNKNOWNS + j, s / l);
    }
  }
  return true;
}

/** Solve the factored system for the accumulated right-hand side J'Wr; read with result(k). */
export function solve(): void {
  solveFor(rhs);
}

/**
 * e' (J'WJ)^-1 e for e with +1 at unknown `plus` and -1 at `minus` (minus < 0: none): the
 * variance of that combination of unknowns per unit residual variance. Call after factorize().
 */
export function inverseQuadratic(plus: i32, minus: i32): f32 {
  zero(row, MAX_UNKNOWNS);
  put(row, plus, 1);
  if (minus >= 0) put(row, minus, -1);
  solveFor(row);
  let q = at(solution, plus);
  if (minus >= 0) q -= at(solution, minus);
  return q;
}

function solveFor(b: usize): void {
  for (let i = 0; i < unknowns; i++) {
    let s = at(b, i);
    for (let k = 0; k < i; k++) s -= at(factor, i * MAX_UNKNOWNS + k) * at(solution, k);
    put(solution, i, s / at(factor, i * MAX_UNKNOWNS + i));
  }
  for (let i = unknowns - 1; i >= 0; i--) {
    let s = at(solution, i);
    for (let k = i + 1; k < unknowns; k++) s -= at(factor, k * MAX_UNKNOWNS + i) * at(solution, k);
    put(solution, i, s / at(factor, i * MAX_UNKNOWNS + i));
  }
}

export function result(k: i32): f32 {
  return at(solution, k);
}
