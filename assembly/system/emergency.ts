// What the firmware does about the emergency commands and the fault state, on every idle pass
// (system/idle.ts), so also while a blocking command (G28, M400, G4, a full planner) waits:
//   M112  every driver off at once, motion flushed, a fault that only a reset clears;
//   M410  motion flushed at once, the position kept where the steps left it; no fault;
//   M108  the current wait ends (system/wait.ts);
//   a fault raised anywhere (system/fault.ts): motion flushed and the drivers off. Heaters turn
//   themselves off while a fault is latched (temperature/heaters.ts asks faultActive()).

import { Emergency, takeEmergency } from "../serial/receiver";
import { abortMotion, driversOff } from "../motion/motion";
import { raiseFault, faultNeedsReset, takeShutdownRequest } from "./fault";
import { breakWait } from "./wait";
import { rom } from "../rom";
import { marker } from "../hal";

/** Simulator timestamp (GPIOR0 write) when M112 has stopped the stepping and switched the drivers off. */
export const MARK_EMERGENCY_STOP: u32 = 24;
/** Simulator timestamp when M410 (acted on as its line arrived) has stopped the stepping. */
export const MARK_QUICK_STOP: u32 = 25;

export function serviceEmergencies(): void {
  const e = takeEmergency();
  if (e == Emergency.Stop) emergencyStop();
  else if (e == Emergency.QuickStop) {
    abortMotion();
    marker(MARK_QUICK_STOP);
  }
  else if (e == Emergency.BreakWait) breakWait();
  if (takeShutdownRequest()) {
    abortMotion();
    driversOff();
  }
}

/**
 * M112: the stepping first (it ends with the segment the interrupt is in, 2.5 ms at printing
 * speeds), then the drivers (switched off while pulses still came, a driver would ignore them,
 * but the simulated printer counts them as a fault of the firmware), then the fault.
 */
export function emergencyStop(): void {
  if (faultNeedsReset()) return; // already halted (a second M112, or the queued copy of the line)
  abortMotion();
  driversOff();
  marker(MARK_EMERGENCY_STOP);
  raiseFault(rom("Emergency stop (M112): steppers off, printer halted"), rom("EMERGENCY STOP"), true);
}
