// Compile an AssemblyScript entry file into a firmware-shaped wasm module: asc with the rom()
// transform, then the gate. Used for the firmware (assembly/index.ts) and for test fixtures.

import asc from "assemblyscript/asc";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./paths.ts";
import { RomTextTransform, type RomTexts } from "./romText.ts";
import { checkModule, GateError, halImports, type Violation } from "./gate.ts";

export interface CompiledModule {
  wasmFile: string;
  texts: RomTexts;
  memBase: number;
  memEnd: number;
}

const asconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "asconfig.json"), "utf8"));

async function asc_(entry: string, target: string, outFile: string, textFile?: string): Promise<RomTexts> {
  const transform = new RomTextTransform();
  const errors: string[] = [];
  const args = [entry, "--config", path.join(ROOT, "asconfig.json"), "--target", target, "--outFile", outFile];
  if (textFile) args.push("--textFile", textFile);
  const result = await asc.main(args, {
    transforms: [transform] as never, // asc fills in the Transform fields (program, binaryen...) itself
    stderr: { write: (s: string | Uint8Array) => (errors.push(String(s)), true) } as never,
    stdout: { write: () => true } as never,
  });
  if (result.error) throw new Error(`asc failed for ${path.relative(ROOT, entry)}:\n${errors.join("")}${result.error.message}`);
  return transform.collected;
}

/** The module's __heap_base, read by running its `linearMemoryEnd` export with inert imports. */
async function heapBase(wasmFile: string): Promise<number> {
  const mod = await WebAssembly.compile(fs.readFileSync(wasmFile));
  const imports: Record<string, Record<string, () => number>> = {};
  for (const imp of WebAssembly.Module.imports(mod)) {
    (imports[imp.module] ??= {})[imp.name] = () => 0;
  }
  const inst = await WebAssembly.instantiate(mod, imports);
  const fn = inst.exports.linearMemoryEnd as (() => number) | undefined;
  if (!fn) throw new Error(`${path.relative(ROOT, wasmFile)}: no linearMemoryEnd export (return __heap_base from it)`);
  return fn() >>> 0;
}

export async function compileModule(entry: string, outDir: string, name = "firmware"): Promise<CompiledModule> {
  fs.mkdirSync(outDir, { recursive: true });
  const wasmFile = path.join(outDir, `${name}.wasm`);
  const texts = await asc_(entry, "firmware", wasmFile, path.join(outDir, `${name}.wat`));
  fs.writeFileSync(path.join(outDir, `${name}.texts.json`), JSON.stringify(texts, null, 1));

  const violations = checkModule(wasmFile, halImports());
  if (violations.length) {
    // Optimised code inlines helpers into their callers; name the source functions too.
    const o0 = path.join(outDir, `${name}.O0.wasm`);
    await asc_(entry, "unoptimized", o0);
    const more: Violation[] = checkModule(o0, halImports())
      .filter((v) => !violations.some((w) => w.where === v.where && w.what === v.what))
      .map((v) => ({ where: v.where, what: `${v.what} (before inlining)` }));
    throw new GateError([...violations, ...more]);
  }
  const memBase = asconfig.targets.firmware.memoryBase as number;
  const memEnd = await heapBase(wasmFile);
  return { wasmFile, texts, memBase, memEnd };
}
