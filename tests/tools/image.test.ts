// What the post-processing promises about the generated C, and the image's size limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { boardGenDir, boardBuildDir } from "../../tools/build/paths.ts";
import { checkLimits, SizeError, FLASH_LIMIT, SRAM_STATIC_LIMIT, type SizeReport } from "../../tools/build/avr.ts";
import { postProcess, PostProcessError, unmangle } from "../../tools/build/wasm2avr.ts";

const generated = () => fs.readFileSync(path.join(boardGenDir("minirambo"), "plumb_module.c"), "utf8");

test("memory accesses are 32-bit, checked against a compile-time bound, with no 64-bit arithmetic", () => {
  const c = generated();
  assert.doesNotMatch(c, /\bu64\b|\bs64\b|\(uint64_t\)/, "no 64-bit values in the module's C");
  assert.match(c, /^#define PLUMB_MEM_END \d+u$/m);
  assert.match(c, /i32_load\w*\(w2c_\w+, \d+u\)/, "loads take a 32-bit address and a constant offset");
  const rt = fs.readFileSync(path.join(import.meta.dirname, "../../hal/wasm/plumb_rt.h"), "utf8");
  assert.match(rt, /#define PLUMB_IN_RANGE\(addr, off, n\)/);
  assert.doesNotMatch(rt, /uint64_t|u64/);
});

test("data segments stay in flash and the call-depth counter is gone", () => {
  const c = generated();
  const segments = [...c.matchAll(/static const u8 (data_segment_data_\w+)\[\] PROGMEM = \{/g)];
  assert.ok(segments.length > 0, "the firmware has data segments");
  assert.doesNotMatch(c, /static const u8 data_segment_data_\w+\[\] = \{/, "no data segment in SRAM");
  assert.match(c, /plumb_load_data\(\d+u, data_segment_data_\w+, \d+u\);/);
  assert.doesNotMatch(c, /wasm_rt_call_stack_depth|WASM_RT_USE_STACK_DEPTH_COUNT/);
  assert.doesNotMatch(c, /\binstance\b/, "one static instance: no instance pointer left");
});

test("linear memory is exactly what the module uses", () => {
  const size = JSON.parse(fs.readFileSync(path.join(boardBuildDir("minirambo"), "size.json"), "utf8")) as SizeReport;
  const c = generated();
  const base = Number(/#define PLUMB_MEM_BASE (\d+)u/.exec(c)![1]);
  const end = Number(/#define PLUMB_MEM_END (\d+)u/.exec(c)![1]);
  assert.equal(size.linearMemoryBytes, end - base);
  assert.ok(size.sramStaticBytes < SRAM_STATIC_LIMIT && size.flashBytes < FLASH_LIMIT);
});

test("an image over 240 KiB of flash or 6 KiB of static SRAM is refused with the reason", () => {
  const ok: SizeReport = { board: "b", flashBytes: 100000, sramStaticBytes: 3000, linearMemoryBytes: 2000, flashPercent: 0, sramPercent: 0 };
  checkLimits(ok);
  assert.throws(() => checkLimits({ ...ok, flashBytes: FLASH_LIMIT + 1 }), (e: unknown) => e instanceof SizeError && /flash use 245761 B exceeds the 245760 B limit/.test(e.message));
  assert.throws(() => checkLimits({ ...ok, sramStaticBytes: SRAM_STATIC_LIMIT + 1 }), (e: unknown) => e instanceof SizeError && /static SRAM 6145 B exceeds the 6144 B limit/.test(e.message));
});

test("the post-processing refuses wasm2c output it does not understand", () => {
  const header = "typedef struct Z_m_instance_t {\n  wasm_rt_funcref_table_t w2c_T0;\n} Z_m_instance_t;";
  assert.throws(() => postProcess({ source: "static bool s_module_initialized = false;\n", header, module: "m", memBase: 16, memEnd: 32 }), PostProcessError);
  assert.equal(unmangle("serialZZWrite"), "serialZWrite");
  assert.equal(unmangle("aZ2Fb"), "a/b");
});
