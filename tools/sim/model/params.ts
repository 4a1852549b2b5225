// Parameter numbers of the printer model. The scenario (tools/sim/config.ts) turns a board and a
// scenario JSON into (parameter, value) pairs; hal/host passes them to setParam() directly and
// the simavr harness reads them as "param <id> <value>" lines. tools/sim/config.ts reads this enum
// from this file, so the numbers are written once.
//
// Grids (bed warp, thermal warp, location bias) take their values through ids
// GRID_VALUES + grid * GRID_STRIDE + index (row-major, front row first).

export const enum Param {
  // Machine geometry (geometry.ts): the angles of the X and Y axes against the bed's X axis, and
  // where the bed sits against the machine's origin.
  XAxisDeg = 0,
  YAxisDeg = 1,
  BedShiftX = 2,
  BedShiftY = 3,
  // The bed (surface.ts, probe.ts).
  BedKind = 10,
  TargetDiameter = 11,
  TargetX0 = 12,
  TargetX1 = 13,
  TargetX2 = 14,
  TargetY0 = 15,
  TargetY1 = 16,
  TargetY2 = 17,
  ScrewCount = 18,
  Screw0X = 19,
  Screw0Y = 20,
  Screw1X = 21,
  Screw1Y = 22,
  Screw2X = 23,
  Screw2Y = 24,
  Screw3X = 25,
  Screw3Y = 26,
  PrintableX0 = 27,
  PrintableX1 = 28,
  PrintableY0 = 29,
  PrintableY1 = 30,
  PlaneZ0 = 31,
  PlaneSlopeX = 32,
  PlaneSlopeY = 33,
  BedTemperatureC = 34,
  ThermalLowC = 35,
  ThermalHighC = 36,
  LooseScrew = 37,
  LooseScrewDropMm = 38,
  LooseScrewRadiusMm = 39,
  LooseScrewAfterProbes = 40,
  // The inductive sensor (probe.ts).
  ProbeOffsetX = 50,
  ProbeOffsetY = 51,
  TargetTriggerMm = 52,
  MountMm = 53,
  MeanderRatio = 54,
  Sensitivity = 55,
  NoiseMm = 56,
  HysteresisMm = 57,
  Seed = 58,
  SensorTemperatureC = 59,
  DriftScale = 60,
  DriftReferenceC = 61,
  ProbeFault = 62,
  SlipMm = 63,
  SlipAfterProbes = 64,
  SlipAfterSeconds = 65,
  ScrewBumpMm = 66,
  FootprintRadiusMm = 67,
  // The PINDA v2's own thermistor (MK2.5): ADC channel (-1: none), resistance at 25 C, beta.
  PindaAdcChannel = 68,
  PindaR25 = 69,
  PindaBeta = 72,
  // The sensor's temperature follows the bed under it: towards ambient + share * (bed - ambient),
  // with a first-order time constant (0: it stays at SensorTemperatureC).
  SensorBedShare = 73,
  SensorTimeConstantS = 74,
  AmbientC = 75,
  // The nozzle and the first layer (truth.ts). DebrisMm: a blob of plastic under the nozzle,
  // mm tall (printer.ts blobStopsZ: taller than the sensor's switching gap, it holds the carriage
  // up before the sensor switches).
  DebrisMm = 70,
  /** The blob appears at this model time, s (0: from the start): oozed while the hotend heated
   * after homing, as on a real printer between G28 and G80. */
  DebrisAfterSeconds = 76,
  FirstLayerMm = 71,
  // Grid shapes: first and last X and Y (bed mm), columns, rows.
  WarpX0 = 80,
  WarpX1 = 81,
  WarpY0 = 82,
  WarpY1 = 83,
  WarpCols = 84,
  WarpRows = 85,
  ThermalX0 = 86,
  ThermalX1 = 87,
  ThermalY0 = 88,
  ThermalY1 = 89,
  ThermalCols = 90,
  ThermalRows = 91,
  BiasX0 = 92,
  BiasX1 = 93,
  BiasY0 = 94,
  BiasY1 = 95,
  BiasCols = 96,
  BiasRows = 97,
  Count = 98,
}

export const GRID_VALUES: i32 = 1000;
export const GRID_STRIDE: i32 = 1000;
export const enum GridId {
  Warp = 0,
  Thermal = 1,
  Bias = 2,
  Count = 3,
}

export const enum BedKind {
  /** MK42: PCB with a heating meander and solid copper induction targets. */
  PcbTargets = 0,
  /** MK52: spring-steel sheet over the whole surface. */
  SteelSheet = 1,
}

export const enum ProbeFault {
  None = 0,
  /** Cable broken: the sensor output never switches. */
  CableBroken = 1,
  /** Cable shorted: the input reads switched all the time. */
  Shorted = 2,
}

const values = memory.data(Param.Count * 8);

export function param(id: i32): f64 {
  return load<f64>(values + (<usize>id << 3));
}

export function storeParam(id: i32, v: f64): void {
  store<f64>(values + (<usize>id << 3), v);
}
