// Board data: boards/<name>/board.json is the single source of truth for pins and machine numbers.
// From it the build generates
//   - board_pins.h   pin macros and the few inline functions of the C HAL that depend on pins,
//   - board_data.c   the flash tables the firmware reads through hal.boardWord/hal.romByte,
//   - the simulator's view of the same pins (simBoardConfig, used by tools/sim/config.ts),
// and hal/host reads the same words for runs in Node.

import fs from "node:fs";
import path from "node:path";
import { ROOT, boardDir } from "./paths.ts";
import { packRomTable, type RomTexts } from "./romTable.ts";

export interface PinRef {
  port: string; // "A".."L"
  bit: number; // 0..7
}

export interface StepperPins {
  step: string;
  dir: string;
  enable: string;
  invertDir: boolean;
  ms1?: string;
  ms2?: string;
}

export interface Heater {
  pin: string;
  adcChannel: number;
  thermistor: { r25Ohms: number; beta: number };
}

export interface InputPin {
  pin: string;
  pullup: boolean;
  triggeredHigh: boolean;
}

export interface Board {
  name: string;
  title: string;
  machine: string;
  /** Printer model names slicers use for this machine (M862.3), own model first. */
  models: string[];
  nozzleDiameterMm: number;
  mcu: string;
  fCpu: number;
  serial: { usart: number; baud: number };
  steppers: {
    x: StepperPins;
    y: StepperPins;
    z: StepperPins;
    e: StepperPins;
    enableActiveLow: boolean;
    microsteps: number;
    minPulseHighNs: number;
    minPulseLowNs: number;
    dirSetupNs: number;
    motorCurrentPwm?: { xy: string; z: string; e: string };
  };
  inputs: { xMin: InputPin; yMin: InputPin; probe: InputPin };
  heaters: { hotend: Heater; bed: Heater; pullupOhms: number };
  fans: { print: string; hotend: string };
  led?: string;
  lcd: { rs: string; enable: string; d4: string; d5: string; d6: string; d7: string; cols: number; rows: number };
  encoder: { a: string; b: string; button: string };
  beeper: string;
  axes: {
    x: { min: number; max: number; home: number };
    y: { min: number; max: number; home: number };
    z: { min: number; max: number };
  };
  motion: {
    stepsPerMm: Record<"x" | "y" | "z" | "e", number>;
    maxFeedrateMmS: Record<"x" | "y" | "z" | "e", number>;
    maxAccelMmS2: Record<"x" | "y" | "z" | "e", number>;
    accelMmS2: number;
    retractAccelMmS2: number;
    travelAccelMmS2: number;
    junctionDeviationMm: number;
    minSegmentTimeUs: number;
    homingFeedrateMmS: Record<"x" | "y" | "z", number>;
    maxStepRateHz: number;
  };
  probe: {
    offsetMm: { x: number; y: number; z: number };
    safeHomeMm: { x: number; y: number };
    /** PINDA v2: its own thermistor on an ADC input. */
    thermistor?: { pin: string; adcChannel: number; r25Ohms: number; beta: number };
  };
  bed: BedData;
}

/** The heatbed (boards/<name>/board.json "bed"); coordinates are those of the nozzle on a
 * perfectly built printer, mm. */
export interface BedData {
  kind: keyof typeof BED_KINDS;
  targetDiameterMm: number;
  /** Where the probe is over the targets' centres: 3 columns, 3 rows. */
  targetsXMm: [number, number, number];
  targetsYMm: [number, number, number];
  screwsMm: [number, number][];
  printableMm: { x: [number, number]; y: [number, number] };
}

/** Bed kinds and their BoardKey.BedKind values (assembly/board.ts BedKindValue). */
export const BED_KINDS = { "mk42-pcb": 0, "mk52-steel": 1 } as const;

export const AXES = ["x", "y", "z", "e"] as const;
/** Logical bits of hal.readInputs(), in the order of assembly/motion/inputs.ts. */
export const INPUTS = ["xMin", "yMin", "probe"] as const;

