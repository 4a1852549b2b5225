// The printer's fault state: one latch that every protection uses (homing that failed, a thermal
// protection, a calibration that went wrong, M112).
//
// Raising a fault prints `Error:<reason>` and Marlin's follow-up line, puts the reason on the
// display's status line and latches it. While a fault is latched, motion and heating are refused
// (the handlers ask faultActive()) and the scheduler at the top of the module turns the steppers
// and heaters off (it asks takeShutdownRequest() on every pass). M999 clears a fault that allows
// it; an emergency stop (M112) does not: only a reset does, as in Marlin.
//
// This module prints and remembers; it imports nothing that moves or heats, so anything may use it.

import * as out from "../serial/out";
import { rom, RomText } from "../rom";
import { setStatus } from "../ui/status";

let latched = false;
let needsReset = false;
let reason: RomText = 0;
let shutdownPending = false;

/**
 * Latch a fault. `message` is the reason, as printed after "Error:" (Marlin's wording where
 * Marlin has one); `status` is what the 20-column status line shows. A second fault while one is
 * latched is still printed, but the first reason is kept (it is the cause).
 */
export function raiseFault(message: RomText, status: RomText, resetOnly: bool): void {
  out.text(rom("Error:"));
  out.line(message);
  shutdownPending = true;
  if (latched) {
    needsReset = needsReset || resetOnly;
    return;
  }
  latched = true;
  needsReset = resetOnly;
  reason = message;
  setStatus(status);
  if (resetOnly) out.line(rom("Error:Printer halted. Reset the printer to continue."));
  else out.line(rom("Error:Printer stopped due to errors. Fix the error and use M999 to restart."));
}

export function faultActive(): bool {
  return latched;
}

/** The first reason latched (0 when none). */
export function faultReason(): RomText {
  return reason;
}

/** Only a reset clears this fault (M112). */
export function faultNeedsReset(): bool {
  return latched && needsReset;
}

/** M999: clear a fault that allows it. False (and the fault stays) when only a reset clears it. */
export function clearFault(): bool {
  if (!latched) return true;
  if (needsReset) return false;
  latched = false;
  reason = 0;
  return true;
}

/** True once after each raiseFault(): the caller turns every output off. */
export function takeShutdownRequest(): bool {
  const pending = shutdownPending;
  shutdownPending = false;
  return pending;
}
