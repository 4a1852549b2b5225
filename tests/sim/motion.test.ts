// Motion on the real image in simavr: positions from the step pins, speeds from step timestamps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSim, type StepEvent } from "../../tools/sim/run.ts";
import { SimSession } from "../../tools/sim/session.ts";
import { Host } from "./hostEmulator.ts";
import { measureLatency } from "../../tools/bench/latency.ts";

const F_CPU = 16e6;
const X = 0, Y = 1, Z = 2;

/** The steps of `axis` after the last pause of at least `gapMs` (the move under test). */
function lastMove(steps: StepEvent[], axis: number, gapMs = 100): StepEvent[] {
  const s = steps.filter((e) => e.axis === axis);
  let start = 0;
  for (let i = 1; i < s.length; i++) if ((s[i].cycle - s[i - 1].cycle) / F_CPU > gapMs / 1000) start = i;
  return s.slice(start);
}

/** Speed (mm/s) over windows of `w` steps: [time s, speed]. */
function speeds(s: StepEvent[], mmPerStep: number, w: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + w < s.length; i += w) {
    const dt = (s[i + w].cycle - s[i].cycle) / F_CPU;
    out.push([(s[i].cycle + s[i + w].cycle) / 2 / F_CPU, (w * mmPerStep) / dt]);
  }
  return out;
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0, sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
  }
  return sxy / sxx;
}

/**
 * After one G28 with Z unknown: Z was raised by its travel + 5 mm (215 mm) and the model's frame
 * stopped it at 212 mm, so from a start height z (mm) the motor skipped (z + 3) mm at 400
 * steps/mm against the top. That, and nothing else.
 */
function onlyTopStop(report: { violations: Record<string, { count: number; axis: number }> }, startZ = 20): void {
  for (const [k, v] of Object.entries(report.violations)) {
    if (k === "frameCollision") {
      assert.equal(v.count, Math.round((startZ + 3) * 400), "Z steps skipped at the top of the frame");
      assert.equal(v.axis, Z, "only Z met the frame");
    } else {
      assert.equal(v.count, 0, `${k} violations`);
    }
  }
}

/** The hotend at printing temperature: E moves are refused below 170 C (M302). */
const HOT = { temperatures: { hotend: 210 } };

test("homing ends on the X and Y switches, and Z homing where the probe switched", async () => {
  const r = await runSim({ input: "G28 X\nM119\nG28 Y\nM119\nG28 Z\nM119\nM114\n", scenario: { start: { x: 140, y: 60, z: 15 } } });
  const reports = r.stdout.split("Reporting endstop status\n").slice(1).map((b) => b.split("\nok")[0]);
  assert.match(reports[0], /x_min: TRIGGERED\ny_min: open\nz_probe: open/);
  assert.match(reports[1], /x_min: TRIGGERED\ny_min: TRIGGERED\nz_probe: open/);
  // Z homing moves X/Y to the probing point first: the switches open again, the probe is on.
  assert.match(reports[2], /x_min: open\ny_min: open\nz_probe: TRIGGERED/);
  assert.match(r.stdout, /X:114\.00 Y:-2\.00 Z:0\.40 E:0\.00 Count X:11400 Y:-200 Z:160/);
  assert.ok(Math.abs(r.report.axes.z.mm - 0.4) < 1e-9, `nozzle ${r.report.axes.z.mm} mm above the bed`);
  assert.equal(r.report.axes.x.mm, 114);
  onlyTopStop(r.report, 20); // started at 15, G28 X lifted 5 mm
});

