// Measured bed data from the SV06 seed (../shared/seeds/bed-leveling-experiments-sv06.txt, Gary
// Dyrkacz, 2025): Klipper meshes of a real bed, 10 x 10 probe points at X 27..210 and Y 12..205
// (probe coordinates), rows here front (Y 12) first. Scenarios scale them onto the printable area
// of the simulated bed (tools/sim/scenario.ts).

export interface MeasuredGrid {
  /** Where the first and last column and row were measured, mm. */
  xMm: [number, number];
  yMm: [number, number];
  /** Heights, mm, rows front first, columns left first. */
  rows: number[][];
  source: string;
}

const SV06_X: [number, number] = [27, 210];
const SV06_Y: [number, number] = [12, 205];

/** Listed in the seed back row first; returned front row first. */
function frontFirst(backFirst: number[][]): number[][] {
  return backFirst.slice().reverse();
}

export const SV06_PRESETS: Record<string, MeasuredGrid> = {
  /** The mesh after shimming and tramming, as the probe measured it ("what I thought would be the
   * final mesh"); first layers printed with it came out uneven. */
  "sv06-measured": {
    xMm: SV06_X,
    yMm: SV06_Y,
    source: "SV06 seed, the shimmed bed's mesh (range 0.175 mm)",
    rows: frontFirst([
      [0.016, 0.01, -0.01, 0.013, -0.037, -0.04, -0.065, -0.078, -0.084, -0.027],
      [0.001, -0.008, -0.039, -0.02, -0.048, -0.047, -0.073, -0.079, -0.086, -0.036],
      [0.034, 0.018, -0.023, -0.005, -0.042, -0.043, -0.076, -0.076, -0.068, -0.03],
      [0.039, 0.032, -0.007, -0.002, -0.043, -0.041, -0.068, -0.069, -0.067, -0.025],
      [0.045, 0.03, -0.008, -0.007, -0.061, -0.053, -0.073, -0.067, -0.059, -0.015],
      [0.036, 0.031, -0.005, -0.001, -0.047, -0.041, -0.072, -0.062, -0.067, -0.018],
      [0.02, 0.01, -0.028, -0.018, -0.055, -0.045, -0.07, -0.06, -0.068, -0.018],
      [0.011, 0.013, -0.046, -0.044, -0.076, -0.063, -0.085, -0.073, -0.075, -0.04],
      [-0.039, -0.042, -0.1, -0.086, -0.104, -0.094, -0.104, -0.091, -0.081, -0.091],
      [-0.035, -0.054, -0.112, -0.1, -0.13, -0.109, -0.117, -0.111, -0.104, -0.092],
    ]),
  },
  /** The same bed after six hours of hand corrections until first layers came out even: the
   * heights the nozzle needed, so the best available picture of the true surface. */
  "sv06-corrected": {
    xMm: SV06_X,
    yMm: SV06_Y,
    source: "SV06 seed, the hand-corrected final mesh",
    rows: frontFirst([
      [-0.083, -0.05, -0.05, -0.018, -0.067, -0.07, -0.095, -0.108, -0.164, -0.175],
      [-0.07, -0.068, -0.069, -0.04, -0.068, -0.067, -0.093, -0.099, -0.165, -0.176],
      [0.024, -0.018, -0.033, -0.015, -0.052, -0.053, -0.086, -0.086, -0.122, -0.151],
      [0.029, 0.022, -0.012, -0.007, -0.048, -0.046, -0.073, -0.074, -0.085, -0.135],
      [0.035, 0.02, -0.008, -0.007, -0.061, -0.053, -0.073, -0.067, -0.074, -0.135],
      [0.026, 0.021, -0.005, -0.001, -0.047, -0.041, -0.072, -0.062, -0.068, -0.132],
      [0.01, 0.0, -0.028, -0.018, -0.055, -0.045, -0.07, -0.06, -0.058, -0.114],
      [0.001, 0.003, -0.046, -0.044, -0.076, -0.063, -0.085, -0.073, -0.083, -0.106],
      [-0.004, -0.062, -0.1, -0.086, -0.104, -0.094, -0.104, -0.091, -0.091, -0.121],
      [0.029, -0.074, -0.127, -0.11, -0.13, -0.109, -0.127, -0.121, -0.103, -0.131],
    ]),
  },
  /** Bed at 60 C (hotend 120 C) minus bed at about 17.5 C: the thermal warp (the back sags). */
  "sv06-thermal": {
    xMm: SV06_X,
    yMm: SV06_Y,
    source: "SV06 seed, mesh at E120/B60 minus mesh at ~17.5 C",
    rows: frontFirst([
      [-0.154, -0.119, -0.092, -0.075, -0.072, -0.077, -0.097, -0.113, -0.144, -0.174],
      [-0.105, -0.078, -0.062, -0.047, -0.045, -0.05, -0.071, -0.077, -0.114, -0.141],
      [-0.069, -0.047, -0.034, -0.022, -0.021, -0.029, -0.036, -0.033, -0.038, -0.063],
      [-0.035, -0.017, -0.006, -0.001, -0.003, -0.008, -0.009, -0.01, 0.003, -0.006],
      [-0.019, -0.004, 0.007, 0.012, 0.011, 0.004, 0.01, 0.011, 0.015, 0.024],
      [-0.006, 0.008, 0.015, 0.021, 0.021, 0.015, 0.021, 0.02, 0.029, 0.033],
      [-0.011, 0.006, 0.014, 0.016, 0.016, 0.01, 0.02, 0.026, 0.021, 0.024],
      [-0.013, 0.003, 0.011, 0.016, 0.012, 0.008, 0.014, 0.022, 0.002, 0.01],
      [-0.028, -0.009, 0.002, 0.01, 0.01, 0.008, 0.015, 0.016, 0.0, 0.013],
      [-0.029, -0.005, 0.013, 0.019, 0.022, 0.021, 0.028, 0.029, -0.011, 0.011],
    ]),
  },
};

/** What the probe saw minus what the nozzle needed (sv06-measured - sv06-corrected): a location
 * bias of up to 0.148 mm that no amount of probing reveals. */
SV06_PRESETS["sv06-hand-correction"] = {
  xMm: SV06_X,
  yMm: SV06_Y,
  source: "SV06 seed, measured minus hand-corrected mesh",
  rows: SV06_PRESETS["sv06-measured"].rows.map((row, r) =>
    row.map((v, c) => Math.round((v - SV06_PRESETS["sv06-corrected"].rows[r][c]) * 1e6) / 1e6),
  ),
};

/** Klipper's AXIS_TWIST_COMPENSATION_CALIBRATE on the SV06 (seed): offsets [0.0356, 0.0343,
 * -0.0699] mm at probe X 27, 110, 193. Klipper adds them to probed heights to correct them, so the
 * probe's own error is their negative. One row: the bias depends on X only. */
SV06_PRESETS["sv06-x-twist"] = {
  xMm: [27, 193],
  yMm: [12, 205],
  source: "SV06 seed, Klipper X axis twist calibration (negated)",
  rows: [[-0.035556, -0.034306, 0.069861]],
};
