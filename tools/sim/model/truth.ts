// What really happened during a run, for scoring the firmware: the smallest clearance between
// nozzle and bed, every contact, and the first layer as printed — the true gap between nozzle
// and bed wherever the nozzle extruded below FIRST_LAYER_CEILING_MM.
//
// A contact is the nozzle's own metal tip reaching the bed: the safety figure, which the
// firmware must keep at 0. A blob of plastic stuck under the nozzle (Param.DebrisMm) resting on
// the bed is counted apart (debris contacts, and the Z steps it made the motors lose): it is
// what a probing firmware must notice and stop on, not something it can always avoid.

import { Param, param } from "./params";

/** Extrusion with the nozzle this close to the bed counts as first layer, mm. */
export const FIRST_LAYER_CEILING_MM: f64 = 1.0;
export const MAP_COLS: i32 = 5;
export const MAP_ROWS: i32 = 5;
export const CONTACT_LOG: i32 = 8;

let minClearance: f64 = 1e9;
let minClearanceX: f64 = 0;
let minClearanceY: f64 = 0;
let touching: bool = false;
let contacts: i32 = 0;
const contactLog = memory.data(CONTACT_LOG * 4 * 8); // machine x, y, z, time ns

let layerSamples: i32 = 0;
let layerSum: f64 = 0;
let layerSumSq: f64 = 0;
let layerErrSq: f64 = 0;
let layerMin: f64 = 1e9;
let layerMax: f64 = -1e9;
const mapSum = memory.data(MAP_COLS * MAP_ROWS * 8);
const mapCount = memory.data(MAP_COLS * MAP_ROWS * 4);

/** A blob resting on the bed counts as lifted off again once its lowest point is this far above
 * the surface, mm: more than a Z step (2.5 um at 400 steps/mm), so the carriage standing one step
 * above the stall, or X/Y moving it there, stays one resting episode. */
const DEBRIS_LIFT_MM: f64 = 0.01;
let debrisTouching: bool = false;
let debrisContacts: i32 = 0;
let zStalledSteps: i32 = 0;

export function resetTruth(): void {
  minClearance = 1e9;
  touching = false;
  contacts = 0;
  debrisTouching = false;
  debrisContacts = 0;
  zStalledSteps = 0;
  layerSamples = 0;
  layerSum = 0;
  layerSumSq = 0;
  layerErrSq = 0;
  layerMin = 1e9;
  layerMax = -1e9;
  for (let i = 0; i < MAP_COLS * MAP_ROWS; i++) {
    store<f64>(mapSum + (<usize>i << 3), 0);
    store<i32>(mapCount + (<usize>i << 2), 0);
  }
}

/** After every X/Y/Z step: clearance = nozzle tip above the true surface under it, mm. */
export function noteClearance(clearance: f64, mx: f64, my: f64, mz: f64, timeNs: f64): void {
  if (clearance < minClearance) {
    minClearance = clearance;
    minClearanceX = mx;
    minClearanceY = my;
  }
  if (clearance < 0) {
    if (!touching) {
      if (contacts < CONTACT_LOG) {
        const at = contactLog + (<usize>(contacts * 4) << 3);
        store<f64>(at, mx);
        store<f64>(at + 8, my);
        store<f64>(at + 16, mz);
        store<f64>(at + 24, timeNs);
      }
      contacts++;
    }
    touching = true;
  } else touching = false;
}

/** A Z step down lost because the blob under the nozzle rests on the bed (printer.ts blobStopsZ). */
export function noteZStall(): void {
  zStalledSteps++;
  if (!debrisTouching) debrisContacts++;
  debrisTouching = true;
}

/** After every X/Y/Z step, with debris on the nozzle (present): its lowest point above the true
 * surface, mm. Below 0 the blob is pushed into the bed by an X/Y move (Z alone stalls first). */
export function noteDebrisClearance(clearance: f64, present: bool): void {
  if (!present) {
    debrisTouching = false;
    return;
  }
  if (clearance < 0) {
    if (!debrisTouching) debrisContacts++;
    debrisTouching = true;
  } else if (clearance > DEBRIS_LIFT_MM) debrisTouching = false;
}

/** After every forward E step: the gap where the plastic is laid. */
export function noteExtrusion(clearance: f64, mx: f64, my: f64): void {
  if (clearance >= FIRST_LAYER_CEILING_MM) return;
  layerSamples++;
  layerSum += clearance;
  layerSumSq += clearance * clearance;
  const err = clearance - param(Param.FirstLayerMm);
  layerErrSq += err * err;
  if (clearance < layerMin) layerMin = clearance;
  if (clearance > layerMax) layerMax = clearance;
  const x0 = param(Param.PrintableX0), x1 = param(Param.PrintableX1);
  const y0 = param(Param.PrintableY0), y1 = param(Param.PrintableY1);
  if (x1 <= x0 || y1 <= y0) return;
  let c = <i32>Math.floor(((mx - x0) / (x1 - x0)) * <f64>MAP_COLS);
  let r = <i32>Math.floor(((my - y0) / (y1 - y0)) * <f64>MAP_ROWS);
  c = c < 0 ? 0 : c >= MAP_COLS ? MAP_COLS - 1 : c;
  r = r < 0 ? 0 : r >= MAP_ROWS ? MAP_ROWS - 1 : r;
  const i = r * MAP_COLS + c;
  store<f64>(mapSum + (<usize>i << 3), load<f64>(mapSum + (<usize>i << 3)) + clearance);
  store<i32>(mapCount + (<usize>i << 2), load<i32>(mapCount + (<usize>i << 2)) + 1);
}

export function minimumClearance(): f64 {
  return minClearance;
}
export function minimumClearanceAt(axis: i32): f64 {
  return axis == 0 ? minClearanceX : minClearanceY;
}
export function contactCount(): i32 {
  return contacts;
}
/** Times a blob under the nozzle came to rest on the bed (not nozzle contacts). */
export function debrisContactCount(): i32 {
  return debrisContacts;
}
/** Z steps down the motors lost against a blob resting on the bed. */
export function zStalledStepCount(): i32 {
  return zStalledSteps;
}
/** Contact k (k < 8): 0 machine x, 1 y, 2 z, 3 time ns. */
export function contactValue(k: i32, field: i32): f64 {
  if (k < 0 || k >= CONTACT_LOG || k >= contacts || field < 0 || field > 3) return 0;
  return load<f64>(contactLog + (<usize>(k * 4 + field) << 3));
}

export function layerCount(): i32 {
  return layerSamples;
}
export function layerMean(): f64 {
  return layerSamples ? layerSum / <f64>layerSamples : 0;
}
export function layerStdDev(): f64 {
  if (!layerSamples) return 0;
  const m = layerMean();
  const v = layerSumSq / <f64>layerSamples - m * m;
  return v > 0 ? Math.sqrt(v) : 0;
}
export function layerRmsError(): f64 {
  return layerSamples ? Math.sqrt(layerErrSq / <f64>layerSamples) : 0;
}
export function layerMinimum(): f64 {
  return layerSamples ? layerMin : 0;
}
export function layerMaximum(): f64 {
  return layerSamples ? layerMax : 0;
}
/** Mean gap in map cell i (row-major, front row first); NaN where nothing was printed. */
export function layerCell(i: i32): f64 {
  if (i < 0 || i >= MAP_COLS * MAP_ROWS) return NaN;
  const n = load<i32>(mapCount + (<usize>i << 2));
  return n ? load<f64>(mapSum + (<usize>i << 3)) / <f64>n : NaN;
}
