// The bed surface: the height of the print surface (mm, in the Z axis' coordinates) at a bed
// point. A tilted plane, plus a smooth warp (a grid, e.g. a measured SV06 mesh scaled onto the
// bed), plus a thermal warp that grows with bed temperature, plus a loosened screw letting its
// corner sag.
//
// Thermal warp: the grid holds the change of the surface between ThermalLowC and ThermalHighC
// (the SV06 seed measured it between about 17.5 C and 60 C); the model scales it linearly with
// the bed temperature, the first-order behaviour of a bimetal-like plate (no public measurement
// at more temperatures was found). The scale is 0 at ThermalLowC and below.

import { Param, param, GridId } from "./params";
import { gridAt } from "./grid";

let bedTemperatureC: f64 = 22;
let thermalFactor: f64 = 0;
let looseScrewActive: bool = false;

function updateThermal(): void {
  const lo = param(Param.ThermalLowC), hi = param(Param.ThermalHighC);
  thermalFactor = hi > lo && bedTemperatureC > lo ? (bedTemperatureC - lo) / (hi - lo) : 0;
}

export function updateSurface(): void {
  bedTemperatureC = param(Param.BedTemperatureC);
  updateThermal();
  looseScrewActive = param(Param.LooseScrew) >= 0 && param(Param.LooseScrewAfterProbes) <= 0;
}

/** For the thermal model: the bed plate's temperature, C. */
export function setBedTemperatureC(celsius: f64): void {
  bedTemperatureC = celsius;
  updateThermal();
}

export function bedTemperature(): f64 {
  return bedTemperatureC;
}

/** Called after each probe trigger: a screw may loosen after so many probes. */
export function surfaceProbeCount(count: i32): void {
  if (param(Param.LooseScrew) >= 0 && !looseScrewActive && <f64>count >= param(Param.LooseScrewAfterProbes)) looseScrewActive = true;
}

export function looseScrewIsActive(): bool {
  return looseScrewActive;
}

/** A loose screw lets the plate sag around it: the full drop at the screw, fading with a cosine
 * to nothing at LooseScrewRadiusMm (a smooth dent, the plate being stiff). */
function screwSag(x: f64, y: f64): f64 {
  if (!looseScrewActive) return 0;
  const i = <i32>param(Param.LooseScrew);
  if (i < 0 || i >= <i32>param(Param.ScrewCount)) return 0;
  const dx = x - param(Param.Screw0X + 2 * i);
  const dy = y - param(Param.Screw0Y + 2 * i);
  const r = Math.sqrt(dx * dx + dy * dy);
  const radius = param(Param.LooseScrewRadiusMm);
  if (radius <= 0 || r >= radius) return 0;
  return -param(Param.LooseScrewDropMm) * 0.5 * (1 + Math.cos((Math.PI * r) / radius));
}

/** Surface height at bed (x, y), mm. */
export function surfaceAt(x: f64, y: f64): f64 {
  let z = param(Param.PlaneZ0) + param(Param.PlaneSlopeX) * x + param(Param.PlaneSlopeY) * y;
  z += gridAt(GridId.Warp, x, y);
  if (thermalFactor != 0) z += thermalFactor * gridAt(GridId.Thermal, x, y);
  z += screwSag(x, y);
  return z;
}
