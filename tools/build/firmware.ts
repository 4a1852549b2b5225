// The whole pipeline for one board:
//   asc -> .wasm -> gate -> wasm2c -> post-processing -> avr-gcc with hal/ and the board -> .hex

import fs from "node:fs";
import path from "node:path";
import { run } from "./exec.ts";
import { MODULE_DIR, ROOT } from "./paths.ts";
import { compileModule, type CompiledModule } from "./module.ts";
import { postProcess } from "./wasm2avr.ts";
import { loadBoard, flashTables, boardHeader, boardDataC } from "./board.ts";
import { boardTarget, compileImage, type ImageTarget, type SizeReport } from "./avr.ts";

export const FIRMWARE_ENTRY = path.join(ROOT, "assembly", "index.ts");

/** wasm2c, then the AVR post-processing, into `genDir`/plumb_module.c. */
export function generateModuleC(compiled: CompiledModule, genDir: string): void {
  fs.mkdirSync(genDir, { recursive: true });
  const rawC = path.join(path.dirname(compiled.wasmFile), "firmware.wasm2c.c");
  run("wasm2c", [compiled.wasmFile, "-n", "firmware", "-o", rawC]);
  const result = postProcess({
    source: fs.readFileSync(rawC, "utf8"),
    header: fs.readFileSync(rawC.replace(/\.c$/, ".h"), "utf8"),
    module: "firmware",
    memBase: compiled.memBase,
    memEnd: compiled.memEnd,
  });
  for (const name of ["setup", "loop", "stepperIsr", "stepperRepeats"]) {
    if (!result.exports.includes(name)) throw new Error(`the firmware module does not export ${name}()`);
  }
  fs.writeFileSync(path.join(genDir, "plumb_module.c"), result.c);
}

export function generateBoardFiles(target: ImageTarget, compiled: CompiledModule): void {
  const b = target.boardData ?? loadBoard(target.board);
  fs.mkdirSync(target.genDir, { recursive: true });
  const tables = flashTables(b, compiled.texts);
  fs.writeFileSync(path.join(target.genDir, "board_pins.h"), boardHeader(b));
  fs.writeFileSync(path.join(target.genDir, "board_data.c"), boardDataC(b, tables));
}

export interface FirmwareBuild {
  board: string;
  hex: string;
  elf: string;
  size: SizeReport;
  module: CompiledModule;
}

/** Compile the firmware module once (it is the same for every board). */
export async function compileFirmwareModule(): Promise<CompiledModule> {
  return compileModule(FIRMWARE_ENTRY, MODULE_DIR);
}

/** Any firmware-shaped module (the firmware, or a test fixture) into an image for `target`. */
export function buildImage(target: ImageTarget, compiled: CompiledModule): FirmwareBuild {
  if (!target.boardData) loadBoard(target.board); // clear error for an unknown board before anything is written
  generateBoardFiles(target, compiled);
  generateModuleC(compiled, target.genDir);
  const { elf, hex, size } = compileImage(target, compiled.memEnd - compiled.memBase);
  return { board: target.board, hex, elf, size, module: compiled };
}

export function buildBoardImage(board: string, compiled: CompiledModule): FirmwareBuild {
  return buildImage(boardTarget(board), compiled);
}
