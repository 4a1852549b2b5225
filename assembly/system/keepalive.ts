// "echo:busy: processing" every few seconds while a command takes long (homing, M400, G4...),
// so hosts know the printer is alive and do not time out. M113 S<seconds> sets the interval.

import { millis } from "../hal";
import * as out from "../serial/out";
import { rom } from "../rom";

export let intervalS: u32 = 2;
let busySince: u32 = 0;
let lastMessage: u32 = 0;
let busy = false;

export function begin(): void {
  busy = true;
  busySince = lastMessage = millis();
}

export function end(): void {
  busy = false;
}

export function setInterval(seconds: u32): void {
  intervalS = seconds;
}

export function check(): void {
  if (!busy || intervalS == 0) return;
  const now = millis();
  if (now - lastMessage >= intervalS * 1000) {
    lastMessage = now;
    out.line(rom("echo:busy: processing"));
  }
}

/** A command is running (from its start to its reply). */
export function isBusy(): bool {
  return busy;
}

/** Milliseconds the current command has run. */
export function busyMs(): u32 {
  return busy ? millis() - busySince : 0;
}