test("a long sequence of mixed moves ends at the exact step counts, and M114 agrees with the model", async () => {
  const payloads = ["G28", "G90", "M83", "G1 Z5 F600"];
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 60; i++) {
    payloads.push(`G1 X${(60 + rnd() * 120).toFixed(2)} Y${(40 + rnd() * 120).toFixed(2)} E${(rnd() * 2).toFixed(3)} F${3000 + Math.round(rnd() * 9000)}`);
    if (i % 15 === 0) payloads.push(`G1 Z${(0.3 + rnd() * 5).toFixed(3)} F600`);
  }
  payloads.push("G1 X123.45 Y67.89 Z3.21 F6000", "M400");
  const session = await SimSession.start({ scenario: HOT });
  try {
    const host = new Host(session);
    await session.waitForLine(/^start$/);
    await host.resetLineNumbers();
    await host.stream(payloads, { lineTimeoutMs: 60_000 });
    const replies = await host.transact("M114");
    const m = /^X:(\S+) Y:(\S+) Z:(\S+) E:\S+ Count X:(-?\d+) Y:(-?\d+) Z:(-?\d+)$/.exec(replies[0])!;
    assert.deepEqual([m[1], m[2], m[3]], ["123.45", "67.89", "3.21"]);
    assert.deepEqual([Number(m[4]), Number(m[5]), Number(m[6])], [12345, 6789, 1284]);
    const { report } = await session.close();
    assert.equal(Math.round(report.axes.x.mm * 100), 12345);
    assert.equal(Math.round(report.axes.y.mm * 100), 6789);
    assert.equal(Math.round(report.axes.z.mm * 400), 1284);
    assert.equal(report.exit, "done");
    onlyTopStop(report);
  } finally {
    session.dispose();
  }
});

test("streaming 500 short segments at 115200 baud never lets the planner run dry", async () => {
  // Two turns of a 40 mm radius circle in 1 mm chords at 100 mm/s: the corners are gentle, so
  // any slowdown would be the planner waiting for the next line.
  const payloads = ["G28", "G90", "G1 Z1 F600", "G1 X160 Y100 F6000", "M400", "G4 P100"];
  const chords = 500;
  const radius = 40;
  const step = 1 / radius; // radians per 1 mm chord
  for (let i = 1; i <= chords; i++) payloads.push(`G1 X${(120 + radius * Math.cos(i * step)).toFixed(3)} Y${(100 + radius * Math.sin(i * step)).toFixed(3)}`);
  payloads.push("M400");
  // The harness plays the host: each line goes out as soon as the one before had its "ok".
  const r = await runSim({ input: payloads.join("\n") + "\n", paceByOk: true, traceSteps: true });
  const { report } = r;
  const steps = r.steps!;
  assert.equal(report.exit, "done");
  assert.equal(report.serial.oks, payloads.length);
  onlyTopStop(report);
  const xy = steps.filter((e) => e.axis === X || e.axis === Y);
  // The stream: after the G4 pause.
  let start = 0;
  for (let i = 1; i < xy.length; i++) if (xy[i].cycle - xy[i - 1].cycle > 0.08 * F_CPU) start = i;
  const stream = xy.slice(start);
  // The first and last steps leave and reach a standstill (one step alone takes ~3.6 ms there);
  // in between, the steps of the two axes together never stop.
  let worstGap = 0;
  for (let i = 50; i < stream.length - 50; i++) worstGap = Math.max(worstGap, stream[i].cycle - stream[i - 1].cycle);
  const seconds = (stream[stream.length - 1].cycle - stream[0].cycle) / F_CPU;
  assert.ok(seconds < 500 / 100 * 1.05, `500 mm at 100 mm/s took ${seconds.toFixed(2)} s`);
  assert.ok(worstGap / F_CPU < 0.002, `a ${(worstGap / F_CPU * 1000).toFixed(2)} ms pause between steps`);
  // After the first 5 mm (the start from rest), the path speed stays near 100 mm/s.
  const w = 100;
  let slowest = Infinity;
  for (let i = 500; i + w < stream.length - 500; i += w) {
    const dt = (stream[i + w].cycle - stream[i].cycle) / F_CPU;
    // Steps of both axes: |vx| + |vy| >= path speed >= (|vx| + |vy|) / sqrt(2).
    slowest = Math.min(slowest, (w * 0.01) / dt / Math.SQRT2);
  }
  assert.ok(slowest > 60, `path speed dropped to ${slowest.toFixed(1)} mm/s`);
});