export class BoardError extends Error {}

export function listBoards(): string[] {
  return fs
    .readdirSync(path.join(ROOT, "boards"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(ROOT, "boards", d.name, "board.json")))
    .map((d) => d.name)
    .sort();
}

export function loadBoard(name: string): Board {
  const file = path.join(boardDir(name), "board.json");
  if (!fs.existsSync(file)) {
    throw new BoardError(`unknown board "${name}": no ${path.relative(ROOT, file)} (boards: ${listBoards().join(", ")})`);
  }
  const board = JSON.parse(fs.readFileSync(file, "utf8")) as Board;
  if (board.name !== name) throw new BoardError(`${file}: "name" is "${board.name}", expected "${name}"`);
  if (board.mcu !== "atmega2560") throw new BoardError(`${file}: mcu ${board.mcu} is not supported (atmega2560 only)`);
  for (const a of AXES) for (const k of ["step", "dir", "enable"] as const) parsePin(board.steppers[a][k], `steppers.${a}.${k}`);
  for (const k of ["step", "dir"] as const) {
    const pins = AXES.map((a) => board.steppers[a][k]);
    if (new Set(pins).size !== pins.length) throw new BoardError(`${file}: two axes share a ${k} pin (${pins.join(", ")})`);
  }
  checkBed(file, board);
  return board;
}

function checkBed(file: string, board: Board): void {
  const bed = board.bed;
  if (!bed) throw new BoardError(`${file}: no "bed" section (kind: ${Object.keys(BED_KINDS).join(" or ")})`);
  if (!(bed.kind in BED_KINDS)) throw new BoardError(`${file}: bed.kind "${bed.kind}" is not one of ${Object.keys(BED_KINDS).join(", ")}`);
  if (bed.targetsXMm?.length !== 3 || bed.targetsYMm?.length !== 3) throw new BoardError(`${file}: bed.targetsXMm and bed.targetsYMm need 3 values each`);
  if (!(bed.targetDiameterMm >= 0)) throw new BoardError(`${file}: bed.targetDiameterMm must be >= 0`);
  if (bed.kind === "mk42-pcb" && bed.targetDiameterMm <= 0) throw new BoardError(`${file}: an mk42-pcb bed has induction targets: bed.targetDiameterMm must be > 0`);
  if (!Array.isArray(bed.screwsMm) || bed.screwsMm.length > 4) throw new BoardError(`${file}: bed.screwsMm lists at most 4 [x, y] screws`);
  const p = bed.printableMm;
  if (!p || !(p.x[1] > p.x[0]) || !(p.y[1] > p.y[0])) throw new BoardError(`${file}: bed.printableMm needs x and y as [min, max]`);
}

export function parsePin(pin: string, where = "pin"): PinRef {
  const m = /^P([A-L])([0-7])$/.exec(pin ?? "");
  if (!m || m[1] === "I") throw new BoardError(`${where}: "${pin}" is not an ATmega2560 port pin like PC0`);
  return { port: m[1], bit: Number(m[2]) };
}

// ---------------------------------------------------------------------------------------------
// The board table: one 32-bit word per BoardKey of assembly/board.ts.

export interface BoardKeyDef {
  name: string;
  value: number;
}

/** Reads `export const enum BoardKey { ... }` from assembly/board.ts: the firmware owns the key list. */
export function readBoardKeys(): BoardKeyDef[] {
  const src = fs.readFileSync(path.join(ROOT, "assembly", "board.ts"), "utf8");
  const body = /export const enum BoardKey \{([\s\S]*?)\n\}/.exec(src);
  if (!body) throw new BoardError("assembly/board.ts: enum BoardKey not found");
  const keys: BoardKeyDef[] = [];
  for (const m of body[1].matchAll(/^\s*(\w+)\s*=\s*(\d+)\s*,/gm)) keys.push({ name: m[1], value: Number(m[2]) });
  keys.forEach((k, i) => {
    if (k.value !== i) throw new BoardError(`assembly/board.ts: BoardKey.${k.name} = ${k.value}, expected ${i} (keys are dense)`);
  });
  const count = keys.pop();
  if (!count || count.name !== "Count") throw new BoardError("assembly/board.ts: BoardKey must end with Count");
  return keys;
}

