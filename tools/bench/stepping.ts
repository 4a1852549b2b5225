// Step-interrupt benchmarks in simavr cycles.
//
// Two images of the same firmware, built for a bench variant of the board that allows high step
// rates (the MK2's own limit is 40 kHz): one with the module's step interrupt (AssemblyScript
// through wasm2c), one with tools/bench/reference_stepper.c, the same algorithm by hand in C,
// running on the same data. Each case runs a real G-code move; the harness times every step
// interrupt; the figures come from the middle of the move, where it cruises.

import fs from "node:fs";
import path from "node:path";
import { ROOT, BUILD } from "../build/paths.ts";
import { loadBoard, type Board } from "../build/board.ts";
import { buildImage } from "../build/firmware.ts";
import type { CompiledModule } from "../build/module.ts";
import { runSim, type IsrCall, type StepEvent } from "../sim/run.ts";

export const F_CPU = 16e6;

/** The MiniRambo, with the step-rate ceiling, feedrates and accelerations opened up. */
export function benchBoard(): Board {
  const b = structuredClone(loadBoard("minirambo"));
  b.motion.maxStepRateHz = 400000;
  b.motion.maxFeedrateMmS.x = b.motion.maxFeedrateMmS.y = 2000;
  b.motion.maxAccelMmS2.x = b.motion.maxAccelMmS2.y = 100000;
  b.motion.accelMmS2 = b.motion.travelAccelMmS2 = 50000;
  // G28 with Z unknown raises Z by its travel first (motion/homing.ts): fast here, so each run's
  // homing takes ~2 s of simulated time instead of ~35.
  b.motion.maxFeedrateMmS.z = b.motion.homingFeedrateMmS.z = 150;
  return b;
}

export interface BenchImages {
  wasm: string;
  c: string;
  board: Board;
}

export function buildBenchImages(compiled: CompiledModule): BenchImages {
  const board = benchBoard();
  const dir = path.join(BUILD, "bench");
  const wasm = buildImage({ board: "minirambo", boardData: board, genDir: path.join(dir, "wasm", "gen"), outDir: path.join(dir, "wasm") }, compiled);
  const c = buildImage(
    {
      board: "minirambo",
      boardData: board,
      genDir: path.join(dir, "c", "gen"),
      outDir: path.join(dir, "c"),
      extraFlags: ["-DPLUMB_REFERENCE_STEPPER", `-I${path.join(ROOT, "tools", "bench")}`],
    },
    compiled,
  );
  return { wasm: wasm.hex, c: c.hex, board };
}

export interface MoveMeasure {
  /** Step-interrupt calls in the window and their mean cost. */
  calls: number;
  cyclesPerCall: number;
  /** Share of the CPU the step interrupt took in the window. */
  cpuPercent: number;
  /** Steps per second of each axis that moved, in the window. */
  rates: number[];
  steps: StepEvent[];
  /** The longest single step interrupt of the whole run (homing included), cycles. */
  worstCycles: number;
}

