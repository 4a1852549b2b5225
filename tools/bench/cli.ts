// npm run bench: figures measured in simavr CPU cycles (exact and repeatable), never wall time.
// Builds the default board, runs the benchmarks, prints them and writes build/bench.json.

import fs from "node:fs";
import path from "node:path";
import { BUILD, DEFAULT_BOARD } from "../build/paths.ts";
import { compileFirmwareModule, buildBoardImage } from "../build/firmware.ts";
import { buildSimulator } from "../sim/build.ts";
import { runSim } from "../sim/run.ts";
import { formatSize } from "../build/avr.ts";

/** Markers the HAL writes to GPIOR0 (hal/avr/hal_inline.h). */
const MARKER_BOOT = "1";
const MARKER_INSTANTIATED = "2";
const MARKER_SETUP_DONE = "3";

async function main(): Promise<void> {
  const compiled = await compileFirmwareModule();
  const build = buildBoardImage(DEFAULT_BOARD, compiled);
  await buildSimulator();

  const boot = await runSim({ input: "" });
  const m = boot.report.markers;
  for (const id of [MARKER_BOOT, MARKER_INSTANTIATED, MARKER_SETUP_DONE]) {
    if (!m[id]) throw new Error(`marker ${id} missing from the boot run`);
  }
  const resetToMain = m[MARKER_BOOT].cycles[0];
  const instantiateCycles = m[MARKER_INSTANTIATED].cycles[0] - m[MARKER_BOOT].cycles[0];
  const setupCycles = m[MARKER_SETUP_DONE].cycles[0] - m[MARKER_INSTANTIATED].cycles[0];

  const results = {
    board: DEFAULT_BOARD,
    flashBytes: build.size.flashBytes,
    sramStaticBytes: build.size.sramStaticBytes,
    linearMemoryBytes: build.size.linearMemoryBytes,
    resetToModuleStartCycles: resetToMain,
    moduleStartCycles: instantiateCycles,
    setupCycles,
  };
  fs.writeFileSync(path.join(BUILD, "bench.json"), JSON.stringify(results, null, 2) + "\n");

  console.log(`plumb bench (${DEFAULT_BOARD}, simavr cycles at 16 MHz)`);
  console.log(formatSize(build.size));
  console.log(`  reset to main()          ${String(resetToMain).padStart(8)} cycles  (C start-up, pins, serial, clock)`);
  console.log(`  module start             ${String(instantiateCycles).padStart(8)} cycles  (globals, data segments from flash; ${(instantiateCycles / 16).toFixed(1)} us)`);
  console.log(`  setup() incl. banner     ${String(setupCycles).padStart(8)} cycles  (${(setupCycles / 16000).toFixed(2)} ms)`);
  console.log(`  written to build/bench.json`);
}

main().catch((e: Error) => {
  console.error(`plumb bench: ${e.message}`);
  process.exit(1);
});
