// Heater control: a target per heater, a PID that turns each new reading into a duty, the
// hotend's heatsink fan, the print fan, and the protections (protection.ts) on every reading.
//
// Timing. The thermistors give a new pair of readings every 250 ms (sensors.ts: 16 conversions
// each, averaged); control runs once per new round, so the control period is the reading
// period, 0.25 s. That is fast for the plant: the hotend's time constant is minutes (12 J/K
// against 0.065 W/K) and its sensor lags 2 s; Prusa's MK2 firmware runs its PID every 0.164 s
// (PID_dT), Marlin 2 about as often. Reading more often would only average fewer samples.
// The fault latch is looked at on every idle pass, not only per period: the moment a fault is
// raised (M112, a protection, a failed homing) the next pass sets every heater's duty to 0,
// which hal/avr/outputs.c applies to the pin at once.
//
// PID, for both heaters (Prusa's MK2 runs the bed on PID too, PIDTEMPBED; a 150 W bed switched
// bang-bang overshoots by its sensor lag times its heating rate, about 1 C, and the acceptance
// asks +-1 C). Output in duty units 0-255. Outside a functional range of +-10 C around the
// target the output is simply full or off and the integral is cleared (Marlin's
// PID_FUNCTIONAL_RANGE 10); inside, P on the error, I on the error (Ki per second, the user's
// units, as M301 prints them) and D on the measurement (not on the error: a target step gives
// no kick), the derivative low-pass filtered (0.95 per 0.164 s as Prusa's K1, which is 0.92 per
// 0.25 s). Anti-windup: the integral only grows while the output is not saturated in the same
// direction, and it is bounded so that Ki * integral stays within 0..255.
//
// Defaults: hotend Kp 40.925, Ki 4.875, Kd 86.085 (Prusa MK2, E3D V6); bed Kp 126.13, Ki 4.30,
// Kd 924.76 (Prusa MK2's DEFAULT_bed*), kept in the settings record (settings/store.ts). M301/M304
// change them, M303 measures them, M500 saves them.

import { marker, millis, outputDuty } from "../hal";
import { faultActive } from "../system/fault";
import * as sensors from "./sensors";
import { Reading, Sensor } from "./sensors";
import * as protection from "./protection";
import { Heater } from "./heater";
import * as settings from "../settings/store";
import { S } from "../settings/store";

export const enum Output {
  HotendHeater = 0,
  BedHeater = 1,
  PrintFan = 2,
  HotendFan = 3,
}

export const CONTROL_PERIOD_S: f32 = 0.25;
/** Simulator timestamps around each control step (tools/bench/heaters.ts). */
export const MARK_HEATERS_START: u32 = 40;
export const MARK_HEATERS_END: u32 = 41;
export const DUTY_MAX: i32 = 255;
const FUNCTIONAL_RANGE_C: f32 = 10;
const D_FILTER: f32 = 0.92;
/** The heatsink fan runs while the hotend is above this (Marlin's EXTRUDER_AUTO_FAN_TEMPERATURE). */
export const HOTEND_FAN_ON_C: f32 = 50;
/** Highest targets: 15 C under MAXTEMP (Marlin's HOTEND_OVERSHOOT 15, BED_OVERSHOOT 10 rounded up). */
export const HOTEND_MAX_TARGET_C: f32 = 290;
export const BED_MAX_TARGET_C: f32 = 110;

const target = memory.data(<i32>Heater.Count * 4); // f32 C, 0 = off
const duty = memory.data(<i32>Heater.Count * 4); // i32 0..255
const integral = memory.data(<i32>Heater.Count * 4); // f32 C*s
const dTerm = memory.data(<i32>Heater.Count * 4); // f32 C/s, filtered, of the measurement
const lastC = memory.data(<i32>Heater.Count * 4); // f32 C

let lastRound: u32 = 0;
let heatersOn = false;
let printFanDuty: i32 = 0;
let hotendFanOn = false;
/** The duty an autotune (M303) forces on a heater, or -1. */
let forcedHeater: i32 = -1;
let forcedDuty: i32 = 0;
/** Called after each control period (M155's report, M303's cycle detection). */
export let controlRounds: u32 = 0;

function f32At(base: usize, i: i32): f32 {
  return load<f32>(base + (<usize>i << 2));
}
function setF32(base: usize, i: i32, v: f32): void {
  store<f32>(base + (<usize>i << 2), v);
}

export function initHeaters(): void {
  for (let h = 0; h < <i32>Heater.Count; h++) {
    setF32(target, h, 0);
    store<i32>(duty + (<usize>h << 2), 0);
  }
}

// The gains live in the settings block (M500 saves them, M501/M502 reload them).
function gainsField(h: Heater): u32 {
  return h == Heater.Hotend ? <u32>S.HotendPid : <u32>S.BedPid;
}

export function setGains(h: Heater, kp: f32, ki: f32, kd: f32): void {
  settings.setAxisF32(gainsField(h), 0, kp);
  settings.setAxisF32(gainsField(h), 1, ki);
  settings.setAxisF32(gainsField(h), 2, kd);
  setF32(integral, <i32>h, 0);
}

export function kp(h: Heater): f32 {
  return settings.axisF32(gainsField(h), 0);
}
export function ki(h: Heater): f32 {
  return settings.axisF32(gainsField(h), 1);
}
export function kd(h: Heater): f32 {
  return settings.axisF32(gainsField(h), 2);
}

