// Thermal protection, always on: every check ends in raiseFault() (system/fault.ts), after which
// heaters.ts turns every heater off on the next idle pass and heating is refused until M999.
//
// On every reading (every 250 ms), whatever the target:
// - MINTEMP / MAXTEMP: hotend 15 / 305 C, bed 15 / 125 C (Prusa MK2's HEATER_0_MINTEMP,
//   BED_MINTEMP, HEATER_0_MAXTEMP, BED_MAXTEMP). A thermistor that opens reads far below
//   MINTEMP and one that shorts far above MAXTEMP, so both are caught here within one reading,
//   heating or not (Marlin reports them the same way).
// While a target is set:
// - Heating watch: when a target is set more than 6 C above the temperature (the increase plus
//   Marlin's TEMP_HYSTERESIS 3, plus 1), the temperature must rise 2 C within 20 s (hotend) or
//   60 s (bed) from the next reading, and again in each such period until it is near the target;
//   else "Heating failed" (Marlin 2's WATCH_TEMP_PERIOD/INCREASE 20 s/2 C,
//   WATCH_BED_TEMP_PERIOD/INCREASE 60 s/2 C). This catches a disconnected cartridge, a thermistor out of its block while
//   heating up, a supply too weak to reach the target.
// - Runaway while holding: once the temperature has reached the target, it may fall more than
//   4 C (hotend) or 2 C (bed) below it for at most 40 s (hotend) or 20 s (bed); else "Thermal
//   Runaway" (Marlin 2's THERMAL_PROTECTION_PERIOD/HYSTERESIS and _BED_ values). Prusa's MK2
//   allows 15 C for 45 s and 5 C for 360 s, far looser; Marlin's values are the documented
//   default and the model holds within them with margin through a whole print (the print fan
//   at full costs the hotend about 0.5 C for a few seconds).
//
// Messages are Marlin's: "Error:<what>, system stopped! Heater_ID: 0" (or "bed"), then the
// latch's "Printer stopped due to errors" line; the display shows Marlin's LCD text.

import { faultActive, raiseFault } from "../system/fault";
import { rom } from "../rom";
import * as sensors from "./sensors";
import { Reading, Sensor } from "./sensors";
import { Heater } from "./heater";

export const HOTEND_MINTEMP_C: f32 = 15;
export const HOTEND_MAXTEMP_C: f32 = 305;
export const BED_MINTEMP_C: f32 = 15;
export const BED_MAXTEMP_C: f32 = 125;

export const HOTEND_WATCH_MS: u32 = 20000;
export const BED_WATCH_MS: u32 = 60000;
export const WATCH_INCREASE_C: f32 = 2;
const WATCH_ARM_MARGIN_C: f32 = 2 + 3 + 1;
export const HOTEND_RUNAWAY_MS: u32 = 40000;
export const HOTEND_RUNAWAY_C: f32 = 4;
export const BED_RUNAWAY_MS: u32 = 20000;
export const BED_RUNAWAY_C: f32 = 2;

const enum Runaway {
  Inactive = 0,
  FirstHeating = 1,
  Stable = 2,
}

// Per heater.
/** A target was set: arm the watch at the next reading (a target may come before the first). */
const watchPending = memory.data(<i32>Heater.Count);
const watchArmed = memory.data(<i32>Heater.Count);
const watchTarget = memory.data(<i32>Heater.Count * 4); // f32 C the reading must reach
const watchDeadline = memory.data(<i32>Heater.Count * 4); // u32 ms
const runawayState = memory.data(<i32>Heater.Count);
const runawayDeadline = memory.data(<i32>Heater.Count * 4); // u32 ms

function watchPeriod(h: Heater): u32 {
  return h == Heater.Hotend ? HOTEND_WATCH_MS : BED_WATCH_MS;
}

