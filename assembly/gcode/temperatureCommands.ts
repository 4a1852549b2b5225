// Temperature G-codes: targets (M104/M140), waits (M109/M190), reports (M105, M155), fans
// (M106/M107), PID values (M301/M304) and autotune (M303), M108 to stop a wait.
//
// Report formats are Marlin 2's, which hosts parse:
//   M105, on the ok line:   ok T:21.8 /215.0 B:22.1 /60.0 @:64 B@:0
//   M155 every S seconds:   " T:21.8 /215.0 B:22.1 /60.0 @:64 B@:0" (no ok)
//   M109 every second:      T:180.4 E:0 W:?     (W:<s> counts the residency down once inside)
//   M190 every second:      T:215.1 E:0 B:48.3 W:?
// T is the hotend, B the bed, each followed by its target; @ and B@ are the heaters' duty, 0-255.
//
// Waits: a heater is "at temperature" once it has stayed within TEMP_WINDOW (1 C) of the target
// for TEMP_RESIDENCY (10 s), leaving by more than TEMP_HYSTERESIS (3 C) restarts the count
// (Marlin 2's TEMP_RESIDENCY_TIME 10, TEMP_WINDOW 1, TEMP_HYSTERESIS 3; the bed's the same).
// M109/M190 S wait only when heating (a hotter heater is not waited for), R also when cooling.
// A wait ends early on M108 or a fault (the fault's own message is already out).

import * as out from "../serial/out";
import { rom } from "../rom";
import { millis } from "../hal";
import * as parser from "./parser";
import { Letter } from "./letters";
import { idle } from "../system/idle";
import * as keepalive from "../system/keepalive";
import { beginWait, waitBroken } from "../system/wait";
import { faultActive } from "../system/fault";
import * as sensors from "../temperature/sensors";
import { Reading, Sensor } from "../temperature/sensors";
import * as heaters from "../temperature/heaters";
import { Heater } from "../temperature/heater";
import * as autotune from "../temperature/autotune";
import { PID_GAIN_MAX } from "../settings/store";
import { printTemperatures, printReading, setAutoreportMs } from "../temperature/report";

/** How long M105 waits for the first readings after boot (they take about 4 ms). */
const FIRST_READING_WAIT_MS: u32 = 100;
const TEMP_WINDOW_C: f32 = 1;
const TEMP_HYSTERESIS_C: f32 = 3;
export const TEMP_RESIDENCY_MS: u32 = 10000;
const WAIT_REPORT_MS: u32 = 1000;
const AUTOREPORT_MAX_S: u32 = 60;

/**
 * M105: the report goes on the ok line (executor.ts prints it with printTemperatures()); here only
 * the wait for readings. Returns true: the reply carries the temperatures.
 */
export function m105(): bool {
  const start = millis();
  while (sensors.rounds == 0 && millis() - start < FIRST_READING_WAIT_MS) idle();
  return true;
}

export { printTemperatures };

/** M155 S<seconds>: report the temperatures every S seconds (0 stops; at most 60). */
export function m155(): void {
  if (!parser.has(Letter.S)) return;
  const s = parser.value(Letter.S);
  if (!(s >= 0)) {
    out.line(rom("Error:M155 S must be 0 (off) or a number of seconds; not changed"));
    return;
  }
  let seconds = <u32>s;
  if (seconds > AUTOREPORT_MAX_S) seconds = AUTOREPORT_MAX_S;
  setAutoreportMs(seconds * 1000);
}

export function m104(): void {
  setFromCommand(Heater.Hotend, Letter.S);
}

export function m140(): void {
  setFromCommand(Heater.Bed, Letter.S);
}

export function m109(): void {
  heatAndWait(Heater.Hotend);
}

export function m190(): void {
  heatAndWait(Heater.Bed);
}

/** Checks and sets a target from parameter `l`. False (and nothing changed) when refused. */
function setFromCommand(h: Heater, l: u32): bool {
  if (!parser.has(l)) return true; // no target given: keep the one set
  if (parser.has(Letter.T) && parser.value(Letter.T) != 0) {
    out.line(rom("Error:This printer has one hotend (T0); not changed"));
    return false;
  }
  const c = parser.value(l);
  if (!(c >= 0) || c > heaters.maxTarget(h)) {
    out.text(rom("Error:Target "));
    out.fixed(c, 1);
    out.text(h == Heater.Hotend ? rom(" C is outside the hotend's 0-") : rom(" C is outside the bed's 0-"));
    out.fixed(heaters.maxTarget(h), 0);
    out.line(rom(" C; not changed"));
    return false;
  }
  if (faultActive() && c > 0) {
    out.line(rom("Error:Printer stopped: heating is refused until M999; not changed"));
    return false;
  }
  heaters.setTarget(h, c);
  return true;
}

