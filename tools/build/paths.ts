// Where things are and where the build puts them.
import { fileURLToPath } from "node:url";
import path from "node:path";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BUILD = path.join(ROOT, "build");
/** The firmware module, board independent: wasm, texts, wasm2c output. */
export const MODULE_DIR = path.join(BUILD, "module");
export const SIM_DIR = path.join(BUILD, "sim");
/** The simulated printer (tools/sim/harness.c), and the printer model's wasm for hal/host. */
export const SIM_BINARY = path.join(SIM_DIR, "plumbsim");
export const MODEL_WASM = path.join(SIM_DIR, "printer.wasm");
export const DEFAULT_BOARD = "minirambo";

export function boardDir(board: string): string {
  return path.join(ROOT, "boards", board);
}

export function boardBuildDir(board: string): string {
  return path.join(BUILD, board);
}

/** Generated C sources of one board build (what platformio.ini compiles too). */
export function boardGenDir(board: string): string {
  return path.join(BUILD, board, "gen");
}
