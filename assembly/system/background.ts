// Work that must go on whatever the firmware waits for: taking in received bytes (no lines are
// assembled), feeding the stepper, the watchdog.
// Safe to call from anywhere, including while output waits for the serial port: it prints nothing.

import { watchdogReset } from "../hal";
import { service } from "../motion/motion";
import { receive } from "../serial/receiver";

export function background(): void {
  receive();
  service();
  watchdogReset();
}