export function targetOf(h: Heater): f32 {
  return f32At(target, <i32>h);
}

export function dutyOf(h: Heater): i32 {
  return load<i32>(duty + (<usize>h << 2));
}

export function temperatureOf(h: Heater): f32 {
  return sensors.temperature(<Sensor>(<i32>h));
}

export function maxTarget(h: Heater): f32 {
  return h == Heater.Hotend ? HOTEND_MAX_TARGET_C : BED_MAX_TARGET_C;
}

/** Sets a target (0 = off); the caller has checked the range and the fault state. */
export function setTarget(h: Heater, celsius: f32): void {
  setF32(target, <i32>h, celsius);
  protection.targetChanged(h, celsius, temperatureOf(h), millis());
}

export function setPrintFan(d: i32): void {
  printFanDuty = d < 0 ? 0 : d > DUTY_MAX ? DUTY_MAX : d;
  outputDuty(<u32>Output.PrintFan, <u32>printFanDuty);
}

export function printFan(): i32 {
  return printFanDuty;
}

export function hotendFanRunning(): bool {
  return hotendFanOn;
}

/** M303: drive a heater at a fixed duty (the protections still watch it); -1 gives it back. */
export function forceDuty(h: i32, d: i32): void {
  forcedHeater = h;
  forcedDuty = d;
}

/** Every idle pass: faults first (at once), then a control step per new reading round. */
export function manage(): void {
  if (faultActive()) {
    if (heatersOn || printFanDuty != 0) shutDown();
  }
  const round = sensors.rounds;
  if (round == lastRound) return;
  lastRound = round;
  marker(MARK_HEATERS_START);
  if (!faultActive()) {
    for (let h = 0; h < <i32>Heater.Count; h++) protection.check(<Heater>h, f32At(target, h), millis());
  }
  if (faultActive()) {
    shutDown();
  } else {
    let any = false;
    for (let h = 0; h < <i32>Heater.Count; h++) {
      const d = h == forcedHeater ? forcedDuty : control(<Heater>h);
      store<i32>(duty + (<usize>h << 2), d);
      // Set on every period, changed or not: hal/avr/outputs.c turns a heater off by itself
      // when it has not been told for 1 s.
      outputDuty(<u32>h, <u32>d);
      if (d > 0) any = true;
    }
    heatersOn = any;
  }
  // The heatsink fan: on above 50 C, whatever else happens (a fault included: heat creep).
  const fan = sensors.readingOf(Sensor.Hotend) != Reading.Ok || temperatureOf(Heater.Hotend) > HOTEND_FAN_ON_C;
  if (fan != hotendFanOn) {
    hotendFanOn = fan;
    outputDuty(<u32>Output.HotendFan, fan ? <u32>DUTY_MAX : 0);
  }
  controlRounds++;
  marker(MARK_HEATERS_END);
}

/** Every heater off, every target 0, the print fan off (the heatsink fan stays as manage() says). */
function shutDown(): void {
  for (let h = 0; h < <i32>Heater.Count; h++) {
    outputDuty(<u32>h, 0);
    store<i32>(duty + (<usize>h << 2), 0);
    setF32(target, h, 0);
    setF32(integral, h, 0);
    protection.targetChanged(<Heater>h, 0, 0, 0);
  }
  forcedHeater = -1;
  heatersOn = false;
  printFanDuty = 0;
  outputDuty(<u32>Output.PrintFan, 0);
}

function control(h: Heater): i32 {
  const i = <i32>h;
  const set = f32At(target, i);
  const now = temperatureOf(h);
  const last = f32At(lastC, i);
  setF32(lastC, i, now);
  if (set <= 0 || sensors.readingOf(<Sensor>i) != Reading.Ok) {
    setF32(integral, i, 0);
    setF32(dTerm, i, 0);
    return 0;
  }
  // The derivative of the measurement, filtered; kept up to date outside the range too.
  const slope = (now - last) / CONTROL_PERIOD_S;
  setF32(dTerm, i, f32At(dTerm, i) * D_FILTER + slope * (<f32>1 - D_FILTER));
  const error = set - now;
  if (error > FUNCTIONAL_RANGE_C) {
    setF32(integral, i, 0);
    return DUTY_MAX;
  }
  if (error < -FUNCTIONAL_RANGE_C) {
    setF32(integral, i, 0);
    return 0;
  }
  const p = kp(h) * error;
  const d = kd(h) * f32At(dTerm, i);
  let sum = f32At(integral, i);
  const candidate = sum + error * CONTROL_PERIOD_S;
  const unclamped = p + ki(h) * candidate - d;
  // Conditional integration: no growth towards a saturated side.
  if (!((unclamped > <f32>DUTY_MAX && error > 0) || (unclamped < 0 && error < 0))) sum = candidate;
  const limit = ki(h) > 0 ? <f32>DUTY_MAX / ki(h) : <f32>0;
  if (sum > limit) sum = limit;
  if (sum < 0) sum = 0;
  setF32(integral, i, sum);
  let out = p + ki(h) * sum - d;
  if (out > <f32>DUTY_MAX) out = <f32>DUTY_MAX;
  if (out < 0) out = 0;
  return <i32>(out + <f32>0.5);
}
