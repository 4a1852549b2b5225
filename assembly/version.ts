import { rom } from "./rom";

// Kept equal to package.json's version (a test checks).
export const FIRMWARE_NAME = rom("Plumb");
export const FIRMWARE_VERSION = rom("0.1.0");
