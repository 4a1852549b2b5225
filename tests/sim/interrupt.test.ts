// The step interrupt's contract with the main loop (hal/avr/main.c, assembly/motion/stepper.ts),
// on the real image in simavr.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSim, type StepEvent } from "../../tools/sim/run.ts";

const F_CPU = 16e6;
const X = 0;

/** Gaps (s) between consecutive steps of `axis` that belong to one move (closer than `moveGapS`). */
function stepGaps(steps: StepEvent[], axis: number, moveGapS: number): number[] {
  const s = steps.filter((e) => e.axis === axis);
  const gaps: number[] = [];
  for (let i = 1; i < s.length; i++) {
    const dt = (s[i].cycle - s[i - 1].cycle) / F_CPU;
    if (dt < moveGapS) gaps.push(dt);
  }
  return gaps;
}

test("a move that starts while the interrupt idles keeps every step interval, whatever the phase of the idle re-poll", async () => {
  // While idle the interrupt polls the module every 0xffff timer ticks (32.77 ms). A move whose
  // segments that poll picks up before prepare() calls stepperWake() must not be woken again:
  // a wake that overwrites the compare the poll scheduled cuts an interval short, and a HAL that
  // still believes the interrupt idles does it again at every segment prepare() adds. Dwells of
  // 0..34 ms between short moves walk the moves' start across the whole poll period.
  const lines = ["G28 X", "G91", "G4 P50"];
  for (let k = 0; k <= 34; k++) lines.push(`G1 X${k % 2 ? -2 : 2} F600`, `G4 P${k}`);
  const r = await runSim({ input: lines.join("\n") + "\n", paceByOk: true, traceSteps: true, scenario: { start: { x: 3, y: 100, z: 100 } }, timeoutSeconds: 20 });
  assert.equal(r.report.exit, "done", r.stderr);
  // The moves under test follow homing and its 50 ms pause.
  const all = r.steps!;
  const first = all.findIndex((e, i) => i > 0 && (e.cycle - all[i - 1].cycle) / F_CPU >= 0.045);
  assert.ok(first > 0, "no pause after homing in the step trace");
  const gaps = stepGaps(all.slice(first), X, 0.02);
  // 35 moves of 200 steps; at F600 and 100 steps/mm the fastest step rate is 1000/s (1 ms apart);
  // acceleration only lengthens intervals. 0.9 ms leaves room for another interrupt's latency.
  assert.ok(gaps.length >= 35 * 199 - 35, `only ${gaps.length} step intervals traced`);
  const short = gaps.filter((g) => g < 0.0009);
  assert.deepEqual(short.map((g) => Math.round(g * 1e6)), [], "step intervals (us) shorter than the 1 ms the moves ask for");
});
