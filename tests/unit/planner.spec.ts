// The planner, the segment generator and the position bookkeeping, run directly against the test
// HAL (the MiniRambo's board table: X/Y 100 steps/mm, Z 400, E 161.3; accel 1500 mm/s^2,
// junction deviation 0.013 mm). Nothing here steps a motor: the specs call the step interrupt
// themselves and count what it would have pulsed.
import * as planner from "../../assembly/motion/planner";
import { B } from "../../assembly/motion/planner";
import * as stepper from "../../assembly/motion/stepper";
import * as motion from "../../assembly/motion/motion";
import * as settings from "../../assembly/settings/store";
import { AXES, E, X, Y, Z, initAxes, stepBit } from "../../assembly/motion/axes";

const target = memory.data(AXES * 4); // i32 steps
const targetMm = memory.data(AXES * 4); // f32 mm

function setup(): void {
  initAxes();
  stepper.initStepper();
  settings.loadDefaults();
  planner.clear();
  motion.initMotion();
}

/** Queues a move of X/Y (mm, absolute) at `speed` straight into the planner. */
function queueXY(x: f32, y: f32, speed: f32): bool {
  store<f32>(targetMm, x);
  store<f32>(targetMm + 4, y);
  store<f32>(targetMm + 8, 0);
  store<f32>(targetMm + 12, 0);
  store<i32>(target, <i32>Mathf.round(x * 100));
  store<i32>(target + 4, <i32>Mathf.round(y * 100));
  store<i32>(target + 8, 0);
  store<i32>(target + 12, 0);
  return planner.queueMove(target, targetMm, speed, 0);
}

function entrySpeed(n: u32): f32 {
  return Mathf.sqrt(load<f32>(planner.blockAt(n) + B.EntrySpeedSqr));
}

/** Runs the step interrupt (refilling segments) until idle: X steps pulsed and timer ticks spent. */
let xSteps: u32 = 0;
let ticks: f64 = 0;
function runInterrupt(): void {
  xSteps = 0;
  ticks = 0;
  const xBit = stepBit(X);
  for (let guard = 0; guard < 10000000; guard++) {
    stepper.prepare();
    const word = stepper.isr();
    const interval = word >>> 16;
    if (interval == stepper.STEP_IDLE) {
      if (planner.blocksQueued() == 0 || stepper.takeFinishedBlocks() == 0 && stepper.isIdle() && planner.startedBlocks() >= planner.blocksQueued()) break;
      continue;
    }
    ticks += <f64>interval;
    if ((word & xBit) != 0) xSteps += 1 + stepper.repeats();
  }
}

describe("planner", () => {
  it("plans a single move from a standstill that can stop at its end", () => {
    setup();
    expect(queueXY(10, 0, 100)).toBe(true);
    const b = planner.blockAt(0);
    expect(load<u32>(b + B.Events)).toBe(1000);
    expect(load<u32>(b + B.Steps)).toBe(1000, "X steps");
    expect(load<u32>(b + B.Steps + 4)).toBe(0, "Y steps");
    expect(load<f32>(b + B.NominalSpeed)).toBe(100);
    expect(entrySpeed(0)).toBe(0);
    expect(planner.positionSteps(X)).toBe(1000);
  });

  it("queues nothing for a move without steps", () => {
    setup();
    expect(queueXY(0, 0, 100)).toBe(false);
    expect(planner.blocksQueued()).toBe(0);
  });

  it("keeps the speed through a straight continuation and slows for a corner by junction deviation", () => {
    setup();
    queueXY(10, 0, 100);
    queueXY(20, 0, 100); // straight on
    queueXY(20, 10, 100); // 90 degrees
    queueXY(20, 20, 100);
    // Straight on: as fast as both blocks allow, and reachable from a standstill in 10 mm
    // (sqrt(2 * 1500 * 10) = 173 mm/s > 100).
    expect(Mathf.abs(entrySpeed(1) - 100)).toBeLessThan(<f32>0.01);
    // 90 degrees: v^2 = a * jd * sin(theta/2) / (1 - sin(theta/2)), sin 45 = 0.7071:
    // 1500 * 0.013 * 0.7071 / 0.2929 = 47.08 (mm/s)^2, v = 6.86 mm/s.
    expect(Mathf.abs(entrySpeed(2) - <f32>6.862)).toBeLessThan(<f32>0.01);
  });

  it("enters a full reversal at a standstill", () => {
    setup();
    queueXY(10, 0, 100);
    queueXY(0, 0, 100);
    expect(entrySpeed(1)).toBe(0);
  });

  it("lets every block slow down to the next one's entry speed, and the last one stop", () => {
    setup();
    // 20 chords of 0.5 mm straight on: lookahead may only be as fast as stopping within the
    // remaining distance allows: v^2 <= 2 a d.
    for (let i = 1; i <= 10; i++) queueXY(<f32>i * <f32>0.5, 0, 200);
    const n = planner.blocksQueued();
    for (let i: u32 = 0; i < n; i++) {
      const remaining = <f32>(n - i) * <f32>0.5;
      const v = entrySpeed(i);
      expect(v * v).toBeLessThanOrEqual(<f32>2 * <f32>1500 * remaining * <f32>1.0001, "stoppable");
    }
  });

  it("caps the speed at the axis' maximum feedrate and the step-rate ceiling", () => {
    setup();
    queueXY(100, 0, 1000);
    // X may do 500 mm/s (M203), but 40,000 steps/s at 100 steps/mm is 400 mm/s.
    expect(load<f32>(planner.blockAt(0) + B.NominalSpeed)).toBe(400);
  });
});