/** Runs `move` after homing and a pause; measures the middle 60% of the move. */
export async function measureMove(hex: string, board: Board, move: string): Promise<MoveMeasure> {
  const input = `G28\nG1 Z5 F600\nG1 X5 Y5 F12000\nM400\nG4 P100\n${move}\nM400\n`;
  // Carriages start near their switches, so homing takes little simulated time.
  const scenario = { start: { x: 3, y: -1, z: 6 }, temperatures: { hotend: 210 } }; // hot: E below 170 C is refused
  const r = await runSim({ hex, boardData: board, scenario, input, paceByOk: true, traceSteps: true, traceIsr: true, timeoutSeconds: 30 });
  if (r.report.exit !== "done") throw new Error(`bench run ended "${r.report.exit}": ${r.stderr}\n${r.stdout.slice(-500)}`);
  const all = r.steps!;
  let start = 0;
  for (let i = 1; i < all.length; i++) if (all[i].cycle - all[i - 1].cycle > 0.08 * F_CPU) start = i;
  const moveSteps = all.slice(start);
  const t0 = moveSteps[0].cycle;
  const t1 = moveSteps[moveSteps.length - 1].cycle;
  const w0 = t0 + 0.2 * (t1 - t0);
  const w1 = t0 + 0.8 * (t1 - t0);
  const calls = r.isr!.filter((c: IsrCall) => c.start >= w0 && c.start < w1);
  const cycles = calls.reduce((a, c) => a + c.cycles, 0);
  const rates: number[] = [];
  for (let axis = 0; axis < 4; axis++) {
    const n = moveSteps.filter((s) => s.axis === axis && s.cycle >= w0 && s.cycle < w1).length;
    if (n > 0) rates.push((n * F_CPU) / (w1 - w0));
  }
  const worstCycles = r.isr!.reduce((m, c) => Math.max(m, c.cycles), 0);
  return { calls: calls.length, cyclesPerCall: cycles / calls.length, cpuPercent: (100 * cycles) / (w1 - w0), rates, steps: moveSteps, worstCycles };
}

/** G-code of the bench cases, at `rate` steps/s of the busiest axis (board: 100 steps/mm X/Y). */
export const CASES = {
  /** X alone. */
  x: (rate: number) => `G1 X250 F${((rate / 100) * 60).toFixed(0)}`,
  /** X and Y at 45 degrees: both step on every event. */
  xyDiagonal: (rate: number) => `G1 X200 Y200 F${((rate / 100) * Math.SQRT2 * 60).toFixed(0)}`,
  /** X and Y at 2:1: Y on Bresenham. */
  xyBresenham: (rate: number) => `G1 X205 Y105 F${((rate / 100) * Math.sqrt(1.25) * 60).toFixed(0)}`,
  /** X, Y, Z and E together: Y, Z, E on Bresenham (a printing move with a Z change). */
  xyze: (rate: number) => `M83\nG1 X205 Y105 Z25 E50 F${((rate / 100) * (Math.hypot(200, 100, 20) / 200) * 60).toFixed(0)}`,
};

/**
 * Are two step traces the same steps on the same schedule? Edges may be late by the latency of
 * another interrupt (serial, the millisecond clock), differently in each image; the schedule
 * itself (compare-match times) is exact, so lateness never accumulates.
 */
export function sameSteps(a: StepEvent[], b: StepEvent[]): boolean {
  if (a.length !== b.length) return false;
  const JITTER = 400; // cycles: an interrupt or two in the way
  for (let i = 1; i < a.length; i++) {
    if (a[i].axis !== b[i].axis || a[i].position !== b[i].position) return false;
    if (Math.abs(a[i].cycle - a[0].cycle - (b[i].cycle - b[0].cycle)) > JITTER) return false;
  }
  return true;
}

/**
 * The highest of `rates` (per axis) the case sustains with the step interrupt taking at most half
 * the CPU and the busiest axis stepping at the commanded rate (within 2%). Every rate is tried:
 * the cost is not monotonic, as events are grouped per interrupt at higher rates.
 */
export async function maxSustainedRate(
  hex: string,
  board: Board,
  moveOf: (rate: number) => string,
  rates: number[],
): Promise<{ rate: number; cpuPercent: number; worstCycles: number }> {
  let best = { rate: 0, cpuPercent: 0, worstCycles: 0 };
  for (const rate of rates) {
    const m = await measureMove(hex, board, moveOf(rate));
    best.worstCycles = Math.max(best.worstCycles, m.worstCycles);
    const achieved = Math.max(...m.rates); // the busiest axis; the others follow by Bresenham
    if (m.cpuPercent <= 50 && achieved >= rate * 0.98 && rate > best.rate) best = { ...best, rate, cpuPercent: m.cpuPercent };
  }
  return best;
}

/** from, from + step, ..., to. */
export function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let r = from; r <= to; r += step) out.push(r);
  return out;
}

export function writeJson(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
}