export interface StepSchedule {
  TimerHz: number;
  MinGapTicks: number;
  MaxBurst: number;
  IdleInterval: number;
}

/** `export const enum StepSchedule` of assembly/motion/stepper.ts: the step interrupt's scheduling
 * policy, which the module decides and both HALs follow. */
export function readStepSchedule(): StepSchedule {
  const src = fs.readFileSync(path.join(ROOT, "assembly", "motion", "stepper.ts"), "utf8");
  const body = /export const enum StepSchedule \{([\s\S]*?)\n\}/.exec(src);
  if (!body) throw new BoardError("assembly/motion/stepper.ts: enum StepSchedule not found");
  const values: Record<string, number> = {};
  for (const m of body[1].matchAll(/^\s*(\w+)\s*=\s*(0x[0-9a-f]+|\d+)\s*,/gim)) values[m[1]] = Number(m[2]);
  for (const k of ["TimerHz", "MinGapTicks", "MaxBurst", "IdleInterval"]) {
    if (!(k in values)) throw new BoardError(`assembly/motion/stepper.ts: StepSchedule.${k} not found`);
  }
  return values as unknown as StepSchedule;
}

type Word = { kind: "i32"; value: number } | { kind: "f32"; value: number } | { kind: "text"; value: string };

const i32 = (value: number): Word => ({ kind: "i32", value });
const f32 = (value: number): Word => ({ kind: "f32", value });
const text = (value: string): Word => ({ kind: "text", value });

// ---------------------------------------------------------------------------------------------
// Step and direction bits. The step interrupt's word (assembly/motion/stepper.ts) carries 8 step
// bits and 8 direction bits; which bit stands for which axis is the board's choice, made here.
// Where the axes' pins have different bit numbers (the MiniRambo: steps PC0..PC3, directions
// PL0, PL1, PL2, PL6) the word's bit is the pin's own bit, so on a board with one step port
// the C HAL writes the word to the port as it is, one instruction, as fast as ever. Pins on
// several ports cost one masked write per port; pins that share a bit number on different
// ports get the axis number as their bit, and the generated writes shift them into place.

export interface PortBits {
  port: string;
  /** Word bits of the axes on this port. */
  wordMask: number;
  /** Pin bits of this port that belong to the group. */
  pinMask: number;
  /** Per axis on this port: its word bit and its pin bit. */
  axes: { wordBit: number; pinBit: number }[];
}

export interface StepperBits {
  /** Word bit (1 << n) of each axis, X Y Z E. */
  step: number[];
  dir: number[];
  stepPorts: PortBits[];
  dirPorts: PortBits[];
}

function wordBits(pins: PinRef[]): number[] {
  const distinct = new Set(pins.map((p) => p.bit)).size === pins.length;
  return pins.map((p, axis) => 1 << (distinct ? p.bit : axis));
}

function portBits(pins: PinRef[], bits: number[]): PortBits[] {
  const ports: PortBits[] = [];
  pins.forEach((p, axis) => {
    let g = ports.find((x) => x.port === p.port);
    if (!g) ports.push((g = { port: p.port, wordMask: 0, pinMask: 0, axes: [] }));
    g.wordMask |= bits[axis];
    g.pinMask |= 1 << p.bit;
    g.axes.push({ wordBit: Math.log2(bits[axis]), pinBit: p.bit });
  });
  return ports;
}

export function stepperBits(board: Board): StepperBits {
  const stepPins = AXES.map((a) => parsePin(board.steppers[a].step));
  const dirPins = AXES.map((a) => parsePin(board.steppers[a].dir));
  const step = wordBits(stepPins);
  const dir = wordBits(dirPins);
  return { step, dir, stepPorts: portBits(stepPins, step), dirPorts: portBits(dirPins, dir) };
}

