// Stopping on the host HAL: M112 while a move runs, what the display and the serial link say after.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter } from "../../hal/host/hal.ts";

const X = 0;

test("M112 during a move stops the carriage, shows the reason on the display and refuses moves until reset", async () => {
  const p = await HostPrinter.boot();
  p.command("G28");
  p.takeOutput();
  p.send("G1 X200 F600\n");
  p.runFor(2000);
  const moving = p.axisSteps(X);
  p.runFor(100);
  assert.ok(p.axisSteps(X) > moving, "X is moving");
  p.send("M112\n");
  p.runFor(30);
  const stopped = p.axisSteps(X);
  p.runFor(1000);
  assert.equal(p.axisSteps(X), stopped, "no step after the stop");
  assert.ok(p.axisMm(X) < 200, `X stopped at ${p.axisMm(X)} mm, short of the move's end`);
  const out = p.takeOutput();
  assert.match(out, /Error:Emergency stop \(M112\): steppers off, printer halted\nError:Printer halted\. Reset the printer to continue\.\n/);
  // The fault's notice, then (a click) the status screen, both with the reason.
  assert.deepEqual(p.lcdRows().map((r) => r.trimEnd()), ["Printer halted:", "EMERGENCY STOP", "Reset to restart", "Click to continue"]);
  p.click();
  const rows = p.lcdRows();
  assert.match(rows[2], /^Halted/);
  assert.match(rows[3], /^EMERGENCY STOP/);
  assert.match(p.command("G1 X10"), /^Error:Printer halted by a fault \(Emergency stop \(M112\)[^)]*\); not executed: "G1 X10"\. Reset the printer to continue\.\nok\n$/);
  assert.match(p.command("M999"), /^Error:M999 cannot clear this fault/);
  assert.match(p.command("M105"), /^ok T:/);
});

test("M112 while a command waits for room in a full planner: the move it was about to queue never runs", async () => {
  const p = await HostPrinter.boot();
  p.command("G28");
  p.takeOutput();
  // G28 with Z unknown drives Z against the top of the frame on purpose (homing.ts): that is the
  // one violation allowed, and it must not grow.
  const afterHoming = [0, 1, 2, 3, 4, 5].map((k) => p.model.violations(k));
  assert.deepEqual(afterHoming.filter((_, k) => k !== 4), [0, 0, 0, 0, 0]);
  // 20 slow moves: 16 fill the planner, the 17th waits for room inside G1, the rest queue up.
  let moves = "";
  for (let i = 0; i < 20; i++) moves += `G1 X${i % 2 ? 20 : 200} F600\n`;
  p.send(moves);
  p.runFor(3000);
  p.send("M112\n");
  p.runFor(50);
  const stopped = p.axisSteps(X);
  p.runFor(3000);
  assert.equal(p.axisSteps(X), stopped, "no step after the stop");
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((k) => p.model.violations(k)), afterHoming, "no step reached a disabled driver, nothing new hit anything");
  assert.match(p.takeOutput(), /Error:Emergency stop \(M112\)/);
});
