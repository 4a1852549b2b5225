// Plumb firmware module: the entry points the HAL calls.
//
//   setup()       once after reset, with interrupts running
//   loop()        forever from the main loop; every call returns quickly unless a command
//                 blocks (homing, M400...), which then keeps serving through system/idle.ts
//   stepperIsr()  from the step timer interrupt (motion/stepper.ts explains the returned word)
//
// Data flow: serial bytes -> serial/receiver (lines, checksums) -> gcode/queue ->
// gcode/executor -> gcode/dispatch -> handlers -> motion/planner -> motion/stepper -> HAL ports.

import * as hal from "./hal";
import * as out from "./serial/out";
import { rom } from "./rom";
import { BoardKey, boardText } from "./board";
import { printNameAndVersion } from "./version";
import * as settings from "./settings/store";
import { LoadResult } from "./settings/store";
import { reportLoadFailure } from "./settings/messages";
import { initAxes } from "./motion/axes";
import { initStepper, isr, repeats, stateAddress, segmentsAddress } from "./motion/stepper";
import { blocksAddress } from "./motion/planner";
import { initMotion } from "./motion/motion";
import { idle } from "./system/idle";
import { runNext } from "./gcode/executor";
import { initHeaters } from "./temperature/heaters";
import { applyStoredTransform } from "./calibration/stored";

export function setup(): void {
  initAxes();
  initStepper();
  printBanner();
  settings.loadDefaults();
  const r = settings.loadFromEeprom();
  if (r != LoadResult.Ok) reportLoadFailure(r, true);
  applyStoredTransform();
  initMotion();
  initHeaters();
}

export function loop(): void {
  idle();
  runNext();
}

export function stepperIsr(): u32 {
  return isr();
}

/** After stepperIsr(): copies of the event it returned to pulse right after it. */
export function stepperRepeats(): u32 {
  return repeats();
}

/** Addresses of the stepper's data in linear memory, for the benchmark's C reference stepper. */
export function stepperStateAddress(): usize {
  return stateAddress();
}

export function stepperSegmentsAddress(): usize {
  return segmentsAddress();
}

export function plannerBlocksAddress(): usize {
  return blocksAddress();
}

/** End of the static data the module uses; the build sizes linear memory to it. */
export function linearMemoryEnd(): usize {
  return __heap_base;
}

function printBanner(): void {
  // "start" is what hosts (OctoPrint, Pronterface) take as "the firmware has just reset".
  out.line(rom("start"));
  out.text(rom("echo:"));
  printNameAndVersion();
  out.text(rom(" on "));
  out.text(boardText(BoardKey.Title));
  out.text(rom(" ("));
  out.text(boardText(BoardKey.Machine));
  out.line(rom(")"));
  printResetCause(hal.resetCause());
}

function printResetCause(cause: u32): void {
  out.text(rom("echo:reset by "));
  if (cause & 8) out.line(rom("watchdog: the firmware stopped responding"));
  else if (cause & 4) out.line(rom("brown-out: the supply voltage dropped"));
  else if (cause & 2) out.line(rom("reset button or host"));
  else if (cause & 1) out.line(rom("power-on"));
  else out.line(rom("software jump"));
}
