// The calibration math keeps to the firmware's rules (i32/u32/f32, no allocation): compiled
// through the same gate as the firmware module.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileModule } from "../../tools/build/module.ts";
import { ROOT } from "../../tools/build/paths.ts";

test("the calibration math (skew fit, circle fit, bed transform, verdict) passes the firmware's gate", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-calibration-gate-"));
  const m = await compileModule(path.join(ROOT, "tests/fixtures/calibrationMath.ts"), dir);
  assert.ok(fs.existsSync(m.wasmFile));
  // Its static tables: nine fit points and 24 edge points in f32, the 4x4 normal equations.
  assert.ok(m.memEnd - m.memBase < 1024, `calibration math uses ${m.memEnd - m.memBase} bytes of static memory`);
});
