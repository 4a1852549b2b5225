// Post-processing of wasm2c output for the ATmega2560.
//
// Stock wasm2c output is written for 64-bit hosts: every load/store computes
// `addr + (uint64_t)len > mem->size` (64-bit arithmetic on an 8-bit CPU), every call bumps a
// depth counter, memory is allocated in 64 KiB pages, data segments are SRAM arrays copied again
// into memory, and all state hangs off an instance pointer. The result is 3-4x slower and does
// not fit. This pass rewrites the C text into:
//   - one static instance: globals become file-level statics, no instance pointer is passed;
//   - linear memory = a static array covering [MEM_BASE, MEM_END), the addresses the module uses;
//   - loads/stores as plumb_load/plumb_store(addr, offset) with one 32-bit compare against a
//     compile-time bound (hal/wasm/plumb_rt.h), which avr-gcc drops when it can prove the range;
//   - data segments in PROGMEM, copied once with memcpy_P;
//   - imports as direct calls to hal_<name>() (hal/hal.h), so hot ones inline;
//   - no depth counting, no function-type registration, our own trap.
//   - functions the firmware names "...Cold" stay out of line (noinline, cold): a hot caller such as
//     the step interrupt then keeps a small register set instead of inheriting the cold path's.
// It is deliberately strict: anything it does not recognise stops the build with the line.

export interface PostProcessInput {
  /** wasm2c's .c and .h for module name `module`. */
  source: string;
  header: string;
  module: string;
  /** Lowest address the module uses (asc --memoryBase) and its __heap_base. */
  memBase: number;
  memEnd: number;
}

export interface PostProcessResult {
  c: string;
  /** Exported function names (as in the wasm), now callable as fw_<name>(). */
  exports: string[];
  /** Bytes of static data copied from flash at start. */
  dataBytes: number;
}

export class PostProcessError extends Error {}

/** wasm2c escapes names: 'Z' becomes "ZZ", other non-identifier bytes "Z" + two hex digits. */
export function unmangle(s: string): string {
  return s.replace(/Z(Z|[0-9A-F]{2})/g, (_, x: string) => (x === "Z" ? "Z" : String.fromCharCode(parseInt(x, 16))));
}

