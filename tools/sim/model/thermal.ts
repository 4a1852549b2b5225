// The printer's heat: the hotend and the bed as lumped thermal masses heated by their outputs and
// losing heat to the room (the hotend also to the print fan's air), and their thermistors, which
// follow with a lag and whose resistance comes from the sensor's datasheet R-T table. Part of the
// printer model (printer.ts re-exports it), so the same physics runs in simavr and in Node.
//
// Outputs (index): 0 hotend heater, 1 bed heater, 2 print fan, 3 hotend (heatsink) fan. Each is
// a level 0..1 that holds until changed: simavr sets 0 or 1 on every pin edge, the host HAL the
// mean duty it was asked for. The model integrates exactly between changes (piecewise-constant
// power, exponential step), so the result does not depend on how often it is asked.
//
// Physical defaults and where they come from:
// - Hotend: E3D V6-type heater block (aluminium 20 x 16 x 11.5 mm = 9.9 g x 0.90 J/gK = 8.9 J/K)
//   with a brass nozzle (~3 g x 0.38 = 1.1 J/K) and a 6 x 20 mm cartridge and paste (~2 J/K):
//   12 J/K. Heater: the MK2's 40 W 12 V cartridge. Loss to the room 0.065 W/K (about 12.5 W, 31 %
//   duty, at 215 C in still air: E3D's V6 holds 200-215 C at roughly a third of a 40 W cartridge).
//   The print fan at full speed adds 0.045 W/K (Prusa's MK2 fan shroud blows at the nozzle tip,
//   not the block: a 10-20 % duty rise at full fan is what users report).
// - Bed: Prusa MK42, 214 x 214 x 3 mm aluminium (370 g x 0.90 = 333 J/K) plus the PCB heater and
//   PEI sheet (~60 J/K): 395 J/K; 150 W at 12 V (0.95 ohm); losses 0.9 W/K (0.046 m2, both faces,
//   ~10 W/m2K of natural convection and radiation near 60 C: about 34 W to hold 60 C).
// - Thermistor lag: the hotend's glass bead sits in a bore with paste, first order 2 s; the bed's
//   is soldered on the heater PCB, 3 s.
// - Room 22 C.
//
// Faults a scenario can switch on at a time: the cartridge disconnected (no power), the hotend
// thermistor fallen out of its bore (it then follows the room air near the block), a thermistor
// open or shorted, a weak supply (half the heaters' power: the voltage at 71 %).

const HEATERS = 2;
const OUTPUTS = 4;
const SENSORS = 8;

export const enum Fault {
  /** The heater cartridge's wires are off: the hotend heater gives no heat. */
  HotendHeaterDisconnected = 0,
  /** The hotend thermistor left its bore: it reads the air beside the block. */
  HotendThermistorFallenOut = 1,
  HotendThermistorOpen = 2,
  HotendThermistorShorted = 3,
  BedThermistorOpen = 4,
  BedThermistorShorted = 5,
  /** The supply sags: heaters give half their power. */
  WeakSupply = 6,
  Count = 7,
}

export const enum Curve {
  /** ATC Semitec 104GT-2 (the MK2's hotend sensor; Prusa's sensor type 5). */
  Semitec104GT2 = 0,
  /** EPCOS B57560G104F, R/T characteristic 8016 (the MK2's bed sensor; Prusa's type 1). */
  Epcos100k = 1,
  /** A beta model from the sensor's R25 and beta (what the board file gives). */
  Beta = 2,
}

const outputLevel = memory.data(OUTPUTS * 8);
/** Integral of each output's level over time, s (for mean duties in reports and tests). */
const outputOnS = memory.data(OUTPUTS * 8);
const massC = memory.data(HEATERS * 8);
const sensorC = memory.data(HEATERS * 8);
const maxSensorC = memory.data(HEATERS * 8);
const heaterW = memory.data(HEATERS * 8);
const capacityJK = memory.data(HEATERS * 8);
const lossWK = memory.data(HEATERS * 8);
const lagS = memory.data(HEATERS * 8);
const faultAtNs = memory.data(<i32>Fault.Count * 8);
/** When each output last went from on to off, ns (-1: never). */
const lastOffNs = memory.data(OUTPUTS * 8);

let ambientC: f64 = 22;
let fanLossWK: f64 = 0.045;
let nowNs: f64 = 0;
/** Seconds the hotend fan was off while the heater block was above HOT_BLOCK_C. */
let hotFanOffS: f64 = 0;

function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
function setF64(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}