function stepBit(b: Board, a: (typeof AXES)[number]): Word {
  return i32(stepperBits(b).step[AXES.indexOf(a)]);
}

function dirBit(b: Board, a: (typeof AXES)[number]): Word {
  return i32(stepperBits(b).dir[AXES.indexOf(a)]);
}

/** How each BoardKey gets its value from board.json. */
const BOARD_WORDS: Record<string, (b: Board) => Word> = {
  Title: (b) => text(b.title),
  Machine: (b) => text(b.machine),
  StepBitX: (b) => stepBit(b, "x"),
  StepBitY: (b) => stepBit(b, "y"),
  StepBitZ: (b) => stepBit(b, "z"),
  StepBitE: (b) => stepBit(b, "e"),
  DirBitX: (b) => dirBit(b, "x"),
  DirBitY: (b) => dirBit(b, "y"),
  DirBitZ: (b) => dirBit(b, "z"),
  DirBitE: (b) => dirBit(b, "e"),
  DirInvertMask: (b) => i32(AXES.reduce((m, a, i) => (b.steppers[a].invertDir ? m | stepperBits(b).dir[i] : m), 0)),
  StepsPerMmX: (b) => f32(b.motion.stepsPerMm.x),
  StepsPerMmY: (b) => f32(b.motion.stepsPerMm.y),
  StepsPerMmZ: (b) => f32(b.motion.stepsPerMm.z),
  StepsPerMmE: (b) => f32(b.motion.stepsPerMm.e),
  MaxFeedrateX: (b) => f32(b.motion.maxFeedrateMmS.x),
  MaxFeedrateY: (b) => f32(b.motion.maxFeedrateMmS.y),
  MaxFeedrateZ: (b) => f32(b.motion.maxFeedrateMmS.z),
  MaxFeedrateE: (b) => f32(b.motion.maxFeedrateMmS.e),
  MaxAccelX: (b) => f32(b.motion.maxAccelMmS2.x),
  MaxAccelY: (b) => f32(b.motion.maxAccelMmS2.y),
  MaxAccelZ: (b) => f32(b.motion.maxAccelMmS2.z),
  MaxAccelE: (b) => f32(b.motion.maxAccelMmS2.e),
  Accel: (b) => f32(b.motion.accelMmS2),
  RetractAccel: (b) => f32(b.motion.retractAccelMmS2),
  TravelAccel: (b) => f32(b.motion.travelAccelMmS2),
  JunctionDeviation: (b) => f32(b.motion.junctionDeviationMm),
  MinSegmentTimeUs: (b) => f32(b.motion.minSegmentTimeUs),
  HomingFeedrateX: (b) => f32(b.motion.homingFeedrateMmS.x),
  HomingFeedrateY: (b) => f32(b.motion.homingFeedrateMmS.y),
  HomingFeedrateZ: (b) => f32(b.motion.homingFeedrateMmS.z),
  MaxStepRate: (b) => i32(b.motion.maxStepRateHz),
  MinX: (b) => f32(b.axes.x.min),
  MaxX: (b) => f32(b.axes.x.max),
  MinY: (b) => f32(b.axes.y.min),
  MaxY: (b) => f32(b.axes.y.max),
  MinZ: (b) => f32(b.axes.z.min),
  MaxZ: (b) => f32(b.axes.z.max),
  HomeX: (b) => f32(b.axes.x.home),
  HomeY: (b) => f32(b.axes.y.home),
  ProbeOffsetX: (b) => f32(b.probe.offsetMm.x),
  ProbeOffsetY: (b) => f32(b.probe.offsetMm.y),
  ProbeOffsetZ: (b) => f32(b.probe.offsetMm.z),
  SafeHomeX: (b) => f32(b.probe.safeHomeMm.x),
  SafeHomeY: (b) => f32(b.probe.safeHomeMm.y),
  MinPulseNs: (b) => i32(Math.max(b.steppers.minPulseHighNs, b.steppers.minPulseLowNs)),
  DirSetupNs: (b) => i32(b.steppers.dirSetupNs),
  Models: (b) => text(b.models.join(" ")),
  NozzleDiameter: (b) => f32(b.nozzleDiameterMm),
  HotendAdcChannel: (b) => i32(b.heaters.hotend.adcChannel),
  HotendThermistorR25: (b) => f32(b.heaters.hotend.thermistor.r25Ohms),
  HotendThermistorBeta: (b) => f32(b.heaters.hotend.thermistor.beta),
  BedAdcChannel: (b) => i32(b.heaters.bed.adcChannel),
  BedThermistorR25: (b) => f32(b.heaters.bed.thermistor.r25Ohms),
  BedThermistorBeta: (b) => f32(b.heaters.bed.thermistor.beta),
  ThermistorPullup: (b) => f32(b.heaters.pullupOhms),
  BedKind: (b) => i32(BED_KINDS[b.bed.kind]),
  BedTargetDiameter: (b) => f32(b.bed.targetDiameterMm),
  BedTargetX0: (b) => f32(b.bed.targetsXMm[0]),
  BedTargetX1: (b) => f32(b.bed.targetsXMm[1]),
  BedTargetX2: (b) => f32(b.bed.targetsXMm[2]),
  BedTargetY0: (b) => f32(b.bed.targetsYMm[0]),
  BedTargetY1: (b) => f32(b.bed.targetsYMm[1]),
  BedTargetY2: (b) => f32(b.bed.targetsYMm[2]),
};