function armWatch(h: Heater, celsius: f32, now: u32, targetC: f32): void {
  const i = <usize>h;
  if (targetC > 0 && celsius < targetC - WATCH_ARM_MARGIN_C) {
    store<u8>(watchArmed + i, 1);
    store<f32>(watchTarget + (i << 2), celsius + WATCH_INCREASE_C);
    store<u32>(watchDeadline + (i << 2), now + watchPeriod(h));
  } else {
    store<u8>(watchArmed + i, 0);
  }
}

/** A new target (M104/M109/M140/M190/M303, or 0 when a fault turns everything off). */
export function targetChanged(h: Heater, targetC: f32, celsius: f32, now: u32): void {
  // Armed from the next reading, not from `celsius`: right after reset no reading exists yet (the
  // temperature would be 0 C and the watch would ask for 2 C, which the room already gives).
  store<u8>(watchPending + <usize>h, targetC > 0 ? 1 : 0);
  store<u8>(watchArmed + <usize>h, 0);
  store<u8>(runawayState + <usize>h, targetC > 0 ? <u8>Runaway.FirstHeating : <u8>Runaway.Inactive);
}

/** One reading of heater `h` with its target: raises the fault it finds. */
export function check(h: Heater, targetC: f32, now: u32): void {
  const i = <usize>h;
  const hotend = h == Heater.Hotend;
  const state = sensors.readingOf(<Sensor>(<i32>h));
  if (state == Reading.None) return;
  const c = sensors.temperature(<Sensor>(<i32>h));
  const maxC = hotend ? HOTEND_MAXTEMP_C : BED_MAXTEMP_C;
  const minC = hotend ? HOTEND_MINTEMP_C : BED_MINTEMP_C;
  if (state == Reading.Shorted || c > maxC) {
    if (hotend) raiseFault(rom("MAXTEMP triggered, system stopped! Heater_ID: 0"), rom("Err: MAXTEMP"), false);
    else raiseFault(rom("MAXTEMP triggered, system stopped! Heater_ID: bed"), rom("Err: MAXTEMP BED"), false);
    return;
  }
  if (state == Reading.Open || c < minC) {
    if (hotend) raiseFault(rom("MINTEMP triggered, system stopped! Heater_ID: 0"), rom("Err: MINTEMP"), false);
    else raiseFault(rom("MINTEMP triggered, system stopped! Heater_ID: bed"), rom("Err: MINTEMP BED"), false);
    return;
  }
  if (targetC <= 0 || faultActive()) return;

  if (load<u8>(watchPending + i)) {
    store<u8>(watchPending + i, 0);
    armWatch(h, c, now, targetC);
  }
  if (load<u8>(watchArmed + i) && <i32>(now - load<u32>(watchDeadline + (i << 2))) >= 0) {
    if (c < load<f32>(watchTarget + (i << 2))) {
      if (hotend) raiseFault(rom("Heating failed, system stopped! Heater_ID: 0"), rom("Heating failed"), false);
      else raiseFault(rom("Heating failed, system stopped! Heater_ID: bed"), rom("Bed heating failed"), false);
      return;
    }
    armWatch(h, c, now, targetC); // still far off: watch the next period
  }

  const period = hotend ? HOTEND_RUNAWAY_MS : BED_RUNAWAY_MS;
  const hysteresis = hotend ? HOTEND_RUNAWAY_C : BED_RUNAWAY_C;
  let s = <Runaway>load<u8>(runawayState + i);
  if (s == Runaway.FirstHeating && c >= targetC) {
    s = Runaway.Stable;
    store<u8>(runawayState + i, <u8>s);
    store<u32>(runawayDeadline + (i << 2), now + period);
  }
  if (s == Runaway.Stable) {
    if (c >= targetC - hysteresis) {
      store<u32>(runawayDeadline + (i << 2), now + period);
    } else if (<i32>(now - load<u32>(runawayDeadline + (i << 2))) >= 0) {
      if (hotend) raiseFault(rom("Thermal Runaway, system stopped! Heater_ID: 0"), rom("THERMAL RUNAWAY"), false);
      else raiseFault(rom("Thermal Runaway, system stopped! Heater_ID: bed"), rom("BED THERMAL RUNAWAY"), false);
    }
  }
}
