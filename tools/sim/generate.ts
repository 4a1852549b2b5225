// Random printers for accuracy suites: `randomPrinters(count, seed)` draws scenarios within the
// ranges below, repeatably for a seed. As a command:
//   npx tsx tools/sim/generate.ts --count 20 --seed 1 --out build/scenarios
// writes printer-001.json ... (the seed and the draw are in each file's $comment).

import fs from "node:fs";
import path from "node:path";
import type { GridSpec, Scenario } from "./config.ts";
import { resolveGrid } from "./scenario.ts";
import { loadBoard } from "../build/board.ts";

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
  /** How far the bed's surface under the probe at the homing point (bed X 137, Y 7: the front-centre
   * target) sits from where the top of the frame says, mm. Only the first G28 after power-on uses
   * that height (homing.ts: Z known from the frame's top, the search's floor 0.1 mm over the bed
   * expected there); every height after it is measured from where the probe switched. The frame's
   * height is a measured constant of the printer (homing.ts Z_TOP_ABOVE_TRAVEL_MM), so what
   * varies is its error: Z homing's repeatability and the frame's thermal growth (estimate). The
   * bed's plane is drawn through that point: z0 (its height at bed 0, 0) follows from the slopes
   * and the warp. (Drawn as z0 +-0.2 mm at bed 0, 0 instead, the homing point's height spanned
   * -0.55 to +0.3 mm, a frame constant 0.5 mm wrong, and 12 of 40 printers could not home.) */
  homingPointHeightMm: [-0.05, 0.05],
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

/** Where the probe is over the bed while Z homes, mm (board.json probe.safeHomeMm). */
const HOMING_PROBE_BED_MM: [number, number] = [137, 7];

/** A bed grid's height at (x, y), mm, bilinear between its nodes (the model interpolates with
 * Catmull-Rom: a few micrometres apart on these meshes, well inside the homing height's range). */
function warpAt(spec: GridSpec, [x, y]: [number, number]): number {
  const g = resolveGrid(spec, loadBoard("minirambo"));
  const cols = g.rows[0].length, rows = g.rows.length;
  const u = Math.min(Math.max(((x - g.xMm[0]) / (g.xMm[1] - g.xMm[0])) * (cols - 1), 0), cols - 1);
  const v = Math.min(Math.max(((y - g.yMm[0]) / (g.yMm[1] - g.yMm[0])) * (rows - 1), 0), rows - 1);
  const c = Math.min(Math.floor(u), cols - 2), r = Math.min(Math.floor(v), rows - 2);
  const tu = u - c, tv = v - r;
  const at = (rr: number, cc: number) => g.rows[rr][cc];
  const front = at(r, c) * (1 - tu) + at(r, c + 1) * tu;
  const back = at(r + 1, c) * (1 - tu) + at(r + 1, c + 1) * tu;
  return (front * (1 - tv) + back * tv) * g.scale;
}

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
        z0: draw(R.homingPointHeightMm),
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
    const bed = s.bed!;
    bed.z0 = round(bed.z0! - bed.slopeX! * HOMING_PROBE_BED_MM[0] - bed.slopeY! * HOMING_PROBE_BED_MM[1] - warpAt(bed.warp!, HOMING_PROBE_BED_MM), 4);
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