export function boardWordNames(): string[] {
  return Object.keys(BOARD_WORDS);
}

export interface FlashTables {
  /** One u32 per BoardKey. */
  words: Uint32Array;
  /** The text table: the module's rom() texts, then the board's texts. */
  rom: Uint8Array;
}

const f32bits = new DataView(new ArrayBuffer(4));

function bitsOfF32(v: number): number {
  if (!Number.isFinite(v)) throw new BoardError(`board value ${v} is not a finite number`);
  f32bits.setFloat32(0, v, true);
  return f32bits.getUint32(0, true);
}

export function flashTables(board: Board, texts: RomTexts): FlashTables {
  const keys = readBoardKeys();
  const missing = keys.filter((k) => !(k.name in BOARD_WORDS)).map((k) => k.name);
  if (missing.length) throw new BoardError(`tools/build/board.ts has no value for BoardKey ${missing.join(", ")}`);
  const words = keys.map((k) => BOARD_WORDS[k.name](board));
  const boardTexts = words.filter((w) => w.kind === "text").map((w) => w.value as string);
  const { bytes, extraHandles } = packRomTable(texts, boardTexts);
  let t = 0;
  const out = new Uint32Array(keys.length);
  words.forEach((w, i) => {
    if (w.kind === "text") out[i] = extraHandles[t++];
    else if (w.kind === "f32") out[i] = bitsOfF32(w.value);
    else out[i] = w.value >>> 0;
  });
  return { words: out, rom: bytes };
}

// ---------------------------------------------------------------------------------------------
// C side.

function pinMacro(name: string, pin: string): string {
  const p = parsePin(pin, name);
  return `#define ${name} ${p.port}, ${p.bit}`;
}

function inputExpr(input: InputPin): string {
  const p = parsePin(input.pin);
  const level = `(PIN${p.port} & _BV(${p.bit}))`;
  return input.triggeredHigh ? level : `!${level}`;
}

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;

/** The pin bits of `port` for word bits `w` (a C expression of the variable w). */
function pinExpr(g: PortBits, w: string): string {
  const byShift = new Map<number, number>();
  for (const a of g.axes) byShift.set(a.pinBit - a.wordBit, (byShift.get(a.pinBit - a.wordBit) ?? 0) | (1 << a.wordBit));
  const parts = [...byShift].map(([shift, mask]) => {
    const m = `(${w} & ${hex2(mask)})`;
    return shift === 0 ? m : shift > 0 ? `(${m} << ${shift})` : `(${m} >> ${-shift})`;
  });
  return parts.length === 1 ? parts[0] : `(${parts.join(" | ")})`;
}

