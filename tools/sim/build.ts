// Builds the simulated printer: the model (AssemblyScript -> wasm -> wasm2c, host C) linked with
// the simavr harness. Output: build/sim/plumbsim, and build/sim/printer.wasm for hal/host.

import asc from "assemblyscript/asc";
import fs from "node:fs";
import path from "node:path";
import { run } from "../build/exec.ts";
import { ROOT, SIM_DIR, SIM_BINARY, MODEL_WASM } from "../build/paths.ts";

const MODEL_SRC = path.join(ROOT, "tools", "sim", "model", "printer.ts");
const THERMAL_SRC = path.join(ROOT, "tools", "sim", "model", "thermal.ts");
const HARNESS_SRC = path.join(ROOT, "tools", "sim", "harness.c");
export { SIM_BINARY, MODEL_WASM };
const WASM_RT_DIR = "/usr/share/wabt/wasm2c";

function newerThan(out: string, inputs: string[]): boolean {
  if (!fs.existsSync(out)) return false;
  const t = fs.statSync(out).mtimeMs;
  return inputs.every((i) => fs.statSync(i).mtimeMs <= t);
}

export async function buildModelWasm(): Promise<string> {
  fs.mkdirSync(SIM_DIR, { recursive: true });
  if (newerThan(MODEL_WASM, [MODEL_SRC, THERMAL_SRC])) return MODEL_WASM;
  const errors: string[] = [];
  const r = await asc.main(
    [MODEL_SRC, "--outFile", MODEL_WASM, "--runtime", "stub", "--use", "abort=", "-O2", "--noExportMemory", "--initialMemory", "1"],
    { stderr: { write: (s: string | Uint8Array) => (errors.push(String(s)), true) } as never },
  );
  if (r.error) throw new Error(`printer model: ${errors.join("")}${r.error.message}`);
  return MODEL_WASM;
}

export async function buildSimulator(): Promise<string> {
  const wasm = await buildModelWasm();
  const modelC = path.join(SIM_DIR, "printer_model.c");
  if (newerThan(SIM_BINARY, [wasm, HARNESS_SRC])) return SIM_BINARY;
  run("wasm2c", [wasm, "-n", "printer", "-o", modelC]);
  run("gcc", [
    "-O2",
    "-std=gnu11",
    "-Wall",
    "-Wno-unused-function",
    "-Wno-unused-variable",
    `-I${SIM_DIR}`,
    `-I${WASM_RT_DIR}`,
    "-I/usr/include/simavr",
    "-o",
    SIM_BINARY,
    HARNESS_SRC,
    modelC,
    path.join(WASM_RT_DIR, "wasm-rt-impl.c"),
    "-lsimavrparts", // the HD44780 display
    "-lsimavr",
    "-lelf",
    "-lutil",
    "-lm",
  ]);
  return SIM_BINARY;
}