export function thermalReset(ambient: f64): void {
  ambientC = ambient;
  nowNs = 0;
  hotFanOffS = 0;
  firstExtrusionNs = -1;
  for (let i = 0; i < OUTPUTS; i++) {
    setF64(outputLevel, i, 0);
    setF64(outputOnS, i, 0);
    setF64(lastOffNs, i, -1);
  }
  for (let i = 0; i < HEATERS; i++) {
    setF64(massC, i, ambient);
    setF64(sensorC, i, ambient);
    setF64(maxSensorC, i, ambient);
  }
  setHeaterPhysics(0, 40, 12, 0.065, 2);
  setHeaterPhysics(1, 150, 395, 0.9, 3);
  fanLossWK = 0.045;
  for (let k = 0; k < <i32>Fault.Count; k++) setF64(faultAtNs, k, Infinity);
}

/** One heater's power at full duty (W), heat capacity (J/K), loss to the room (W/K), sensor lag (s). */
export function setHeaterPhysics(heater: i32, watts: f64, joulesPerK: f64, lossWattsPerK: f64, sensorLagS: f64): void {
  setF64(heaterW, heater, watts);
  setF64(capacityJK, heater, joulesPerK);
  setF64(lossWK, heater, lossWattsPerK);
  setF64(lagS, heater, sensorLagS);
}

/** A heater's mass and sensor both at this temperature (a scenario that starts warm). */
export function setHeaterTemperature(heater: i32, celsius: f64): void {
  setF64(massC, heater, celsius);
  setF64(sensorC, heater, celsius);
}

export function setFanLoss(wattsPerK: f64): void {
  fanLossWK = wattsPerK;
}

/** A fault begins at this time (ns of simulated time); Infinity: never. */
export function setFault(kind: i32, atNs: f64): void {
  setF64(faultAtNs, kind, atNs);
}

function faultOn(kind: Fault): bool {
  return nowNs >= f64At(faultAtNs, <i32>kind);
}

/** An output changes level at `timeNs` (the time before it is integrated at the old level). */
export function setOutput(index: i32, level: f64, timeNs: f64): void {
  advanceTo(timeNs);
  if (level == 0 && f64At(outputLevel, index) > 0) setF64(lastOffNs, index, timeNs);
  setF64(outputLevel, index, level);
}

/** When the output last turned off, ns of simulated time (-1: never). */
export function outputLastOffNs(index: i32): f64 {
  return f64At(lastOffNs, index);
}

export function outputLevelOf(index: i32): f64 {
  return f64At(outputLevel, index);
}

/** Seconds each output was on (weighted by level) since reset. */
export function outputOnSeconds(index: i32): f64 {
  return f64At(outputOnS, index);
}

/** Largest step of the integration: well under the smallest time constant (the 2 s sensor lag). */
const MAX_STEP_S: f64 = 0.05;
/** The firmware runs the heatsink fan from 50 C on its reading; the reading trails the block by
 * the sensor's 2 s lag and a 250 ms reading period (about 6 C at full heating, 2.6 C/s): the
 * model counts the fan as missing only with the block above 60 C. */
const HOT_BLOCK_C: f64 = 60;

/** Runs the physics up to `timeNs`. */
export function advanceTo(timeNs: f64): void {
  while (nowNs < timeNs) {
    let dt = (timeNs - nowNs) * 1e-9;
    if (dt > MAX_STEP_S) dt = MAX_STEP_S;
    // A fault that starts within this step starts at its beginning: steps are at most 50 ms.
    step(dt);
    nowNs += dt * 1e9;
    if (timeNs - nowNs < 1) nowNs = timeNs;
  }
}

function step(dt: f64): void {
  for (let i = 0; i < OUTPUTS; i++) setF64(outputOnS, i, f64At(outputOnS, i) + f64At(outputLevel, i) * dt);
  const supply: f64 = faultOn(Fault.WeakSupply) ? 0.5 : 1;
  for (let h = 0; h < HEATERS; h++) {
    let power = f64At(heaterW, h) * f64At(outputLevel, h) * supply;
    if (h == 0 && faultOn(Fault.HotendHeaterDisconnected)) power = 0;
    let loss = f64At(lossWK, h);
    if (h == 0) loss += fanLossWK * f64At(outputLevel, 2);
    // dT/dt = (P - loss (T - Ta)) / C: exact over the step for constant P.
    const steady = ambientC + power / loss;
    const t = f64At(massC, h);
    const mass = steady + (t - steady) * Math.exp((-loss * dt) / f64At(capacityJK, h));
    setF64(massC, h, mass);
    // The sensor follows what it touches with its lag; out of its bore it touches air a little
    // warmer than the room (a few mm from the block: 10 % of the block's excess, an estimate).
    let touched = mass;
    if (h == 0 && faultOn(Fault.HotendThermistorFallenOut)) touched = ambientC + 0.1 * (mass - ambientC);
    const s = f64At(sensorC, h);
    const sensed = touched + (s - touched) * Math.exp(-dt / f64At(lagS, h));
    setF64(sensorC, h, sensed);
    if (sensed > f64At(maxSensorC, h)) setF64(maxSensorC, h, sensed);
  }
  if (f64At(massC, 0) > HOT_BLOCK_C && f64At(outputLevel, 3) < 0.5) hotFanOffS += dt;
}

