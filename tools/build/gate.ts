// The gate between asc and wasm2c. It refuses a firmware module that
//   - uses any f64 or i64 value (avr-gcc's double is 32 bits: such code compiles silently wrong,
//     and 64-bit integer arithmetic is slow), in an instruction, a local, a signature or a global;
//   - imports anything the C HAL does not provide (hal/hal.h), or from another module than "hal";
//   - allocates at run time (memory.grow, or the AssemblyScript allocator),
// and names the function responsible in each case.

import fs from "node:fs";
import path from "node:path";
import { run } from "./exec.ts";
import { ROOT } from "./paths.ts";

export interface Violation {
  /** The function (or global) that has it, by its AssemblyScript name. */
  where: string;
  what: string;
}

export class GateError extends Error {
  constructor(readonly violations: Violation[]) {
    super(
      "the firmware module breaks the firmware rules (i32/u32/f32 only, HAL imports only, no allocation):\n" +
        violations.map((v) => `  - ${v.where}: ${v.what}`).join("\n"),
    );
  }
}

/** The imports the C HAL provides: every `hal_<name>(` prototype in hal/hal.h's import block. */
export function halImports(): Set<string> {
  const header = fs.readFileSync(path.join(ROOT, "hal", "hal.h"), "utf8");
  const block = /BEGIN HAL IMPORTS([\s\S]*?)END HAL IMPORTS/.exec(header);
  if (!block) throw new Error("hal/hal.h: the BEGIN/END HAL IMPORTS block is missing");
  return new Set([...block[1].matchAll(/\bhal_(\w+)\s*\(/g)].map((m) => m[1]));
}

const WIDE = /\b[if]64\b|[if]64\.|_[if]64\b|_[if]64_/;

/** Names of functions by index, from `wasm-objdump -x` (imports first, then defined functions). */
function functionNames(details: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const m of details.matchAll(/^ - func\[(\d+)\] sig=\d+ <([^>]+)>/gm)) names.set(Number(m[1]), m[2]);
  return names;
}

export function checkModule(wasmFile: string, provided: Set<string> = halImports()): Violation[] {
  const details = run("wasm-objdump", ["-x", wasmFile]);
  const code = run("wasm-objdump", ["-d", wasmFile]);
  const violations: Violation[] = [];
  const names = functionNames(details);

  // Signatures: a type with a 64-bit parameter or result taints every function of that type.
  const wideTypes = new Set<number>();
  for (const m of details.matchAll(/^ - type\[(\d+)\] (.*)$/gm)) if (WIDE.test(m[2])) wideTypes.add(Number(m[1]));
  for (const m of details.matchAll(/^ - func\[(\d+)\] sig=(\d+) <([^>]+)>/gm)) {
    if (wideTypes.has(Number(m[2]))) violations.push({ where: m[3], what: "has a 64-bit parameter or result in its signature" });
  }

  // Imports.
  for (const m of details.matchAll(/^ - func\[(\d+)\] sig=\d+ <[^>]*> <- ([^.\s]+)\.(\S+)/gm)) {
    const [, index, module, name] = m;
    if (module !== "hal" || !provided.has(name)) {
      const callers = callersOf(code, Number(index));
      violations.push({
        where: callers.length ? callers.join(", ") : `import ${module}.${name}`,
        what: `calls ${module}.${name}, which the HAL does not provide (hal/hal.h lists what it does)`,
      });
    }
  }

  // Globals.
  for (const m of details.matchAll(/^ - global\[\d+\] ([if]64) [^<]*<([^>]+)>/gm)) {
    violations.push({ where: m[2], what: `is a ${m[1]} global` });
  }

  // Instructions and locals, function by function.
  let current = "";
  const seen = new Set<string>();
  for (const line of code.split("\n")) {
    const head = /^[0-9a-f]+ func\[(\d+)\] <([^>]+)>:/.exec(line);
    if (head) {
      current = head[2];
      continue;
    }
    const bar = line.indexOf("| ");
    if (bar < 0 || !current) continue;
    const instr = line.slice(bar + 2).trim();
    let what = "";
    if (WIDE.test(instr)) what = `uses ${instr.split(/\s+/).slice(0, 2).join(" ")}`;
    else if (instr.startsWith("memory.grow")) what = "grows memory (allocation at run time)";
    if (what) {
      const key = `${current}|${what}`;
      if (!seen.has(key)) {
        seen.add(key);
        violations.push({ where: current, what });
      }
    }
  }

  // The allocator: present only if something allocates.
  for (const [index, name] of names) {
    if (/^~lib\/rt\/.*\/(__alloc|__new|__renew|__realloc)$/.test(name)) {
      const callers = callersOf(code, index);
      violations.push({ where: callers.join(", ") || name, what: `allocates at run time (${name})` });
    }
  }
  return violations;
}

function callersOf(code: string, funcIndex: number): string[] {
  const callers = new Set<string>();
  let current = "";
  const call = new RegExp(`\\| call ${funcIndex}\\b`);
  for (const line of code.split("\n")) {
    const head = /^[0-9a-f]+ func\[\d+\] <([^>]+)>:/.exec(line);
    if (head) current = head[1];
    else if (call.test(line) && current) callers.add(current);
  }
  return [...callers];
}
