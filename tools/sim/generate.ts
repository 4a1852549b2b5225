// Random printers for accuracy suites: `randomPrinters(count, seed)` draws scenarios within the
// ranges below, repeatably for a seed. As a command:
//   npx tsx tools/sim/generate.ts --count 20 --seed 1 --out build/scenarios
// writes printer-001.json ... (the seed and the draw are in each file's $comment).

import fs from "node:fs";
import path from "node:path";
import type { Scenario } from "./config.ts";

/** The ranges printers are drawn from (uniformly), with where each comes from. */
export const RANDOM_PRINTER_RANGES = {
  /** X axis angle, degrees: small, as the X rail sits on the frame's machined plate (estimate). */
  xAxisDeg: [-0.3, 0.3],
  /** Y axis angle, degrees: up to 1.6, Prusa's blog seeing "4 to 8 times" its 0.2-degree accuracy on
   * average builds. */
  yAxisDeg: [-1.6, 1.6],
  /** Bed shift, mm: a few mm of assembly error (estimate; Prusa's firmware refuses shifts over 15 mm). */
  shiftXMm: [-3, 3],
  shiftYMm: [-3, 3],
  /** Bed height at the origin and tilt, mm and mm/mm: up to 0.5 mm across the 250 mm bed (estimate). */
  z0Mm: [-0.2, 0.2],
  slopeX: [-0.002, 0.002],
  slopeY: [-0.002, 0.002],
  /** SV06 warp (the corrected or the measured mesh), scaled: up to 1.5 times a real bed's warp. */
  warpScale: [0, 1.5],
  /** Sensor reach, relative: +-10 % around nominal (estimate; a 15 % weaker one fails over the meander). */
  sensitivity: [0.9, 1.1],
  /** Trigger noise, mm (estimate around the 0.005 mm typical, see tools/sim/scenario.ts). */
  noiseMm: [0.002, 0.01],
  /** Hysteresis, mm: Prusa's accepted 0.05-0.25 mm. */
  hysteresisMm: [0.05, 0.25],
  /** Sensor temperature, C: room temperature up to a warm PINDA over a preheated bed (estimate). */
  sensorTemperatureC: [22, 35],
} as const;

/** mulberry32: a tiny seeded PRNG, so the same seed gives the same printers (and test data) on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function randomPrinters(count: number, seed: number): Scenario[] {
  const next = mulberry32(seed);
  const R = RANDOM_PRINTER_RANGES;
  const draw = (range: readonly [number, number], digits = 4) => round(range[0] + (range[1] - range[0]) * next(), digits);
  const out: Scenario[] = [];
  for (let i = 0; i < count; i++) {
    const s: Scenario = {
      $comment: `random printer ${i + 1} of ${count}, seed ${seed} (tools/sim/generate.ts RANDOM_PRINTER_RANGES)`,
      geometry: { xAxisDeg: draw(R.xAxisDeg), yAxisDeg: draw(R.yAxisDeg), shiftXMm: draw(R.shiftXMm, 3), shiftYMm: draw(R.shiftYMm, 3) },
      bed: {
        z0: draw(R.z0Mm),
        slopeX: draw(R.slopeX, 6),
        slopeY: draw(R.slopeY, 6),
        warp: { preset: next() < 0.5 ? "sv06-corrected" : "sv06-measured", scale: draw(R.warpScale, 3) },
      },
      probe: {
        sensitivity: draw(R.sensitivity),
        noiseMm: draw(R.noiseMm),
        hysteresisMm: draw(R.hysteresisMm),
        temperatureC: draw(R.sensorTemperatureC, 1),
        seed: 1 + Math.floor(next() * 2 ** 31),
      },
    };
    out.push(s);
  }
  return out;
}

function main(argv: string[]): void {
  let count = 10;
  let seed = 1;
  let outDir = "build/scenarios";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--count") count = Number(argv[++i]);
    else if (a === "--seed") seed = Number(argv[++i]);
    else if (a === "--out") outDir = argv[++i];
    else throw new Error(`unknown option ${a} (--count N --seed S --out DIR)`);
  }
  if (!(count > 0 && Number.isInteger(count))) throw new Error("--count needs a positive whole number");
  fs.mkdirSync(outDir, { recursive: true });
  randomPrinters(count, seed).forEach((s, i) => {
    fs.writeFileSync(path.join(outDir, `printer-${String(i + 1).padStart(3, "0")}.json`), JSON.stringify(s, null, 2) + "\n");
  });
  console.log(`${count} printers in ${outDir}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename ?? "")) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`generate: ${(e as Error).message}`);
    process.exit(1);
  }
}
