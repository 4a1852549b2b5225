// The gate between asc and wasm2c refuses what avr-gcc would compile silently wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { compileModule } from "../../tools/build/module.ts";
import { GateError } from "../../tools/build/gate.ts";
import { ROOT } from "../../tools/build/paths.ts";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "plumb-gate-"));

test("a module with an f64 instruction is refused, naming the function", async () => {
  await assert.rejects(compileModule(path.join(ROOT, "tests/fixtures/wideTypes.ts"), tmp()), (e: unknown) => {
    assert.ok(e instanceof GateError, `expected a GateError, got ${e}`);
    const f64 = e.violations.filter((v) => /f64/.test(v.what));
    assert.ok(f64.some((v) => v.where.endsWith("halfFeedrate")), `no f64 violation names halfFeedrate:\n${e.message}`);
    assert.match(e.message, /halfFeedrate: uses f64\./);
    return true;
  });
});

test("i64 arithmetic and HAL imports that do not exist are refused by name", async () => {
  await assert.rejects(compileModule(path.join(ROOT, "tests/fixtures/wideTypes.ts"), tmp()), (e: unknown) => {
    assert.ok(e instanceof GateError);
    assert.ok(e.violations.some((v) => v.where.endsWith("stepCount64") && /i64/.test(v.what)), e.message);
    assert.ok(e.violations.some((v) => v.where.endsWith("ignite") && /hal\.launchRocket/.test(v.what)), e.message);
    return true;
  });
});

test("a module that keeps to i32/f32 and HAL imports passes the gate", async () => {
  const m = await compileModule(path.join(ROOT, "tests/fixtures/clean.ts"), tmp());
  assert.ok(fs.existsSync(m.wasmFile));
  assert.equal(m.memBase, 16);
  assert.ok(m.memEnd >= m.memBase + 8, `linear memory end ${m.memEnd} does not cover the 8-byte scratch area`);
});

test("the firmware module itself passes the gate", async () => {
  const m = await compileModule(path.join(ROOT, "assembly/index.ts"), tmp());
  assert.ok(m.texts.texts.includes("start"), "the banner text is in the flash text table");
});
