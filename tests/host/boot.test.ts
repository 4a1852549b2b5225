// The same firmware module runs in Node against the TypeScript HAL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter } from "../../hal/host/hal.ts";

test("the module boots on the host HAL with the same banner", async () => {
  const p = await HostPrinter.boot();
  assert.equal(p.output.split("\n").slice(0, 3).join("\n"), "start\necho:Plumb 0.1.0 on MiniRambo 1.3a (Prusa i3 MK2)\necho:reset by power-on");
});

test("a watchdog reset is reported as one", async () => {
  const p = await HostPrinter.boot({ resetCause: 8 });
  assert.match(p.output, /echo:reset by watchdog: the firmware stopped responding/);
});
