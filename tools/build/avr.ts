// avr-gcc: the flags and sources of a board image. platformio.ini names the same (a test checks).

import fs from "node:fs";
import path from "node:path";
import { run } from "./exec.ts";
import type { Board } from "./board.ts";
import { ROOT, boardBuildDir, boardGenDir } from "./paths.ts";

export const MCU = "atmega2560";
export const F_CPU = 16000000;
export const FLASH_BYTES = 256 * 1024;
export const SRAM_BYTES = 8 * 1024;
/** Build limits: the bootloader needs the top 8 KiB of flash, the stack what SRAM is left. */
export const FLASH_LIMIT = 240 * 1024;
export const SRAM_STATIC_LIMIT = 6 * 1024;

/** HAL sources, relative to the project root. The generated module is #included by main.c. */
export const HAL_SOURCES = ["hal/avr/main.c", "hal/avr/serial.c", "hal/avr/clock.c", "hal/avr/eeprom.c", "hal/avr/board.c", "hal/avr/lcd.c", "hal/avr/adc.c", "hal/avr/outputs.c", "hal/avr/panel.c"];
/** Generated sources, relative to build/<board>/gen. */
export const GEN_SOURCES = ["board_data.c"];

export const C_FLAGS = [
  `-mmcu=${MCU}`,
  `-DF_CPU=${F_CPU}UL`,
  "-O2",
  "-std=gnu11",
  "-Wall",
  "-Wno-unused-function",
  "-Wno-unused-variable",
  "-Wno-unused-but-set-variable",
  "-ffunction-sections",
  "-fdata-sections",
];
export const LINK_FLAGS = [`-mmcu=${MCU}`, "-Wl,--gc-sections"];

export function includeDirs(genDir: string): string[] {
  return ["hal", "hal/avr", path.relative(ROOT, genDir)];
}

export interface ImageTarget {
  board: string;
  /** Extra compiler flags (benchmark variants). */
  extraFlags?: string[];
  /** Board data to use instead of boards/<board>/board.json (benchmark variants). */
  boardData?: Board;
  /** Generated sources: plumb_module.c, board_pins.h, board_data.c. */
  genDir: string;
  /** Where firmware.elf/.hex and size.json go. */
  outDir: string;
}

export function boardTarget(board: string): ImageTarget {
  return { board, genDir: boardGenDir(board), outDir: boardBuildDir(board) };
}

export interface SizeReport {
  board: string;
  flashBytes: number;
  sramStaticBytes: number;
  linearMemoryBytes: number;
  flashPercent: number;
  sramPercent: number;
}

export class SizeError extends Error {}

/** Refuses an image that would not fit: flash beyond 240 KiB, static SRAM beyond 6 KiB. */
export function checkLimits(size: SizeReport): void {
  if (size.flashBytes > FLASH_LIMIT) {
    throw new SizeError(`flash use ${size.flashBytes} B exceeds the ${FLASH_LIMIT} B limit (240 KiB: the rest is the bootloader's)`);
  }
  if (size.sramStaticBytes > SRAM_STATIC_LIMIT) {
    throw new SizeError(`static SRAM ${size.sramStaticBytes} B exceeds the ${SRAM_STATIC_LIMIT} B limit (6 KiB: the other 2 KiB are the stack)`);
  }
}

export function compileImage(target: ImageTarget, linearMemoryBytes: number): { elf: string; hex: string; size: SizeReport } {
  const { board, genDir, outDir: out } = target;
  const objDir = path.join(out, "obj");
  fs.mkdirSync(objDir, { recursive: true });
  const incs = includeDirs(genDir).map((d) => `-I${path.join(ROOT, d)}`);
  const sources = [...HAL_SOURCES.map((s) => path.join(ROOT, s)), ...GEN_SOURCES.map((s) => path.join(genDir, s))];
  const objects = sources.map((src) => {
    const obj = path.join(objDir, path.basename(src, ".c") + ".o");
    run("avr-gcc", [...C_FLAGS, ...(target.extraFlags ?? []), ...incs, "-c", src, "-o", obj]);
    return obj;
  });
  const elf = path.join(out, "firmware.elf");
  const hex = path.join(out, "firmware.hex");
  run("avr-gcc", [...LINK_FLAGS, "-o", elf, ...objects]);
  run("avr-objcopy", ["-O", "ihex", "-R", ".eeprom", elf, hex]);
  const size = measure(board, elf, linearMemoryBytes);
  fs.writeFileSync(path.join(out, "size.json"), JSON.stringify(size, null, 2) + "\n");
  checkLimits(size);
  return { elf, hex, size };
}

function measure(board: string, elf: string, linearMemoryBytes: number): SizeReport {
  const sections = new Map<string, number>();
  for (const line of run("avr-size", ["-A", elf]).split("\n")) {
    const m = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line);
    if (m) sections.set(m[1], Number(m[2]));
  }
  const get = (s: string) => sections.get(s) ?? 0;
  const flashBytes = get(".text") + get(".data");
  const sramStaticBytes = get(".data") + get(".bss") + get(".noinit");
  return {
    board,
    flashBytes,
    sramStaticBytes,
    linearMemoryBytes,
    flashPercent: round1((100 * flashBytes) / FLASH_BYTES),
    sramPercent: round1((100 * sramStaticBytes) / SRAM_BYTES),
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function formatSize(s: SizeReport): string {
  return [
    `  flash        ${String(s.flashBytes).padStart(6)} B  ${s.flashPercent.toFixed(1).padStart(5)}% of 256 KiB (limit 240 KiB)`,
    `  static SRAM  ${String(s.sramStaticBytes).padStart(6)} B  ${s.sramPercent.toFixed(1).padStart(5)}% of 8 KiB (limit 6 KiB; the rest is stack)`,
    `  linear memory${String(s.linearMemoryBytes).padStart(6)} B  (the module's static data, inside static SRAM)`,
  ].join("\n");
}