function heatAndWait(h: Heater): void {
  const cooling = parser.has(Letter.R);
  if (!setFromCommand(h, cooling ? Letter.R : Letter.S)) return;
  const targetC = heaters.targetOf(h);
  if (targetC <= 0) return;
  if (!cooling && heaters.temperatureOf(h) >= targetC) return;
  beginWait();
  keepalive.end(); // the temperature lines below tell the host the printer is alive
  const start = millis();
  let lastReport = start;
  let residentSince: u32 = 0;
  let resident = false;
  for (;;) {
    idle();
    if (faultActive() || heaters.targetOf(h) != targetC) return;
    if (waitBroken()) {
      out.line(rom("echo:Wait for temperature stopped (M108)"));
      return;
    }
    const now = millis();
    const error = Mathf.abs(heaters.temperatureOf(h) - targetC);
    if (!resident && error <= TEMP_WINDOW_C) {
      resident = true;
      residentSince = now;
    } else if (resident && error > TEMP_HYSTERESIS_C) {
      resident = false;
    }
    if (resident && now - residentSince >= TEMP_RESIDENCY_MS) return;
    if (now - lastReport >= WAIT_REPORT_MS) {
      lastReport = now;
      out.text(rom("T:"));
      printReading(Heater.Hotend);
      out.text(rom(" E:0"));
      if (h == Heater.Bed) {
        out.text(rom(" B:"));
        printReading(Heater.Bed);
      }
      out.text(rom(" W:"));
      if (resident) out.uint((TEMP_RESIDENCY_MS - (now - residentSince) + 999) / 1000);
      else out.char(63); // "?"
      out.newline();
    }
  }
}

/** M106 S<0-255>: the print fan's duty (S255 without S). */
export function m106(): void {
  let s: f32 = 255;
  if (parser.has(Letter.S)) s = parser.value(Letter.S);
  if (!(s >= 0 && s <= 255)) {
    out.line(rom("Error:M106 S must be 0-255; not changed"));
    return;
  }
  heaters.setPrintFan(<i32>(s + <f32>0.5));
}

export function m107(): void {
  heaters.setPrintFan(0);
}

/** M301 P I D: the hotend's PID gains (Ki per second, Kd in seconds); M301 alone prints them. */
export function m301(): void {
  gains(Heater.Hotend);
}

/** M304 P I D: the bed's. */
export function m304(): void {
  gains(Heater.Bed);
}

function gains(h: Heater): void {
  let p = heaters.kp(h);
  let i = heaters.ki(h);
  let d = heaters.kd(h);
  if (parser.has(Letter.P)) p = parser.value(Letter.P);
  if (parser.has(Letter.I)) i = parser.value(Letter.I);
  if (parser.has(Letter.D)) d = parser.value(Letter.D);
  if (!(p >= 0 && i >= 0 && d >= 0 && p <= PID_GAIN_MAX && i <= PID_GAIN_MAX && d <= PID_GAIN_MAX)) {
    out.line(rom("Error:PID values must be positive numbers; not changed"));
    return;
  }
  if (parser.has(Letter.P) || parser.has(Letter.I) || parser.has(Letter.D)) {
    heaters.setGains(h, p, i, d); // quietly, as Marlin 2.1 (M503 and a bare M301 show them)
    return;
  }
  out.text(h == Heater.Hotend ? rom("echo: p:") : rom("echo: bed p:"));
  out.fixed(heaters.kp(h), 2);
  out.text(rom(" i:"));
  out.fixed(heaters.ki(h), 2);
  out.text(rom(" d:"));
  out.fixed(heaters.kd(h), 2);
  out.newline();
}

/** M303 E<0|-1> S<target> C<cycles> [U1]: relay autotune (autotune.ts). */
export function m303(): void {
  let e: f32 = 0;
  if (parser.has(Letter.E)) e = parser.value(Letter.E);
  if (e != 0 && e != -1) {
    out.line(rom("PID Autotune failed. Bad extruder number."));
    return;
  }
  const h = e == 0 ? Heater.Hotend : Heater.Bed;
  let s: f32 = h == Heater.Hotend ? 150 : 70;
  if (parser.has(Letter.S)) s = parser.value(Letter.S);
  let c: f32 = 5;
  if (parser.has(Letter.C)) c = parser.value(Letter.C);
  if (!(s > 0 && s <= heaters.maxTarget(h)) || !(c >= 3 && c <= 20)) {
    out.line(rom("Error:M303 needs S within the heater's range and C from 3 to 20; not started"));
    return;
  }
  if (faultActive()) {
    out.line(rom("Error:Printer stopped: heating is refused until M999; not started"));
    return;
  }
  autotune.run(h, s, <i32>c, parser.has(Letter.U) && parser.value(Letter.U) != 0);
}
