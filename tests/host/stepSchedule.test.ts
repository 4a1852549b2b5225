// The host HAL runs the step interrupt by the module's scheduling policy (StepSchedule of
// assembly/motion/stepper.ts), as hal/avr/main.c does: here the interrupt is fed scripted words
// instead of the module's, to reach the rules a real move seldom needs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter } from "../../hal/host/hal.ts";
import { readStepSchedule } from "../../tools/build/board.ts";

const S = readStepSchedule();
const TICK_NS = 1e9 / S.TimerHz;

/** The printer's step interrupt, run once at `dueNs` on `words` (step bits | interval << 16). */
async function interruptOn(words: number[]): Promise<{ calls: number; nextNs: number; dueNs: number }> {
  const p = await HostPrinter.boot();
  const inner = p as any;
  let calls = 0;
  inner.fw = {
    stepperIsr: () => words[Math.min(calls++, words.length - 1)],
    stepperRepeats: () => 0,
  };
  const dueNs = 1_000_000_000;
  inner.nextTickNs = dueNs;
  inner.stepInterrupt();
  return { calls, nextNs: inner.nextTickNs as number, dueNs };
}

test("the host's step interrupt runs at most MaxBurst events at once, then slips the next by MinGapTicks", async () => {
  // Every word says "the next event right after this one": one interrupt takes MaxBurst of them.
  const r = await interruptOn([0x0001]);
  assert.equal(r.calls, S.MaxBurst);
  assert.ok(r.nextNs > r.dueNs, "the next event is left for a later interrupt");
  // It comes MinGapTicks after the interrupt's own work (one pass per event), not at once.
  const slip = r.nextNs - r.dueNs;
  assert.ok(slip >= S.MinGapTicks * TICK_NS, `the next interrupt only ${slip} ns after this one`);
});

test("the host's step interrupt takes an event due sooner than MinGapTicks at once, and schedules the others", async () => {
  const soon = Math.max(1, S.MinGapTicks - 20);
  const later = 2000; // ticks: 1 ms
  const r = await interruptOn([0x0001 | (soon << 16), 0x0001 | (later << 16)]);
  assert.equal(r.calls, 2, "the event due soon ran in the same interrupt");
  // The schedule keeps counting from when that event was due, not from when it ran.
  assert.equal(r.nextNs, r.dueNs + (soon + later) * TICK_NS);
});

test("the host's step interrupt goes idle on the idle word and wakes MinGapTicks after stepperWake()", async () => {
  const p = await HostPrinter.boot();
  const inner = p as any;
  inner.fw = { stepperIsr: () => S.IdleInterval << 16, stepperRepeats: () => 0 };
  inner.nextTickNs = inner.nowNs;
  inner.stepInterrupt();
  assert.equal(inner.stepperIdle, true);
  p.imports().stepperWake();
  assert.equal(inner.nextTickNs, inner.nowNs + S.MinGapTicks * TICK_NS);
});