// The first extrusion (a forward E step) and how hot things were then: a print must not push
// filament through a cold nozzle or onto a cold bed.
let firstExtrusionNs: f64 = -1;
let firstExtrusionHotendC: f64 = 0;
let firstExtrusionBedC: f64 = 0;

export function noteExtrusion(timeNs: f64): void {
  if (firstExtrusionNs >= 0) return;
  advanceTo(timeNs);
  firstExtrusionNs = timeNs;
  firstExtrusionHotendC = f64At(sensorC, 0);
  firstExtrusionBedC = f64At(sensorC, 1);
}

/** When the first extrusion happened, ns (-1: none yet). */
export function firstExtrusionTimeNs(): f64 {
  return firstExtrusionNs;
}

/** The hotend's (0) or bed's (1) sensor temperature at the first extrusion, C. */
export function firstExtrusionCelsius(heater: i32): f64 {
  return heater == 0 ? firstExtrusionHotendC : firstExtrusionBedC;
}

/** The heated mass' true temperature, C (0 hotend, 1 bed). */
export function heaterCelsius(heater: i32): f64 {
  return f64At(massC, heater);
}

/** What the thermistor's bead is at, C. */
export function sensorCelsiusOf(heater: i32): f64 {
  return f64At(sensorC, heater);
}

/** The highest sensor temperature since reset, C. */
export function maxSensorCelsius(heater: i32): f64 {
  return f64At(maxSensorC, heater);
}

/** Seconds the heatsink fan was off while the block was above 60 C (a heat-creep risk). */
export function hotendFanOffWhileHotSeconds(): f64 {
  return hotFanOffS;
}

// ---------------------------------------------------------------------------------------------
// Thermistors: each sensor index (0 hotend, 1 bed, as in the harness' "thermistor" lines) has an
// ADC channel, a curve and, for the beta curve, R25 and beta.

const sensorChannel = memory.data(SENSORS * 4); // i32 ADC channel, -1 when unused
const sensorCurve = memory.data(SENSORS * 4);
const sensorR25 = memory.data(SENSORS * 8);
const sensorBeta = memory.data(SENSORS * 8);
let pullupOhms: f64 = 4700;
const REFERENCE_MV: f64 = 5000;
const KELVIN: f64 = 273.15;

// ATC Semitec 104GT-2, resistance in kOhm from -50 C to 300 C every 10 C: the manufacturer's R-T
// table for the 104GT (GT-2 glass thermistors leaflet, atcsemitec.co.uk; the same table Prusa's
// and Marlin's thermistor type 5 was "calculated using 4.7 kOhm pullup, voltage divider math, and
// manufacturer provided temp/resistance").
const SEMITEC_FIRST_C: f64 = -50;
const SEMITEC_POINTS = 36;
const SEMITEC_KOHM = memory.data<f64>([
  8743, 4218, 2132, 1127, 620.0, 353.7, 208.6, 126.8, 79.36, 50.96, 33.49, 22.51, 15.44, 10.80, 7.686, 5.556, 4.082, 3.043,
  2.298, 1.758, 1.360, 1.064, 0.8414, 0.6714, 0.5408, 0.4393, 0.3597, 0.2969, 0.2468, 0.2065, 0.1740, 0.1475, 0.1258, 0.1079,
  0.09305, 0.08065,
]);

// EPCOS B57560G104F (R/T 8016) from 0 C to 300 C every 5 C, as the ADC values of Prusa's
// thermistor table 1 (made from that datasheet for a 4.7 kOhm pull-up, 10-bit counts): the
// resistance is recomputed from each count, R = 4.7 k * n / (1024 - n). The counts are rounded
// to 1, so these resistances carry up to half a count of rounding (under 0.3 C from 20 to 130 C).
const EPCOS_FIRST_C: f64 = 0;
const EPCOS_POINTS = 61;
const EPCOS_COUNTS = memory.data<u16>([
  1008, 1004, 999, 993, 985, 977, 966, 954, 939, 922, 903, 881, 857, 830, 801, 770, 737, 702, 665, 628, 591, 553, 516, 480, 445,
  411, 379, 348, 320, 293, 268, 245, 224, 205, 187, 171, 156, 143, 131, 120, 109, 100, 92, 84, 78, 71, 66, 61, 56, 52, 48, 44,
  41, 38, 35, 33, 31, 28, 27, 25, 23,
]);