test("the velocity profile follows the planned acceleration and cruise speed within 5%", async () => {
  const r = await runSim({ input: "G28\nG1 X20 Y100 F6000\nM400\nG4 P200\nG1 X220 F6000\nM400\n", traceSteps: true });
  const move = lastMove(r.steps!, X);
  assert.equal(move.length, 20000);
  const v = speeds(move, 0.01, 20);
  const cruise = 100; // F6000
  const accel = 1500; // M204 P default
  const middle = v.slice(Math.floor(v.length * 0.3), Math.floor(v.length * 0.7)).map((p) => p[1]);
  const mean = middle.reduce((a, b) => a + b, 0) / middle.length;
  assert.ok(Math.abs(mean - cruise) / cruise < 0.05, `cruise ${mean.toFixed(2)} mm/s`);
  assert.ok(Math.max(...middle) < cruise * 1.05, `cruise peaks at ${Math.max(...middle).toFixed(2)} mm/s`);
  const peak = v.findIndex((p) => p[1] > cruise * 0.9);
  const rampUp = v.slice(0, peak).filter((p) => p[1] > cruise * 0.1);
  const up = slope(rampUp);
  assert.ok(Math.abs(up - accel) / accel < 0.05, `acceleration ${up.toFixed(0)} mm/s^2`);
  const fall = v.length - 1 - [...v].reverse().findIndex((p) => p[1] > cruise * 0.9);
  const rampDown = v.slice(fall + 1).filter((p) => p[1] > cruise * 0.1);
  const down = slope(rampDown);
  assert.ok(Math.abs(-down - accel) / accel < 0.05, `deceleration ${(-down).toFixed(0)} mm/s^2`);
  onlyTopStop(r.report);
});

test("at the drivers' top rate (40,000 steps/s) the steps of a group come back to back, exact and never too short", async () => {
  // X alone at 400 mm/s, then X and Y together: every event steps the same axes, so the firmware
  // hands each group of 4 events to the HAL as one word and 3 repeats.
  const r = await runSim({ input: "G28\nG1 X20 Y20 F6000\nM400\nG4 P200\nG1 X220 F24000\nM400\nG4 P200\nG1 X40 Y200 F24000\nM400\n", traceSteps: true });
  assert.equal(r.report.exit, "done");
  onlyTopStop(r.report); // every pulse at least 1 us high and 1 us low, as the A4982 needs
  assert.equal(Math.round(r.report.axes.x.mm * 100), 4000);
  assert.equal(Math.round(r.report.axes.y.mm * 100), 20000);
  const steps = r.steps!;
  const xs = steps.filter((e) => e.axis === X);
  let gap = 0;
  for (let i = 1; i < xs.length; i++) if ((xs[i].cycle - xs[i - 1].cycle) / F_CPU > 0.1) gap = i;
  const move = lastMove(xs.slice(0, gap), X);
  assert.equal(move.length, 20000);
  const v = speeds(move, 0.01, 400);
  const middle = v.slice(Math.floor(v.length * 0.4), Math.floor(v.length * 0.6)).map((p) => p[1]);
  const mean = middle.reduce((a, b) => a + b, 0) / middle.length;
  assert.ok(Math.abs(mean - 400) / 400 < 0.05, `cruise ${mean.toFixed(1)} mm/s`);
  // In the cruise, three steps in four follow the one before within 4 us (back to back).
  const cruise = move.slice(8000, 12000);
  let close = 0;
  for (let i = 1; i < cruise.length; i++) if (cruise[i].cycle - cruise[i - 1].cycle < 4e-6 * F_CPU) close++;
  assert.ok(close > cruise.length * 0.7, `${close} of ${cruise.length} steps back to back`);
  // The diagonal: 180 mm on both axes.
  const diagonal = lastMove(steps, Y);
  assert.equal(diagonal.length, 18000);
});