describe("segment generator", () => {
  it("pulses exactly the planned steps, in the time the trapezoid takes", () => {
    setup();
    queueXY(10, 0, 100);
    runInterrupt();
    expect(xSteps).toBe(1000);
    // Accelerate to 100 mm/s over 3.33 mm, cruise 3.33 mm, brake over 3.33 mm:
    // 2 * 100 / 1500 + 3.333 / 100 = 0.1667 s = 333,333 ticks of 0.5 us.
    const seconds = ticks / 2000000;
    expect(Math.abs(seconds - 0.16667)).toBeLessThan(0.16667 * 0.03, "within 3%");
  });

  it("runs a chain of blocks without losing a step", () => {
    setup();
    for (let i = 1; i <= 12; i++) queueXY(<f32>i * <f32>1.5, 0, 150);
    runInterrupt();
    expect(xSteps).toBe(1800);
  });
});

describe("position bookkeeping", () => {
  it("keeps G92 offsets when the steps per mm change, and moves the step count with them", () => {
    setup();
    motion.markHomed(X);
    motion.setNativePosition(X, 50);
    motion.setLogicalPosition(X, 0); // G92 X0
    expect(motion.logical(X)).toBe(0);
    settings.setAxisF32(settings.S.StepsPerMm, X, 200);
    motion.resyncSteps();
    expect(motion.logical(X)).toBe(0, "G92 offset kept");
    expect(motion.native(X)).toBe(50);
    expect(planner.positionSteps(X)).toBe(10000);
    expect(motion.executedSteps(X)).toBe(10000);
  });

  it("counts steps from the homed zero, whatever moved before homing", () => {
    setup();
    motion.setNativePosition(Y, 123); // steps since power-on: whatever
    motion.setNativePosition(Y, -4); // homed at -4
    expect(motion.executedSteps(Y)).toBe(-400);
    expect(motion.logical(Y)).toBe(-4);
  });

  it("keeps the flow share of E apart from what G-code counts", () => {
    setup();
    // G-code's E goes to 10 while the machine pushed 9 (M221 S90).
    motion.setExtrusionOffset(1);
    expect(motion.logical(E)).toBe(1);
    motion.setLogicalPosition(E, 0); // G92 E0 forgets it
    expect(motion.logical(E)).toBe(0);
    expect(motion.offsetOf(E)).toBe(0);
  });

  it("knows which step positions the counters can hold: 2^30 steps either way", () => {
    setup();
    expect(motion.withinStepRange(6656700, E)).toBe(true);
    expect(motion.withinStepRange(-6656700, E)).toBe(true);
    expect(motion.withinStepRange(6656850, E)).toBe(false);
    expect(motion.withinStepRange(<f32>NaN, E)).toBe(false);
    expect(motion.withinStepRange(2684354, Z)).toBe(true);
    expect(motion.withinStepRange(2684355, Z)).toBe(false);
  });
});