// Sensors that no heater here warms (the PINDA v2's own thermistor): at what the rest of the
// model says (probe.ts follows the bed), else at ambient.
const passiveC = memory.data(SENSORS * 8);

export function resetThermistors(pullup: f64): void {
  pullupOhms = pullup;
  for (let i = 0; i < SENSORS; i++) {
    store<i32>(sensorChannel + (<usize>i << 2), -1);
    setF64(passiveC, i, NaN);
  }
}

export function setPassiveSensorCelsius(index: i32, celsius: f64): void {
  setF64(passiveC, index, celsius);
}

export function setThermistorCurve(index: i32, channel: i32, curve: i32, r25: f64, beta: f64): void {
  store<i32>(sensorChannel + (<usize>index << 2), channel);
  store<i32>(sensorCurve + (<usize>index << 2), curve);
  setF64(sensorR25, index, r25);
  setF64(sensorBeta, index, beta);
}

/** Interpolates ln(R) linearly in 1/T between two table points (a local beta): exact for an
 * ideal NTC, and how datasheet tables are meant to be read between their rows. */
function between(t: f64, t0: f64, r0: f64, t1: f64, r1: f64): f64 {
  const x = 1 / (t + KELVIN);
  const x0 = 1 / (t0 + KELVIN);
  const x1 = 1 / (t1 + KELVIN);
  return Math.exp(Math.log(r0) + ((Math.log(r1) - Math.log(r0)) * (x - x0)) / (x1 - x0));
}

function semitecOhms(i: i32): f64 {
  return load<f64>(SEMITEC_KOHM + (<usize>i << 3)) * 1000;
}

function epcosOhms(i: i32): f64 {
  const n = <f64>load<u16>(EPCOS_COUNTS + (<usize>i << 1));
  return (4700 * n) / (1024 - n);
}

/** A sensor's resistance at `celsius`, from its curve (the ends extrapolate the end segments). */
export function thermistorOhms(index: i32, celsius: f64): f64 {
  const curve = load<i32>(sensorCurve + (<usize>index << 2));
  if (curve == <i32>Curve.Semitec104GT2 || curve == <i32>Curve.Epcos100k) {
    const semitec = curve == <i32>Curve.Semitec104GT2;
    const first = semitec ? SEMITEC_FIRST_C : EPCOS_FIRST_C;
    const stepC: f64 = semitec ? 10 : 5;
    const points = semitec ? SEMITEC_POINTS : EPCOS_POINTS;
    let i = <i32>Math.floor((celsius - first) / stepC);
    if (i < 0) i = 0;
    if (i > points - 2) i = points - 2;
    const t0 = first + stepC * <f64>i;
    const r0 = semitec ? semitecOhms(i) : epcosOhms(i);
    const r1 = semitec ? semitecOhms(i + 1) : epcosOhms(i + 1);
    return between(celsius, t0, r0, t0 + stepC, r1);
  }
  const t = celsius + KELVIN;
  return f64At(sensorR25, index) * Math.exp(f64At(sensorBeta, index) * (1 / t - 1 / (25 + KELVIN)));
}

function sensorVoltage(index: i32): f64 {
  if (index == 0) {
    if (faultOn(Fault.HotendThermistorOpen)) return REFERENCE_MV;
    if (faultOn(Fault.HotendThermistorShorted)) return 0;
  } else if (index == 1) {
    if (faultOn(Fault.BedThermistorOpen)) return REFERENCE_MV;
    if (faultOn(Fault.BedThermistorShorted)) return 0;
  }
  const passive = f64At(passiveC, index);
  const c = index < HEATERS ? f64At(sensorC, index) : passive == passive ? passive : ambientC;
  const r = thermistorOhms(index, c);
  return (REFERENCE_MV * r) / (r + pullupOhms);
}

/** Voltage on an ADC channel, mV (the reference, as an open input pulled up, if nothing is there). */
export function adcMillivolts(channel: i32): f64 {
  for (let i = 0; i < SENSORS; i++) {
    if (load<i32>(sensorChannel + (<usize>i << 2)) == channel) return sensorVoltage(i);
  }
  return REFERENCE_MV;
}

/** What a 10-bit conversion of that channel reads. */
export function adcCounts(channel: i32): i32 {
  const counts = <i32>Math.floor((adcMillivolts(channel) * 1024) / REFERENCE_MV);
  return counts > 1023 ? 1023 : counts;
}

/** What an ideal 10-bit conversion of a sensor at `celsius` reads, as a real number (tests). */
export function countsAt(index: i32, celsius: f64): f64 {
  const r = thermistorOhms(index, celsius);
  return (1024 * r) / (r + pullupOhms);
}
