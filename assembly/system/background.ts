// Work that must go on whatever the firmware waits for: feeding the stepper, the watchdog.
// Safe to call from anywhere, including while output waits for the serial port: it prints nothing.

import { watchdogReset } from "../hal";
import { service } from "../motion/motion";

export function background(): void {
  service();
  watchdogReset();
}