/**
 * The step interrupt's pin writes: raise and lower step bits, set direction bits, each as one
 * masked read-modify-write per port (one port on the MiniRambo: the word goes to it unchanged).
 * Main-line code that writes other pins of these ports must do so atomically (SBI/CBI, which
 * avr-gcc emits for one constant bit of ports A..G, or with interrupts off), or the interrupt's
 * write could be undone.
 */
function stepperPinLines(board: Board): string[] {
  const bits = stepperBits(board);
  const stepMask = bits.step.reduce((m, b) => m | b, 0);
  const dirMask = bits.dir.reduce((m, b) => m | b, 0);
  const each = (ports: PortBits[], f: (g: PortBits) => string) => ports.map(f).join(" ");
  const sched = readStepSchedule();
  return [
    `/* Step and direction pins. The step word's bits (BoardKey.StepBitX.., DirBitX..) and the pins`,
    `   they drive: step ${bits.stepPorts.map((g) => `PORT${g.port} ${hex2(g.pinMask)}`).join(", ")}; direction ${bits.dirPorts.map((g) => `PORT${g.port} ${hex2(g.pinMask)}`).join(", ")}. */`,
    `#define BOARD_STEP_BITS ${hex2(stepMask)}`,
    `#define BOARD_DIR_BITS ${hex2(dirMask)}`,
    `#define BOARD_STEP_PORTS ${bits.stepPorts.length}`,
    `#define BOARD_DIR_PORTS ${bits.dirPorts.length}`,
    `#define BOARD_STEPPER_PINS_INIT() do { ${each(bits.stepPorts, (g) => `DDR${g.port} |= ${hex2(g.pinMask)}; PORT${g.port} &= (uint8_t)~${hex2(g.pinMask)};`)} ${each(bits.dirPorts, (g) => `DDR${g.port} |= ${hex2(g.pinMask)};`)} } while (0)`,
    `/* s: step bits (within BOARD_STEP_BITS); d: all direction bits (within BOARD_DIR_BITS). */`,
    `#define BOARD_STEP_HIGH(s) do { ${each(bits.stepPorts, (g) => `PORT${g.port} |= (uint8_t)${pinExpr(g, "(s)")};`)} } while (0)`,
    `#define BOARD_STEP_LOW(s) do { ${each(bits.stepPorts, (g) => `PORT${g.port} &= (uint8_t)~${pinExpr(g, "(s)")};`)} } while (0)`,
    `#define BOARD_DIR_WRITE(d) do { ${each(bits.dirPorts, (g) => `PORT${g.port} = (uint8_t)((PORT${g.port} & (uint8_t)~${hex2(g.pinMask)}) | ${pinExpr(g, "(d)")});`)} } while (0)`,
    `/* The step interrupt's scheduling policy: enum StepSchedule of assembly/motion/stepper.ts. */`,
    `#define STEP_TIMER_HZ ${sched.TimerHz}UL`,
    `#define STEP_MIN_GAP ${sched.MinGapTicks}`,
    `#define STEP_MAX_BURST ${sched.MaxBurst}`,
    `#define STEP_IDLE 0x${sched.IdleInterval.toString(16)}u`,
  ];
}

