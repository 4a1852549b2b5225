// M45, the XYZ calibration, on the real image in simavr (issue 10's acceptance): on the perfect,
// mildly skewed (0.2 degrees) and extremely skewed (1 degree) printers it ends with the right
// verdict, and G1 moves to the corners of a 180 mm square in world coordinates then put the nozzle
// within 0.1 mm of those bed points, judged against the printer model's truth. The failure cases
// are in calibrationFailures.test.ts (a separate file, so the two run side by side). The same
// procedures run in the faster host runner in tests/host/calibration.test.ts.
//
// Cost: one M45 here is about 250 s of simulated time, 60-110 s of real time on the project's
// 2-core machine (simavr runs 2.5-4x faster than the printer while other tests share the cores).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { runSim, type StepEvent } from "../../tools/sim/run.ts";
import type { Scenario } from "../../tools/sim/config.ts";
import { loadBoard } from "../../tools/build/board.ts";

const board = loadBoard("minirambo");

function scenario(name: string): Scenario {
  return JSON.parse(fs.readFileSync(path.join("tests", "scenarios", `${name}.json`), "utf8")) as Scenario;
}

/** Corners of a 180 mm square on the bed, world mm (inside the 250 x 210 printable area). */
const CORNERS: [number, number][] = [[40, 10], [220, 10], [220, 190], [40, 190]];

/** An axis' step count (the harness's trace: the model's carriage in steps) at a simulated cycle. */
function stepsAt(steps: StepEvent[], axis: number, cycle: number): number {
  let at = 0;
  for (const e of steps) {
    if (e.cycle > cycle) break;
    if (e.axis === axis) at = e.position;
  }
  return at;
}

const VERDICTS: [string, RegExp][] = [
  ["perfect", /X\/Y axes are perpendicular/],
  ["skew-mild", /X\/Y axes are slightly skewed/],
  ["skew-extreme", /skew will be corrected automatically/],
];

for (const [name, verdict] of VERDICTS) {
  test(`in simavr, M45 on the ${name} printer ends with its verdict, and G1 to the corners of a 180 mm square lands within 0.1 mm of the true bed points`, async () => {
    const lines = ["G28", "M45", "G1 Z5 F3000"];
    for (const [x, y] of CORNERS) lines.push(`G1 X${x} Y${y} F6000`, "M400");
    lines.push("M114");
    const r = await runSim({ scenario: scenario(name), input: lines.join("\n") + "\n", paceByOk: true, traceSteps: true, traceInput: true, timeoutSeconds: 60, maxSeconds: 900 });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /Error/);
    assert.match(r.stdout, verdict);
    assert.match(r.stdout, /Searching bed calibration point 4 of 4/);
    assert.match(r.stdout, /Improving bed calibration point 9 of 9/);
    assert.match(r.stdout, /Measuring reference height 9 of 9/);
    const t = r.report.truth;
    assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
    assert.equal(r.report.violations.bedCrash.count, 0);
    // The trace counts steps; the report's mm is the model's carriage at the end. X and Y never
    // run into the frame (their switches close first), so mm = steps / steps-per-mm + a constant.
    const spm = [board.motion.stepsPerMm.x, board.motion.stepsPerMm.y];
    const axes = [r.report.axes.x, r.report.axes.y];
    const origin = axes.map((a, k) => a.mm - a.steps / spm[k]);
    const g = t.geometry;
    const ax = (g.xAxisDeg * Math.PI) / 180, ay = (g.yAxisDeg * Math.PI) / 180;
    CORNERS.forEach(([x, y], k) => {
      // Paced by "ok": the line after corner k's M400 reached the firmware once that move had ended.
      const cycle = r.lineEnds![3 + 2 * k + 2];
      const [mx, my] = [0, 1].map((a) => origin[a] + stepsAt(r.steps!, a, cycle) / spm[a]);
      // The model's geometry (tools/sim/model/geometry.ts): the bed point under the nozzle.
      const bx = Math.cos(ax) * mx - Math.sin(ay) * my - g.shiftXMm;
      const by = Math.sin(ax) * mx + Math.cos(ay) * my - g.shiftYMm;
      assert.ok(Math.hypot(bx - x, by - y) <= 0.1, `G1 X${x} Y${y} put the nozzle over ${bx.toFixed(3)}, ${by.toFixed(3)}`);
    });
    // M114 reports the world position asked for, not the carriages'.
    assert.match(r.stdout, /X:40\.00 Y:190\.00 Z:5\.00/);
  });
}