function mangle(s: string): string {
  return s.replace(/[^A-Za-z0-9_]|Z/g, (ch) => (ch === "Z" ? "ZZ" : "Z" + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")));
}

export function postProcess(input: PostProcessInput): PostProcessResult {
  const mod = mangle(input.module);
  const inst = `Z_${mod}_instance_t`;
  const { source, header } = input;

  // 1. The instance struct becomes file-level statics.
  const struct = new RegExp(`typedef struct ${inst} \\{([\\s\\S]*?)\\} ${inst};`).exec(header);
  if (!struct) throw new PostProcessError(`wasm2c header: no struct ${inst}`);
  const statics: string[] = [];
  for (const raw of struct[1].split("\n")) {
    const field = raw.trim();
    if (!field) continue;
    if (/^struct Z_\w+_instance_t\* Z_\w+_instance;$/.test(field)) {
      if (!/^struct Z_hal_instance_t\*/.test(field)) throw new PostProcessError(`imports from a module other than "hal": ${field}`);
      continue;
    }
    if (field === "wasm_rt_memory_t w2c_M0;" || field === "char dummy_member;") continue;
    const m = /^(u32|s32|f32|u8|u16) (w2c_\w+);$/.exec(field);
    if (!m) throw new PostProcessError(`unsupported instance field (tables, 64-bit or multiple memories are not allowed in the firmware): ${field}`);
    statics.push(`static ${m[1]} ${m[2]};`);
  }

  // 2. Cut wasm2c's prelude; keep from the module's own definitions on.
  const start = source.indexOf("static bool s_module_initialized");
  if (start < 0) throw new PostProcessError("wasm2c source: module body not found");
  let body = source.slice(start);

  // 3. Drop what the firmware does not use: function types, init/instantiate/free entry points.
  body = dropBlock(body, /static bool s_module_initialized = false;\n/);
  body = dropBlock(body, /static u32 func_types\[\d+\];\n/);
  body = dropFunction(body, "static void init_func_types(void)");
  body = dropFunction(body, `static void init_instance_import(${inst}* instance`);
  body = dropFunction(body, `void Z_${mod}_init_module(void)`);
  body = dropFunction(body, `void Z_${mod}_instantiate(${inst}* instance`);
  body = dropFunction(body, `void Z_${mod}_free(${inst}* instance)`);

  // 4. Exports: wasm2c's wrappers become fw_<name>, static inline.
  const exports: string[] = [];
  body = body.replace(
    new RegExp(`/\\* export: '([^']+)' \\*/\\n(\\w+) Z_${mod}Z_(\\w+)\\(${inst}\\* instance(?:, )?([^)]*)\\) \\{`, "g"),
    (_all, name: string, ret: string, _mangled: string, params: string) => {
      exports.push(name);
      return `/* export: '${name}' */\nstatic inline ${ret} fw_${name}(${params || "void"}) {`;
    },
  );

  // 5. Instance plumbing.
  body = body
    .replace(new RegExp(`\\(${inst}\\* ?instance, `, "g"), "(")
    .replace(new RegExp(`\\(${inst} ?\\*instance, `, "g"), "(")
    .replace(new RegExp(`\\(${inst}\\* ?instance\\)`, "g"), "(void)")
    .replace(new RegExp(`\\(${inst} ?\\*instance\\)`, "g"), "(void)")
    .replace(new RegExp(`\\(${inst}\\*, `, "g"), "(")
    .replace(new RegExp(`\\(${inst}\\*\\)`, "g"), "(void)");

  // 6. Imports: (*Z_halZ_name)(instance->Z_hal_instance, args) -> hal_name(args).
  body = body.replace(/\(\*Z_halZ_(\w+)\)\(instance->Z_hal_instance(?:, )?/g, (_all, name: string) => `hal_${unmangle(name)}(`);

  // 7. Memory accesses: NAME(&instance->w2c_M0, (u64)(X) + N, ...) -> NAME(X, N, ...).
  let dataBytes = 0;
  body = body.replace(
    /\b((?:i32|f32)_(?:load|store)(?:8_[su]|16_[su]|8|16)?)\(&instance->w2c_M0, \(u64\)\((w2c_\w+)\)(?: \+ (\d+)u?)?/g,
    (_all, fn: string, addr: string, off?: string) => `${fn}(${addr}, ${off ?? "0"}u`,
  );
  body = body
    .replace(/memory_fill\(&instance->w2c_M0, /g, "memory_fill(")
    .replace(/memory_copy\(&instance->w2c_M0, &instance->w2c_M0, /g, "memory_copy(");

  // 8. Data segments live in flash and are copied once at start.
  body = body.replace(/static const u8 (data_segment_data_\w+)\[\] = \{/g, "static const u8 $1[] PROGMEM = {");
  body = body.replace(/  wasm_rt_allocate_memory\(&instance->w2c_M0, \d+, \d+\);\n/, "");
  body = body.replace(/LOAD_DATA\(instance->w2c_M0, (\d+)u, (data_segment_data_\w+), (\d+)\);/g, (_all, off: string, seg: string, n: string) => {
    dataBytes += Number(n);
    return `plumb_load_data(${off}u, ${seg}, ${n}u);`;
  });

  // 9. Out-of-line functions.
  body = body.replace(/^static (\w+) (w2c_\w+Cold)\(/gm, "static __attribute__((noinline, cold)) $1 $2(");

  // 10. Globals.
  body = body.replace(/instance->(w2c_\w+)/g, "$1");
  body = body.replace(/\b(w2c_\w+)\(instance, /g, "$1(").replace(/\b(w2c_\w+)\(instance\)/g, "$1()");
  body = body.replace(/\b(init_\w+)\(instance\)/g, "$1()");

  const leftovers = body.split("\n").filter((l) => /\binstance\b|\bwasm_rt_|\bLOAD_DATA\b|CALL_INDIRECT|\(u64\)/.test(l));
  if (leftovers.length) {
    throw new PostProcessError(`wasm2c output has constructs the AVR post-processing does not handle:\n${leftovers.slice(0, 10).join("\n")}`);
  }
  for (const fn of ["init_globals", "init_memories", "init_data_instances"]) {
    if (!body.includes(`static void ${fn}(void)`)) body += `\nstatic void ${fn}(void) {}\n`;
  }

  const memBase = input.memBase;
  const memEnd = Math.max(input.memEnd, memBase + 4);
  const c = [
    `/* Generated by tools/build/wasm2avr.ts from wasm2c output of the "${input.module}" module. Do not edit. */`,
    `#define PLUMB_MEM_BASE ${memBase}u`,
    `#define PLUMB_MEM_END ${memEnd}u`,
    `#include "hal.h"`,
    `#include "wasm/plumb_rt.h"`,
    "",
    "/* Linear memory: only the addresses the module uses; zeroed by the C start-up code. */",
    "u8 plumb_memory[PLUMB_MEM_SIZE];",
    "",
    "/* Module globals. */",
    ...statics,
    "",
    body.trimEnd(),
    "",
    "/* Instantiation: globals, then data segments from flash. */",
    "static void fw_instantiate(void) {",
    "  init_globals();",
    "  init_memories();",
    "  init_data_instances();",
    "}",
    "",
  ].join("\n");
  return { c, exports, dataBytes };
}

function dropBlock(body: string, re: RegExp): string {
  return body.replace(re, "");
}

/** Removes a function definition starting with `signature` up to its closing brace at column 0. */
function dropFunction(body: string, signature: string): string {
  const at = body.indexOf(signature);
  if (at < 0) return body;
  const end = body.indexOf("\n}\n", at);
  if (end < 0) throw new PostProcessError(`unterminated function ${signature}`);
  return body.slice(0, at) + body.slice(end + 3);
}
