import { rom } from "./rom";
import * as out from "./serial/out";

// Kept equal to package.json's version (a test checks).
export const FIRMWARE_NAME = rom("Plumb");
export const FIRMWARE_VERSION = rom("0.1.0");

/** "Plumb 0.1.0", as the banner and M115 print it. */
export function printNameAndVersion(): void {
  out.text(FIRMWARE_NAME);
  out.char(32);
  out.text(FIRMWARE_VERSION);
}
