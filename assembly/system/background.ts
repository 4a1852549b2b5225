// What must go on while output waits for room in the transmit ring (serial/out.ts): received
// bytes taken in (no line is assembled: the emergency watch keeps seeing M112), the step
// interrupt's segments kept coming from the blocks already planned, the watchdog. It prints
// nothing and imports nothing that prints: tests/tools/imports.test.ts fails if it ever does
// (serial/out imports this module, so such an import would be a cycle). Retiring finished
// blocks and the rest of the main loop's work are system/idle.ts's.

import { watchdogReset } from "../hal";
import { prepare } from "../motion/stepper";
import { receive } from "../serial/receiver";

export function background(): void {
  receive();
  prepare();
  watchdogReset();
}
