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

/** The steps of the move that starts after the last pause of at least `gapS` seconds. */
function lastMove(steps: StepEvent[], gapS: number): StepEvent[] {
  let start = 0;
  for (let i = 1; i < steps.length; i++) if ((steps[i].cycle - steps[i - 1].cycle) / F_CPU > gapS) start = i;
  return steps.slice(start);
}

/** Steps per second of `axis` over the middle half of `steps`. */
function middleRate(steps: StepEvent[], axis: number): number {
  const t0 = steps[0].cycle;
  const t1 = steps[steps.length - 1].cycle;
  const w0 = t0 + 0.25 * (t1 - t0);
  const w1 = t0 + 0.75 * (t1 - t0);
  return (steps.filter((s) => s.axis === axis && s.cycle >= w0 && s.cycle < w1).length * F_CPU) / (w1 - w0);
}

test("the serial link loses no byte while X and Y step at 40 kHz and the host streams at full speed", async (t) => {
  // The ATmega2560's receiver holds two bytes (UDR0's two-level buffer) while a third arrives:
  // a byte is lost only if the receive interrupt is held off for two byte times. Interrupts do
  // not nest, so the step interrupt's longest call is what holds it off: it must stay under
  // 2 x 10 bits at 115200 baud = 173.6 us = 2,777 cycles. (simavr's receive queue is 64 bytes
  // deep and never overruns, so the bound is checked on the measured interrupt durations, and
  // the echoes check that the firmware, with its buffers, drops nothing.)
  const BYTE_CYCLES = (10 / 115200) * F_CPU;
  const Y = 1;
  const mkLine = (n: number) => `N${n} M118 E1 stream ${n} 0123456789abcdefghij`;
  const withSum = (s: string) => {
    let cs = 0;
    for (let i = 0; i < s.length; i++) cs ^= s.charCodeAt(i);
    return `${s}*${cs}`;
  };
  const LINES = 400;
  // The MK2's highest acceleration (M201's 9000 mm/s^2), so most of the move cruises.
  const input = ["G28 X Y", "G90", "M204 S9000", "G1 X5 Y5 F12000", "M400", "G4 P200", "M110 N0"];
  // 40,000 steps/s on each axis: 400 mm/s at 100 steps/mm, on the diagonal F = 400 * sqrt2 * 60.
  input.push("G1 X205 Y205 F33941");
  for (let n = 1; n <= LINES; n++) input.push(withSum(mkLine(n)));
  const r = await runSim({
    input: input.join("\n") + "\n",
    paceByOk: true,
    traceSteps: true,
    traceIsr: true,
    scenario: { start: { x: 3, y: -1, z: 100 } },
    timeoutSeconds: 20,
  });
  assert.equal(r.report.exit, "done", r.stderr);

  const move = lastMove(r.steps!, 0.15);
  const xRate = middleRate(move, X);
  const yRate = middleRate(move, Y);
  assert.ok(xRate > 39000 && yRate > 39000, `X ${xRate.toFixed(0)}, Y ${yRate.toFixed(0)} steps/s: the move did not reach 40 kHz`);
  // Lines were sent back to back from the move's "ok" on; the run ends with the last line's
  // "ok", after the move's last step: the stream covered the whole move.
  assert.ok(r.report.cycles > move[move.length - 1].cycle, "the stream ended before the move");

  for (let n = 1; n <= LINES; n++) assert.ok(r.stdout.includes(`echo:stream ${n} 0123456789abcdefghij\n`), `line N${n} was not executed intact`);
  assert.doesNotMatch(r.stdout, /Resend|Error/);
  assert.equal(r.report.serial.oks, r.report.serial.oksExpected);

  const during = r.isr!.filter((c) => c.start >= move[0].cycle && c.start <= move[move.length - 1].cycle);
  const longest = Math.max(...during.map((c) => c.cycles));
  assert.ok(during.length > 2000, `only ${during.length} step interrupts during the move`);
  t.diagnostic(`longest step interrupt during the move: ${longest} cycles (${during.length} calls)`);
  assert.ok(longest < 2 * BYTE_CYCLES, `a step interrupt took ${longest} cycles: the receiver overruns after ${Math.floor(2 * BYTE_CYCLES)}`);
});