test("corner speeds stay within the junction-deviation limit", async () => {
  const square = "G1 X110 Y100\nG1 X110 Y110\nG1 X100 Y110\nG1 X100 Y100\n";
  const r = await runSim({ input: `G28\nG1 X100 Y100 F6000\nM400\nG4 P500\n${square.repeat(3)}M400\n`, traceSteps: true });
  // 90 degree corners: v = sqrt(a * JD * s / (1 - s)), s = sin(45 deg); a 1500 mm/s^2, JD 0.013 mm.
  const s = Math.sin(Math.PI / 4);
  const limit = Math.sqrt((1500 * 0.013 * s) / (1 - s));
  // After the pause: one axis rests while the other does a side (~0.13 s), less than this.
  const xs = lastMove(r.steps!, X, 300);
  const ys = lastMove(r.steps!, Y, 300);
  // Each run of one axis' steps is one side; its first and last steps are at the corners.
  let checked = 0;
  for (const axis of [xs, ys]) {
    let runStart = 0;
    for (let i = 1; i <= axis.length; i++) {
      if (i === axis.length || (axis[i].cycle - axis[i - 1].cycle) / F_CPU > 0.02) {
        const run = axis.slice(runStart, i);
        // The first side starts from rest, not from a corner.
        if (run.length >= 100 && runStart > 0) {
          // The step interval at each end of the side: the speed through the corner.
          const entry = 0.01 / ((run[1].cycle - run[0].cycle) / F_CPU);
          const exit = 0.01 / ((run[run.length - 1].cycle - run[run.length - 2].cycle) / F_CPU);
          assert.ok(entry <= limit * 1.05, `entering a side at ${entry.toFixed(2)} mm/s, limit ${limit.toFixed(2)}`);
          assert.ok(exit <= limit * 1.05, `leaving a side at ${exit.toFixed(2)} mm/s, limit ${limit.toFixed(2)}`);
          checked++;
        }
        runStart = i;
      }
    }
  }
  assert.ok(checked >= 9, `${checked} sides checked`);
  // The corners are not taken from a standstill either: lookahead keeps the speed up.
  const cornerGaps = xs.slice(1).map((e, i) => (e.cycle - xs[i].cycle) / F_CPU).filter((g) => g > 0.02);
  assert.ok(cornerGaps.every((g) => g < 0.2), "no stop longer than a side's traverse");
  onlyTopStop(r.report);
});

test("an X endstop that never closes: homing gives up with an error, and the simulator warns on stderr that the carriage hit the frame", async () => {
  const r = await runSim({ input: "G28 X\n", scenario: { deadEndstops: ["x"] } });
  assert.match(r.stdout, /^Error:Homing X failed: the endstop never triggered \(check the switch and its cable\)$/m);
  const collisions = r.report.violations.frameCollision.count;
  assert.ok(collisions > 0, "the model saw the carriage pushed into the frame");
  assert.match(r.stderr, new RegExp(`^plumbsim: warning: ${collisions} x carriages driven into the frame \\(frameCollision\\), the first at [\\d.]+ ms on axis x$`, "m"));
  // Only the warning for what happened.
  assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("plumbsim: warning:")).length, 1, r.stderr);
});

test("with Z unknown and a probe that never switches, G28 ends in an error and the fault with the nozzle above the bed", async () => {
  // The nozzle starts 3 mm over the bed: searching down the whole travel from there (as before)
  // pressed it 200 mm into the bed.
  const r = await runSim({ input: "G28\nG1 X50 F6000\nM114\n", scenario: { deadProbe: true, start: { x: 100, y: 100, z: 3 } } });
  assert.match(r.stdout, /^Error:Homing Z failed: the probe never triggered \(debris on the nozzle\? probe connected\? bed there\?\); stopped above the bed$/m);
  assert.match(r.stdout, /^Error:Printer stopped due to errors\. Fix the error and use M999 to restart\.$/m);
  assert.equal(r.report.violations.bedCrash.count, 0, "the nozzle never went below the bed");
  // The search ended at its floor, 0.1 mm over the bed.
  assert.ok(Math.abs(r.report.axes.z.mm - 0.1) < 1e-9, `nozzle ${r.report.axes.z.mm} mm above the bed`);
  // The fault refuses the move after it.
  assert.match(r.stdout, /^Error:Printer halted by a fault \(.*\); not executed: ".*"\. M999 clears the fault\.$/m);
  assert.equal(r.report.axes.x.mm, 114);
  onlyTopStop(r.report, 3);
});

test("a G1 from rest starts stepping on its first segment, before its handler has filled the segment ring", async () => {
  // Filling all 16 segments first (~8 ms of soft-float) used to come before the first step.
  const l = await measureLatency();
  assert.ok(l.commandToFirstStepMs < l.commandMs, `first step ${l.commandToFirstStepMs} ms after the G1 started, its handler took ${l.commandMs} ms`);
});