export function boardHeader(board: Board): string {
  const s = board.steppers;
  const lines = [
    `/* Generated from boards/${board.name}/board.json by tools/build/board.ts. Do not edit. */`,
    "#pragma once",
    "#include <avr/io.h>",
    "",
    `#define BOARD_NAME "${board.name}"`,
    `#define BOARD_BAUD ${board.serial.baud}UL`,
    "",
    ...stepperPinLines(board),
    `/* The drivers' minimum step pulse, high and low, in CPU cycles (board: ${s.minPulseHighNs} ns, ${s.minPulseLowNs} ns). */`,
    `#define BOARD_STEP_HIGH_CYCLES ${Math.ceil((s.minPulseHighNs * board.fCpu) / 1e9)}`,
    `#define BOARD_STEP_LOW_CYCLES ${Math.ceil((s.minPulseLowNs * board.fCpu) / 1e9)}`,
    `#define BOARD_ENABLE_ACTIVE_LOW ${s.enableActiveLow ? 1 : 0}`,
    pinMacro("BOARD_PIN_ENABLE_X", s.x.enable),
    pinMacro("BOARD_PIN_ENABLE_Y", s.y.enable),
    pinMacro("BOARD_PIN_ENABLE_Z", s.z.enable),
    pinMacro("BOARD_PIN_ENABLE_E", s.e.enable),
    `/* A4982 microstep select: MS1=MS2=1 is 1/16. */`,
    `#define BOARD_MICROSTEP_PINS(X) ${AXES.flatMap((a) => [s[a].ms1, s[a].ms2]).filter(Boolean).map((p) => { const r = parsePin(p!); return `X(${r.port}, ${r.bit})`; }).join(" ")}`,
    `#define BOARD_MICROSTEP_LEVEL ${s.microsteps === 16 ? 1 : 0}`,
  ];
  if (s.motorCurrentPwm) {
    lines.push(
      "/* Motor current references: Timer5 PWM on OC5A/B/C (XY, Z, E). */",
      pinMacro("BOARD_PIN_CURRENT_XY", s.motorCurrentPwm.xy),
      pinMacro("BOARD_PIN_CURRENT_Z", s.motorCurrentPwm.z),
      pinMacro("BOARD_PIN_CURRENT_E", s.motorCurrentPwm.e),
    );
  }
  lines.push(
    "",
    "/* Heaters and fans: outputs that must be off whenever the firmware stops. */",
    pinMacro("BOARD_PIN_HEATER_HOTEND", board.heaters.hotend.pin),
    pinMacro("BOARD_PIN_HEATER_BED", board.heaters.bed.pin),
    pinMacro("BOARD_PIN_FAN_PRINT", board.fans.print),
    pinMacro("BOARD_PIN_FAN_HOTEND", board.fans.hotend),
    `#define BOARD_ADC_HOTEND ${board.heaters.hotend.adcChannel}`,
    `#define BOARD_ADC_BED ${board.heaters.bed.adcChannel}`,
    "",
    "/* Inputs, in the logical bit order of hal_readInputs(). */",
    ...INPUTS.map((k, i) => pinMacro(`BOARD_PIN_INPUT_${i}`, board.inputs[k].pin)),
    `#define BOARD_INPUT_PULLUPS(X) ${INPUTS.filter((k) => board.inputs[k].pullup).map((k) => { const r = parsePin(board.inputs[k].pin); return `X(${r.port}, ${r.bit})`; }).join(" ")}`,
    "static inline uint8_t board_read_inputs(void) {",
    "  uint8_t v = 0;",
    ...INPUTS.map((k, i) => `  if (${inputExpr(board.inputs[k])}) v |= ${1 << i}; /* ${k} */`),
    "  return v;",
    "}",
    "",
    "/* HD44780 20x4 (4-bit), encoder, beeper. */",
    pinMacro("BOARD_PIN_LCD_RS", board.lcd.rs),
    pinMacro("BOARD_PIN_LCD_EN", board.lcd.enable),
    pinMacro("BOARD_PIN_LCD_D4", board.lcd.d4),
    pinMacro("BOARD_PIN_LCD_D5", board.lcd.d5),
    pinMacro("BOARD_PIN_LCD_D6", board.lcd.d6),
    pinMacro("BOARD_PIN_LCD_D7", board.lcd.d7),
    pinMacro("BOARD_PIN_ENC_A", board.encoder.a),
    pinMacro("BOARD_PIN_ENC_B", board.encoder.b),
    pinMacro("BOARD_PIN_ENC_BUTTON", board.encoder.button),
    pinMacro("BOARD_PIN_BEEPER", board.beeper),
    "",
  );
  return lines.join("\n");
}

