// npm run bench: figures measured in simavr CPU cycles (exact and repeatable), never wall time.
// Builds the default board and the two bench images, runs the benchmarks, prints them and
// writes build/bench.json.

import path from "node:path";
import { BUILD, DEFAULT_BOARD } from "../build/paths.ts";
import { compileFirmwareModule, buildBoardImage } from "../build/firmware.ts";
import { buildSimulator } from "../sim/build.ts";
import { runSim } from "../sim/run.ts";
import { formatSize } from "../build/avr.ts";
import { benchHeaters } from "./heaters.ts";
import { measurePanel } from "./panel.ts";
import { buildBenchImages, measureMove, maxSustainedRate, range, sameSteps, CASES, writeJson, F_CPU } from "./stepping.ts";
import { loadBoard } from "../build/board.ts";

/** Markers written to GPIOR0 (hal/avr/hal_inline.h, gcode/executor.ts, motion/planner.ts). */
const MARK = { boot: "1", instantiated: "2", setupDone: "3", planStart: "18", planEnd: "19" };
/** Events per second at which the per-call costs are measured: one event per interrupt. */
const CALL_RATE = 5000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const compiled = await compileFirmwareModule();
  const build = buildBoardImage(DEFAULT_BOARD, compiled);
  await buildSimulator();
  const images = buildBenchImages(compiled);
  const log = (s: string) => console.log(s);

  // Start-up.
  const boot = await runSim({ input: "" });
  const m = boot.report.markers;
  for (const id of [MARK.boot, MARK.instantiated, MARK.setupDone]) if (!m[id]) throw new Error(`marker ${id} missing from the boot run`);
  const moduleStartCycles = m[MARK.instantiated].cycles[0] - m[MARK.boot].cycles[0];
  const setupCycles = m[MARK.setupDone].cycles[0] - m[MARK.instantiated].cycles[0];

  // Planner: 1 mm chords of a circle at 100 mm/s, streamed as a host does; the planner's own
  // cycles per move (step-interrupt time inside the window subtracted).
  const chords = ["G28", "G90", "G1 Z1 F600", "G1 X160 Y100 F6000"];
  for (let i = 1; i <= 200; i++) chords.push(`G1 X${(120 + 40 * Math.cos(i / 40)).toFixed(3)} Y${(100 + 40 * Math.sin(i / 40)).toFixed(3)}`);
  chords.push("M400");
  const planRun = await runSim({ input: chords.join("\n") + "\n", paceByOk: true, timeoutSeconds: 30 });
  const ps = planRun.report.markers[MARK.planStart];
  const pe = planRun.report.markers[MARK.planEnd];
  const planCycles = ps.cycles.map((c, i) => pe.cycles[i] - c - (pe.isrCycles[i] - ps.isrCycles[i])).slice(-200);
  const plannerCyclesPerMove = median(planCycles);

  // Step interrupt: cycles per call, wasm2c and hand-written C, one event per interrupt.
  const cases = [
    ["isrCycles1Axis", "X alone", CASES.x],
    ["isrCycles2Axes", "X+Y at 2:1 (Y on Bresenham)", CASES.xyBresenham],
    ["isrCycles2AxesDiagonal", "X+Y at 45 degrees (both every event)", CASES.xyDiagonal],
    ["isrCycles4Axes", "X+Y+Z+E (Y, Z, E on Bresenham)", CASES.xyze],
  ] as const;
  const isr: Record<string, number> = {};
  const isrC: Record<string, number> = {};
  let wasmTotal = 0;
  let cTotal = 0;
  for (const [key, , move] of cases) {
    const w = await measureMove(images.wasm, images.board, move(CALL_RATE));
    const c = await measureMove(images.c, images.board, move(CALL_RATE));
    if (!sameSteps(w.steps, c.steps)) throw new Error(`${key}: the C reference stepped differently from the firmware`);
    isr[key] = Math.round(w.cyclesPerCall);
    isrC[key] = Math.round(c.cyclesPerCall);
    wasmTotal += w.cyclesPerCall;
    cTotal += c.cyclesPerCall;
  }
  const wasmToCRatio = Math.round((wasmTotal / cTotal) * 1000) / 1000;

  // Highest sustained step rates with the interrupt at <= 50% CPU. Up to 100k steps/s: the
  // bench board's 100 steps/mm and G1's ceiling of F60000 (1000 mm/s).
  const xRates = range(40000, 100000, 2000);
  const xyRates = range(40000, 70000, 2000); // F60000 on the diagonal is 70,711 steps/s per axis
  const xyBresRates = range(30000, 60000, 2000);
  const x = await maxSustainedRate(images.wasm, images.board, CASES.x, xRates);
  const xy = await maxSustainedRate(images.wasm, images.board, CASES.xyDiagonal, xyRates);
  const xyBres = await maxSustainedRate(images.wasm, images.board, CASES.xyBresenham, xyBresRates);
  const ceiling = (rate: number, tried: number[]) => (rate === tried[tried.length - 1] ? ", the highest rate G1 can ask for here" : "");
  const at40k = await measureMove(images.wasm, images.board, CASES.xyDiagonal(40000));
  const at40kBres = await measureMove(images.wasm, images.board, CASES.xyBresenham(40000));

  // The step interrupt's worst case: the longest single call (a whole burst of events included)
  // in whole runs, homing included. Interrupts do not nest, so this is how long the serial
  // receiver can be held off; it holds two bytes, so the budget is two byte times at 115200 baud.
  // First the MK2 itself (its 40 kHz ceiling, the image npm run build makes), each case at 40k.
  const mk2 = loadBoard(DEFAULT_BOARD);
  let worstMk2 = { cycles: 0, where: "" };
  for (const [, what, move] of cases) {
    const m = await measureMove(build.hex, mk2, move(40000));
    if (m.worstCycles > worstMk2.cycles) worstMk2 = { cycles: m.worstCycles, where: what };
  }
  // Then the bench board, up to 100k steps/s: every run above.
  const worstBench = Math.max(at40k.worstCycles, at40kBres.worstCycles, x.worstCycles, xy.worstCycles, xyBres.worstCycles);
  const serialBudgetCycles = Math.floor((2 * 10 * F_CPU) / 115200);

  const heaterLines: string[] = [];
  const heaters = await benchHeaters((s) => heaterLines.push(s));
  const results = {
    board: DEFAULT_BOARD,
    flashBytes: build.size.flashBytes,
    sramStaticBytes: build.size.sramStaticBytes,
    linearMemoryBytes: build.size.linearMemoryBytes,
    moduleStartCycles,
    setupCycles,
    plannerCyclesPerMove,
    ...isr,
    referenceC: isrC,
    wasmToCRatio,
    maxStepRateX: x.rate,
    maxStepRateXCpuPercent: round1(x.cpuPercent),
    maxStepRateXY: xy.rate,
    maxStepRateXYCpuPercent: round1(xy.cpuPercent),
    maxStepRateXYBresenham: xyBres.rate,
    cpuPercentXY40k: round1(at40k.cpuPercent),
    cpuPercentXY40kBresenham: round1(at40kBres.cpuPercent),
    isrWorstCycles: worstMk2.cycles,
    isrWorstCase: worstMk2.where,
    isrWorstCyclesBenchBoard: worstBench,
    serialBudgetCycles,
    ...heaters,
    panel: await measurePanel(),
  };
  writeJson(path.join(BUILD, "bench.json"), results);

  log(`plumb bench (${DEFAULT_BOARD}, simavr cycles at ${F_CPU / 1e6} MHz)`);
  log(formatSize(build.size));
  log(`  module start              ${String(moduleStartCycles).padStart(8)} cycles  (globals, data segments from flash)`);
  log(`  setup() incl. banner      ${String(setupCycles).padStart(8)} cycles`);
  log(`  planner, per move         ${String(plannerCyclesPerMove).padStart(8)} cycles  (median of 200 1 mm chords at 100 mm/s, lookahead over 16 blocks)`);
  log(`  step interrupt per call at ${CALL_RATE} events/s (wasm2c | hand-written C):`);
  for (const [key, what] of cases) log(`    ${what.padEnd(40)} ${String(isr[key]).padStart(5)} | ${String(isrC[key]).padStart(5)}  ${key}`);
  log(`  wasm2c / C                ${wasmToCRatio.toFixed(3)}  (sum of the four cases; both images step identically)`);
  log(`  max step rate, <= 50% CPU, steps/s per axis:`);
  log(`    X alone                 ${String(x.rate).padStart(8)}  (${x.cpuPercent.toFixed(1)}% CPU${ceiling(x.rate, xRates)})  maxStepRateX`);
  log(`    X+Y at 45 degrees       ${String(xy.rate).padStart(8)}  (${xy.cpuPercent.toFixed(1)}% CPU${ceiling(xy.rate, xyRates)})  maxStepRateXY`);
  log(`    X+Y at 2:1 (Bresenham)  ${String(xyBres.rate).padStart(8)}  (${xyBres.cpuPercent.toFixed(1)}% CPU, X's rate${ceiling(xyBres.rate, xyBresRates)})`);
  log(`  X+Y at 40,000 steps/s each: ${at40k.cpuPercent.toFixed(1)}% CPU at 45 degrees, ${at40kBres.cpuPercent.toFixed(1)}% at 2:1 (X at 40k)`);
  log(`  step interrupt, longest call (cycles; serial receiver's budget ${serialBudgetCycles} = two bytes at 115200 baud):`);
  log(`    ${DEFAULT_BOARD} at 40k steps/s    ${String(worstMk2.cycles).padStart(8)}  (${((worstMk2.cycles / F_CPU) * 1e6).toFixed(1)} us, ${worstMk2.where}, homing included)  isrWorstCycles`);
  log(`    bench board up to 100k   ${String(worstBench).padStart(8)}  (${((worstBench / F_CPU) * 1e6).toFixed(1)} us)  isrWorstCyclesBenchBoard`);
  for (const l of heaterLines) log(l);
  log(`  front panel: display call ${results.panel.displayCallCyclesMedian} cycles median, ${results.panel.displayCallCyclesMax} max; menu redraw after a click ${results.panel.menuRedrawCycles} cycles in ${results.panel.menuRedrawCalls} calls`);
  log(await (await import("./latency.ts")).latencyLine()); // tools/bench/latency.ts
  log(`  written to build/bench.json`);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

main().catch((e: Error) => {
  console.error(`plumb bench: ${e.stack ?? e.message}`);
  process.exit(1);
});
