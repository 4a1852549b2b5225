// Temperature reports: M105's (on its ok line) and M155's automatic one, in Marlin 2's format:
//   " T:21.8 /215.0 B:22.1 /60.0 @:64 B@:0"
// T is the hotend, B the bed, each followed by its target; @ and B@ are the heaters' duty, 0-255
// (Marlin 2's getHeaterPower() scale).

import * as out from "../serial/out";
import { rom } from "../rom";
import { millis } from "../hal";
import * as sensors from "./sensors";
import { Reading, Sensor } from "./sensors";
import * as heaters from "./heaters";
import { Heater } from "./heater";

let autoreportMs: u32 = 0;
let lastAutoreport: u32 = 0;

export function setAutoreportMs(ms: u32): void {
  autoreportMs = ms;
  lastAutoreport = millis();
}

/** " T:21.8 /215.0 B:22.1 /60.0 @:64 B@:0", printed after "ok" (M105) or alone (M155). */
export function printTemperatures(): void {
  out.text(rom(" T:"));
  sensor(Heater.Hotend);
  out.text(rom(" B:"));
  sensor(Heater.Bed);
  out.text(rom(" @:"));
  out.int(heaters.dutyOf(Heater.Hotend));
  out.text(rom(" B@:"));
  out.int(heaters.dutyOf(Heater.Bed));
}

function sensor(h: Heater): void {
  printReading(h);
  out.text(rom(" /"));
  out.fixed(heaters.targetOf(h), 1);
}

export function printReading(h: Heater): void {
  if (sensors.readingOf(<Sensor>(<i32>h)) == Reading.None) out.text(rom("0.0"));
  else out.fixed(sensors.temperature(<Sensor>(<i32>h)), 1);
}

/** From the idle loop: M155's report when due. */
export function autoreport(): void {
  if (autoreportMs == 0) return;
  const now = millis();
  if (now - lastAutoreport < autoreportMs) return;
  lastAutoreport = now;
  printTemperatures();
  out.newline();
}

