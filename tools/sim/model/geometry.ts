// Machine geometry: where the nozzle truly is over the bed for given carriage positions.
//
// The carriages move along their own axes. Each axis may be rotated against the bed's X axis by
// its own angle (a built printer's X and Y are rarely at exactly 90 degrees), and the bed may sit
// shifted against the machine origin. With the axis lengths exact (belts and pulleys are right,
// the assumption of Prusa's XYZ calibration), the nozzle over the bed is
//   bedX = cos(ax) * mx - sin(ay) * my - shiftX
//   bedY = sin(ax) * mx + cos(ay) * my - shiftY
// the model of Prusa's calculate_machine_skew_and_offset_LS (reference-prusa.md section 1), with
// the skew |ay - ax|. Bed coordinates here are those of a perfectly built printer's nozzle: on
// such a printer (angles and shift 0) machine and bed coordinates are the same.

import { Param, param } from "./params";

const DEG: f64 = Math.PI / 180;

let cosX: f64 = 1;
let sinX: f64 = 0;
let cosY: f64 = 1;
let sinY: f64 = 0;
let shiftX: f64 = 0;
let shiftY: f64 = 0;

/** Recomputes the transform from the parameters. */
export function updateGeometry(): void {
  const ax = param(Param.XAxisDeg) * DEG;
  const ay = param(Param.YAxisDeg) * DEG;
  cosX = Math.cos(ax);
  sinX = Math.sin(ax);
  cosY = Math.cos(ay);
  sinY = Math.sin(ay);
  shiftX = param(Param.BedShiftX);
  shiftY = param(Param.BedShiftY);
}

/** Bed X of the point at machine (mx, my). */
export function bedX(mx: f64, my: f64): f64 {
  return cosX * mx - sinY * my - shiftX;
}

export function bedY(mx: f64, my: f64): f64 {
  return sinX * mx + cosY * my - shiftY;
}

/** Machine X/Y that put the nozzle over bed (bx, by): the inverse of bedX/bedY. */
export function machineX(bx: f64, by: f64): f64 {
  const det = cosX * cosY + sinY * sinX;
  return (cosY * (bx + shiftX) + sinY * (by + shiftY)) / det;
}

export function machineY(bx: f64, by: f64): f64 {
  const det = cosX * cosY + sinY * sinX;
  return (-sinX * (bx + shiftX) + cosX * (by + shiftY)) / det;
}