function cBytes(bytes: Uint8Array): string {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    rows.push("  " + Array.from(bytes.subarray(i, i + 16), (b) => `0x${b.toString(16).padStart(2, "0")},`).join(" "));
  }
  return rows.join("\n");
}

export function boardDataC(board: Board, tables: FlashTables): string {
  const keys = readBoardKeys();
  const words = Array.from(tables.words, (w, i) => `  0x${w.toString(16).padStart(8, "0")}u, /* ${keys[i].name} */`);
  return [
    `/* Generated from boards/${board.name}/board.json and the firmware's rom() texts. Do not edit. */`,
    "#include <avr/pgmspace.h>",
    "#include <stdint.h>",
    "",
    `const uint16_t board_word_count = ${tables.words.length};`,
    `const uint32_t board_words[${tables.words.length}] PROGMEM = {`,
    ...words,
    "};",
    "",
    `const uint16_t rom_text_size = ${tables.rom.length};`,
    `const uint8_t rom_text[${Math.max(1, tables.rom.length)}] PROGMEM = {`,
    tables.rom.length ? cBytes(tables.rom) : "  0,",
    "};",
    "",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Simulator side: a plain "key value..." file the C harness reads.

export function simBoardConfig(board: Board): string {
  const s = board.steppers;
  const out: string[] = [`# Generated from boards/${board.name}/board.json`, `fcpu ${board.fCpu}`, `baud ${board.serial.baud}`];
  AXES.forEach((a, i) => {
    const step = parsePin(s[a].step);
    const dir = parsePin(s[a].dir);
    const en = parsePin(s[a].enable);
    out.push(`axis ${i} ${a} step ${step.port} ${step.bit} dir ${dir.port} ${dir.bit} ${s[a].invertDir ? 1 : 0} enable ${en.port} ${en.bit} ${s.enableActiveLow ? 1 : 0}`);
  });
  INPUTS.forEach((k, i) => {
    const p = parsePin(board.inputs[k].pin);
    out.push(`input ${i} ${k} ${p.port} ${p.bit} ${board.inputs[k].triggeredHigh ? 1 : 0}`);
  });
  const h = parsePin(board.heaters.hotend.pin);
  const b = parsePin(board.heaters.bed.pin);
  out.push(`heater hotend ${h.port} ${h.bit}`, `heater bed ${b.port} ${b.bit}`);
  const hot = board.heaters.hotend;
  const bed = board.heaters.bed;
  out.push(`pullup ${board.heaters.pullupOhms}`);
  out.push(`thermistor 0 ${hot.adcChannel} ${hot.thermistor.r25Ohms} ${hot.thermistor.beta}`);
  out.push(`thermistor 1 ${bed.adcChannel} ${bed.thermistor.r25Ohms} ${bed.thermistor.beta}`);
  out.push(`pulse ${s.minPulseHighNs} ${s.minPulseLowNs} ${s.dirSetupNs}`);
  // The HD44780: size, then its pins (RW is tied low on the board).
  const lcd = board.lcd;
  const lcdPins = (["rs", "e", "d4", "d5", "d6", "d7"] as const).map((k) => {
    const r = parsePin(lcd[k === "e" ? "enable" : k], `lcd.${k === "e" ? "enable" : k}`);
    return `${k} ${r.port} ${r.bit}`;
  });
  out.push(`lcd ${lcd.cols} ${lcd.rows} ${lcdPins.join(" ")}`);
  // The front panel: encoder phases A and B, its button, the beeper.
  const panelPins = [board.encoder.a, board.encoder.b, board.encoder.button, board.beeper].map((pin) => {
    const r = parsePin(pin, "encoder");
    return `${r.port} ${r.bit}`;
  });
  out.push(`panel ${panelPins.join(" ")}`);
  return out.join("\n") + "\n";
}
