// The HAL in TypeScript: runs the firmware module (build/module/firmware.wasm, the very module the
// AVR image is made from) in Node, against the virtual printer model (build/sim/printer.wasm, the
// same model the simavr harness links). For fast, deterministic tests of firmware logic.
//
// Time is virtual. The main loop costs LOOP_NS per call and the time-reading imports a little
// each; whenever time advances, due events run in order: serial bytes arrive at 115200 baud, and
// the step interrupt fires on its schedule (re-entering the module, as a real interrupt would).
// This is not cycle-accurate (simavr is); it keeps order and rates right.

import fs from "node:fs";
import path from "node:path";
import { MODULE_DIR, SIM_DIR, DEFAULT_BOARD } from "../../tools/build/paths.ts";
import { flashTables, loadBoard, stepperBits, readStepSchedule, AXES, type Board } from "../../tools/build/board.ts";
import type { RomTexts } from "../../tools/build/romTable.ts";
import { faults, mechanics, probeTrigger, SENSOR_CURVES, temperatures, AMBIENT_C, type Scenario } from "../../tools/sim/config.ts";
import { modelParams } from "../../tools/sim/scenario.ts";
import type { ModelTruthExports } from "../../tools/sim/truth.ts";
import { Hd44780 } from "./hd44780.ts";

export const EEPROM_BYTES = 4096;
const LOOP_NS = 20_000;
const IMPORT_NS = 2_000;
/** The step interrupt's scheduling policy, decided in the module (enum StepSchedule of
 * assembly/motion/stepper.ts); hal/avr/main.c follows the same numbers and rules. */
const SCHEDULE = readStepSchedule();
const TIMER_TICK_NS = 1e9 / SCHEDULE.TimerHz;
/** Events of one group follow each other about this closely in hal/avr/main.c's loop. */
const BURST_NS = 4000;
/** Copies of an event (stepperRepeats()) are pulsed back to back: 1 us high, 1 us low or a little more. */
const REPEAT_NS = 2500;
const BYTE_NS = Math.round(10e9 / 115200);
const RX_SIZE = 255;
const TX_SIZE = 127;
/** The display as hal/avr/lcd.c drives it: power-on initialisation done 57.21 ms after reset
 * (50 ms, then its instructions and the waits after them), then 60 us per byte (2.2 ms for clear
 * and home); a write call takes about 20 us. */
const LCD_READY_NS = 57_210_000;
const LCD_WRITE_NS = 60_000;
const LCD_CLEAR_NS = 2_200_000;
const LCD_CALL_NS = 20_000;
/** ADC conversions as hal/avr/adc.c runs them: 13 ADC clocks at 125 kHz, 25 for the first. */
const ADC_NS = 104_000;
const ADC_FIRST_NS = 200_000;

/** Thrown through the module when the firmware halts or traps; caught by HostPrinter. */
export class FirmwareStopped extends Error {
  constructor(readonly kind: "halt" | "trap", readonly code: number, message: string) {
    super(message);
  }
}

const TRAP_CODES: [RegExp, number, string][] = [
  [/out of bounds/i, 1, "memory access out of bounds"],
  [/overflow/i, 2, "integer overflow"],
  [/divide by zero|division by zero/i, 3, "division by zero"],
  [/invalid conversion/i, 4, "invalid conversion to integer"],
  [/unreachable/i, 5, "unreachable code reached"],
];

interface FirmwareExports {
  setup(): void;
  loop(): void;
  stepperIsr(): number;
  stepperRepeats(): number;
  linearMemoryEnd(): number;
}

interface ModelExports extends ModelTruthExports {
  reset(): void;
  setAxis(axis: number, stepsPerMm: number, start: number, endstop: number, frameMin: number, frameMax: number): void;
  setPulseLimits(high: number, low: number, setup: number): void;
  setProbe(x: number, y: number, trigger: number): void;
  setBedPlane(z0: number, sx: number, sy: number): void;
  setEnabled(mask: number): void;
  dirEdge(axis: number, positive: number, ns: number): void;
  stepEdge(axis: number, high: number, ns: number): void;
  inputs(): number;
  position(axis: number): number;
  stepsMoved(axis: number): number;
  stepsTotal(axis: number): number;
  violations(kind: number): number;
  resetThermistors(pullup: number): void;
  thermalReset(ambientC: number): void;
  setThermistorCurve(index: number, channel: number, curve: number, r25: number, beta: number): void;
  setHeaterTemperature(heater: number, celsius: number): void;
  setFault(kind: number, atNs: number): void;
  setOutput(index: number, level: number, ns: number): void;
  outputLevelOf(index: number): number;
  outputOnSeconds(index: number): number;
  advanceTo(ns: number): void;
  heaterCelsius(heater: number): number;
  sensorCelsiusOf(heater: number): number;
  maxSensorCelsius(heater: number): number;
  hotendFanOffWhileHotSeconds(): number;
  outputLastOffNs(index: number): number;
  firstExtrusionTimeNs(): number;
  firstExtrusionCelsius(heater: number): number;
  adcCounts(channel: number): number;
  countsAt(index: number, celsius: number): number;
  thermistorOhms(index: number, celsius: number): number;
}

/** hal/avr/outputs.c drops a heater's duty when the firmware has not set it for this long. */
const HEATER_REFRESH_NS = 1_000_000_000;

export interface HostOptions {
  board?: string;
  scenario?: Scenario;
  /** EEPROM contents at power-on (default: erased, all 0xff). */
  eeprom?: Uint8Array;
  /** Wasm file of the firmware module (default: build/module/firmware.wasm). */
  wasm?: string;
  /** MCUSR at reset (default 1, power-on). */
  resetCause?: number;
}

export class HostPrinter {
  readonly board: Board;
  readonly eeprom: Uint8Array;
  nowNs = 0;
  output = "";
  stopped: FirmwareStopped | null = null;
  readonly markers = new Map<number, number[]>();
  /** The display (20x4 HD44780). */
  readonly lcd: Hd44780;
  private lcdFreeNs = LCD_READY_NS;
  private adcChannel = -1;
  private adcDoneNs = 0;
  private adcUsed = false;

  private fw!: FirmwareExports;
  model!: ModelExports;
  private words!: Uint32Array;
  private rom!: Uint8Array;
  private rx: number[] = [];
  private txQueued = 0;
  private nextTxNs = 0;
  private pendingInput: number[] = [];
  private nextByteNs = 0;
  private nextTickNs = Number.POSITIVE_INFINITY;
  private stepperIdle = true;
  private pendingSteps = 0;
  private pendingRepeats = 0;
  private dirBits = 0;
  private inIsr = false;
  private enabled = 0;
  private readonly stepBitAxis: number[] = [];
  private readonly dirBitAxis: number[] = [];
  private readonly invertDir: boolean[] = [];
  private readonly resetCause: number;
  private readonly heaterSetNs = [0, 0];
  /** With traceThermal(): the model's heat every 250 ms of virtual time, blocking commands included. */
  readonly thermalTrace: ThermalSample[] = [];
  private thermalTraceNextNs = Number.POSITIVE_INFINITY;
  /** The front panel: detents turned and not yet taken, the button's contact, tones asked for (ms). */
  private encoderDetents = 0;
  private buttonIsDown = false;
  readonly beeps: number[] = [];

  private constructor(opts: HostOptions) {
    this.board = loadBoard(opts.board ?? DEFAULT_BOARD);
    this.eeprom = opts.eeprom ? Uint8Array.from(opts.eeprom) : new Uint8Array(EEPROM_BYTES).fill(0xff);
    this.resetCause = opts.resetCause ?? 1;
    this.lcd = new Hd44780(this.board.lcd.cols, this.board.lcd.rows);
    // The step word's bits as the board assigns them (tools/build/board.ts, stepperBits).
    const bits = stepperBits(this.board);
    AXES.forEach((a, i) => {
      this.stepBitAxis[Math.log2(bits.step[i])] = i;
      this.dirBitAxis[Math.log2(bits.dir[i])] = i;
      this.invertDir[i] = this.board.steppers[a].invertDir;
    });
  }

  /** Loads the firmware and the model and runs setup(). */
  static async boot(opts: HostOptions = {}): Promise<HostPrinter> {
    const p = new HostPrinter(opts);
    await p.load(opts);
    p.guard(() => p.fw.setup());
    return p;
  }

  private async load(opts: HostOptions): Promise<void> {
    const wasmFile = opts.wasm ?? path.join(MODULE_DIR, "firmware.wasm");
    const texts = JSON.parse(fs.readFileSync(wasmFile.replace(/\.wasm$/, ".texts.json"), "utf8")) as RomTexts;
    const tables = flashTables(this.board, texts);
    this.words = tables.words;
    this.rom = tables.rom;

    const modelInst = await WebAssembly.instantiate(fs.readFileSync(path.join(SIM_DIR, "printer.wasm")), {});
    this.model = modelInst.instance.exports as unknown as ModelExports;
    this.configureModel(opts.scenario ?? {});

    const fwInst = await WebAssembly.instantiate(fs.readFileSync(wasmFile), { hal: this.imports() });
    this.fw = fwInst.instance.exports as unknown as FirmwareExports;
  }

  private configureModel(scenario: Scenario): void {
    const m = this.model;
    m.reset();
    for (const mech of mechanics(this.board, scenario)) {
      m.setAxis(mech.axis, mech.stepsPerMm, mech.startMm, mech.endstopMm, mech.frameMinMm, mech.frameMaxMm);
    }
    const s = this.board.steppers;
    m.setPulseLimits(s.minPulseHighNs, s.minPulseLowNs, s.dirSetupNs);
    m.setProbe(this.board.probe.offsetMm.x, this.board.probe.offsetMm.y, probeTrigger(this.board, scenario));
    const bed = scenario.bed ?? {};
    m.setBedPlane(bed.z0 ?? 0, bed.slopeX ?? 0, bed.slopeY ?? 0);
    const heaters = this.board.heaters;
    m.thermalReset(scenario.ambientC ?? AMBIENT_C);
    m.resetThermistors(heaters.pullupOhms);
    for (const [sensor, celsius] of temperatures(scenario)) {
      const h = sensor === 0 ? heaters.hotend : heaters.bed;
      const curve = SENSOR_CURVES.find(([s]) => s === sensor)?.[1] ?? 2;
      m.setThermistorCurve(sensor, h.adcChannel, curve, h.thermistor.r25Ohms, h.thermistor.beta);
      m.setHeaterTemperature(sensor, celsius);
    }
    for (const [id, value] of modelParams(this.board, scenario)) m.setParam(id, value);
    for (const [kind, at] of faults(scenario)) m.setFault(kind, at * 1e9);
    // Direction pins are low at reset.
    for (let a = 0; a < 4; a++) m.dirEdge(a, this.invertDir[a] ? 1 : 0, -1e12);
  }

  /** The HAL imports, one per hal_<name> in hal/hal.h. */
  imports(): Record<string, (...args: number[]) => number | void> {
    return {
      serialRead: () => {
        this.advance(IMPORT_NS);
        return this.rx.length ? this.rx.shift()! : -1;
      },
      serialWrite: (byte: number) => {
        // The transmit ring drains at the baud rate; when full, the firmware must wait.
        if (this.txQueued >= TX_SIZE) {
          this.advance(IMPORT_NS);
          return 0;
        }
        if (this.txQueued === 0) this.nextTxNs = this.nowNs + BYTE_NS;
        this.txQueued++;
        this.output += String.fromCharCode(byte & 0xff);
        return 1;
      },
      serialAvailable: () => {
        this.advance(IMPORT_NS);
        return this.rx.length;
      },
      millis: () => {
        this.advance(IMPORT_NS);
        return Math.floor(this.nowNs / 1e6) >>> 0;
      },
      romByte: (addr: number) => (addr >>> 0 < this.rom.length ? this.rom[addr >>> 0] : 0),
      boardWord: (key: number) => (key >>> 0 < this.words.length ? this.words[key >>> 0] : 0),
      eepromRead: (addr: number) => (addr >>> 0 < EEPROM_BYTES ? this.eeprom[addr >>> 0] : 0xff),
      eepromWrite: (addr: number, value: number) => {
        if (addr >>> 0 < EEPROM_BYTES) this.eeprom[addr >>> 0] = value & 0xff;
      },
      eepromSize: () => EEPROM_BYTES,
      stepperEnable: (mask: number) => {
        this.enabled = mask & 15;
        this.model.setEnabled(this.enabled);
      },
      stepperWake: () => {
        if (this.stepperIdle) {
          this.stepperIdle = false;
          this.nextTickNs = this.nowNs + SCHEDULE.MinGapTicks * TIMER_TICK_NS;
        }
      },
      // Node runs the interrupt between the module's calls, never inside one: nothing to order.
      stepperBarrier: () => {},
      readInputs: () => this.model.inputs(),
      watchdogReset: () => {
        this.advance(IMPORT_NS);
      },
      resetCause: () => this.resetCause,
      marker: (id: number) => {
        const list = this.markers.get(id) ?? [];
        list.push(this.nowNs);
        this.markers.set(id, list);
      },
      halt: (code: number) => {
        throw new FirmwareStopped("halt", code, `halted (${code})`);
      },
      adcStart: (channel: number) => {
        if (channel >>> 0 > 15 || (this.adcChannel >= 0 && this.nowNs < this.adcDoneNs)) return;
        this.adcChannel = channel;
        this.adcDoneNs = this.nowNs + (this.adcUsed ? ADC_NS : ADC_FIRST_NS);
        this.adcUsed = true;
      },
      outputDuty: (output: number, duty: number) => {
        if (output >>> 0 > 3) return;
        const level = Math.min(duty >>> 0, 255) / 255;
        this.model.setOutput(output, level, this.nowNs);
        if (output < 2) this.heaterSetNs[output] = this.nowNs;
      },
      adcResult: () => {
        if (this.adcChannel < 0 || this.nowNs < this.adcDoneNs) return -1;
        this.model.advanceTo(this.nowNs);
        const counts = this.model.adcCounts(this.adcChannel);
        this.adcChannel = -1;
        return counts;
      },
      logf: (x: number) => Math.fround(Math.log(x)),
      encoderTake: () => {
        const d = this.encoderDetents;
        this.encoderDetents = 0;
        return d;
      },
      buttonDown: () => (this.buttonIsDown ? 1 : 0),
      beep: (ms: number) => {
        if (ms > 0) this.beeps.push(ms >>> 0);
      },
      lcdReady: () => (this.nowNs >= this.lcdFreeNs ? 1 : 0),
      lcdWrite: (isData: number, byte: number) => {
        if (this.nowNs < LCD_READY_NS) return; // still initialising: dropped, as in lcd.c
        if (this.nowNs < this.lcdFreeNs) this.advance(this.lcdFreeNs - this.nowNs); // lcd.c waits too
        this.lcd.write(isData, byte);
        this.advance(LCD_CALL_NS);
        const b = byte & 0xff;
        this.lcdFreeNs = this.nowNs + (!isData && b >= 1 && b <= 3 ? LCD_CLEAR_NS : LCD_WRITE_NS);
      },
    };
  }

  /** Queue bytes on the serial line; they arrive one byte-time apart. */
  send(text: string): void {
    for (let i = 0; i < text.length; i++) this.pendingInput.push(text.charCodeAt(i) & 0xff);
    if (this.nextByteNs < this.nowNs) this.nextByteNs = this.nowNs + BYTE_NS;
  }

  /** Runs the main loop for `ms` of virtual time (or until the firmware stops). */
  runFor(ms: number): void {
    const end = this.nowNs + ms * 1e6;
    while (!this.stopped && this.nowNs < end) this.step();
  }

  /** Runs until `done(output)` holds, or fails after `maxMs` of virtual time. */
  runUntil(done: (output: string) => boolean, maxMs = 60_000): void {
    const end = this.nowNs + maxMs * 1e6;
    while (!done(this.output)) {
      if (this.stopped) throw new Error(`firmware stopped (${this.stopped.message}) before the expected output:\n${this.output}`);
      if (this.nowNs >= end) throw new Error(`no expected output after ${maxMs} ms of virtual time:\n${this.output}`);
      this.step();
    }
  }

  /**
   * Sends lines the way hosts do, one line in flight: each line goes out once the previous one
   * has had its "ok". Returns everything printed meanwhile.
   */
  command(lines: string, maxMs = 60_000): string {
    const before = this.output.length;
    for (const line of lines.split("\n")) {
      if (!isCommandLine(line)) {
        this.send(line + "\n");
        continue;
      }
      const start = this.output.length;
      this.send(line + "\n");
      this.runUntil((o) => countOks(o.slice(start)) >= 1, maxMs);
    }
    return this.output.slice(before);
  }

  /** Sends all lines at once (a host streaming ahead) and runs until each has had its "ok". */
  stream(lines: string, maxMs = 60_000): string {
    const before = this.output.length;
    const expected = lines.split("\n").filter(isCommandLine).length;
    this.send(lines.endsWith("\n") ? lines : lines + "\n");
    this.runUntil((o) => countOks(o.slice(before)) >= expected, maxMs);
    return this.output.slice(before);
  }

  takeOutput(): string {
    const o = this.output;
    this.output = "";
    return o;
  }

  /** What the display shows, row by row. */
  lcdRows(): string[] {
    return this.lcd.lines();
  }

  /** Turns the encoder by `detents` (positive clockwise), then runs `ms` (default 120 ms: a screen refresh). */
  turn(detents: number, ms = 120): void {
    this.encoderDetents += detents;
    this.runFor(ms);
  }

  /** Holds the button down for `holdMs`, releases it and runs `afterMs` more. */
  press(holdMs: number, afterMs = 120): void {
    this.buttonIsDown = true;
    this.runFor(holdMs);
    this.buttonIsDown = false;
    this.runFor(afterMs);
  }

  /** A short press: 100 ms down. */
  click(): void {
    this.press(100);
  }

  /** A long press: 1.2 s down (the firmware's long press is 1 s). */
  longPress(): void {
    this.press(1200);
  }

  /** Puts a heater (0 hotend, 1 bed) and its thermistor at this temperature now, C; heat then flows from there. */
  setTemperature(sensor: number, celsius: number): void {
    this.model.advanceTo(this.nowNs);
    this.model.setHeaterTemperature(sensor, celsius);
  }

  /** Records a ThermalSample every 250 ms of virtual time from now on (into thermalTrace). */
  traceThermal(): void {
    this.thermalTraceNextNs = this.nowNs;
  }

  /** The model's heat, now. */
  thermal(): { hotend: number; bed: number; hotendSensor: number; bedSensor: number; outputs: number[] } {
    const m = this.model;
    m.advanceTo(this.nowNs);
    return {
      hotend: m.heaterCelsius(0),
      bed: m.heaterCelsius(1),
      hotendSensor: m.sensorCelsiusOf(0),
      bedSensor: m.sensorCelsiusOf(1),
      outputs: [0, 1, 2, 3].map((i) => m.outputLevelOf(i)),
    };
  }

  axisSteps(axis: number): number {
    return this.model.stepsMoved(axis);
  }

  axisMm(axis: number): number {
    return this.model.position(axis);
  }

  private step(): void {
    this.advance(LOOP_NS);
    this.guard(() => this.fw.loop());
  }

  private guard(fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
    } catch (e) {
      if (e instanceof FirmwareStopped) {
        this.outputsOff();
        this.stopped = e;
      } else if (e instanceof WebAssembly.RuntimeError) {
        const found = TRAP_CODES.find(([re]) => re.test(e.message));
        const code = found ? found[1] : 0;
        this.output += `\nError:firmware trap ${code} (${found ? found[2] : e.message}), heaters and motors off, halted\n`;
        this.stopped = new FirmwareStopped("trap", code, e.message);
        this.outputsOff();
      } else {
        throw e;
      }
    }
  }

  /** hal_halt and a trap turn every heater and fan off (hal/avr/board.c). */
  private outputsOff(): void {
    for (let i = 0; i < 4; i++) this.model.setOutput(i, 0, this.nowNs);
  }

  /** Moves virtual time forward, delivering serial bytes and step interrupts that fall due. */
  private advance(ns: number): void {
    const target = this.nowNs + ns;
    for (let h = 0; h < 2; h++) {
      if (target - this.heaterSetNs[h] > HEATER_REFRESH_NS && this.model.outputLevelOf(h) > 0) {
        this.model.setOutput(h, 0, this.heaterSetNs[h] + HEATER_REFRESH_NS);
      }
    }
    while (this.txQueued > 0 && this.nextTxNs <= target) {
      this.txQueued--;
      this.nextTxNs += BYTE_NS;
    }
    for (;;) {
      const nextByte = this.pendingInput.length ? this.nextByteNs : Number.POSITIVE_INFINITY;
      const nextTick = this.inIsr ? Number.POSITIVE_INFINITY : this.nextTickNs;
      const next = Math.min(nextByte, nextTick);
      if (next > target) break;
      this.nowNs = Math.max(this.nowNs, next);
      if (next === nextByte) {
        const byte = this.pendingInput.shift()!;
        if (this.rx.length < RX_SIZE) this.rx.push(byte);
        this.nextByteNs += BYTE_NS;
      } else {
        this.stepInterrupt();
      }
    }
    this.nowNs = Math.max(this.nowNs, target);
    if (this.nowNs >= this.thermalTraceNextNs) {
      this.thermalTraceNextNs += 250e6;
      const t = this.thermal();
      this.thermalTrace.push({ s: this.nowNs / 1e9, ...t });
    }
  }

  /** Raises or lowers the step pins of the pending event at `ns`. */
  private stepEdges(high: number, ns: number): void {
    for (let bit = 0; bit < 8; bit++) {
      const axis = this.stepBitAxis[bit];
      if (axis !== undefined && this.pendingSteps & (1 << bit)) this.model.stepEdge(axis, high, ns);
    }
  }

  /**
   * Mirrors the ISR in hal/avr/main.c, with the same policy (StepSchedule): pulse the pending
   * steps, ask for the next word; events due at once, or sooner than MinGapTicks, run in this
   * interrupt, at most MaxBurst of them; past that the next slips to MinGapTicks from now.
   */
  private stepInterrupt(): void {
    this.inIsr = true;
    try {
      let compare = this.nextTickNs; // the compare register: when this interrupt was due
      let t = compare; // now, inside the interrupt
      let burst = SCHEDULE.MaxBurst;
      for (;;) {
        this.stepEdges(1, t);
        for (let copy = 0; copy < this.pendingRepeats; copy++) {
          this.stepEdges(0, t + REPEAT_NS / 2);
          t += REPEAT_NS;
          this.stepEdges(1, t);
        }
        const word = this.fw.stepperIsr() >>> 0;
        this.pendingRepeats = this.fw.stepperRepeats();
        this.stepEdges(0, t + 2000);
        const dirs = (word >>> 8) & 0xff;
        if (dirs !== this.dirBits) {
          for (let bit = 0; bit < 8; bit++) {
            const axis = this.dirBitAxis[bit];
            if (axis === undefined || ((dirs ^ this.dirBits) & (1 << bit)) === 0) continue;
            const level = (dirs >> bit) & 1;
            this.model.dirEdge(axis, level ^ (this.invertDir[axis] ? 1 : 0), t + 2500);
          }
          this.dirBits = dirs;
        }
        this.pendingSteps = word & 0xff;
        const interval = word >>> 16;
        t += BURST_NS; // one pass of the interrupt's loop
        if (interval === 0 && --burst) continue;
        this.stepperIdle = interval === SCHEDULE.IdleInterval;
        let next = compare + interval * TIMER_TICK_NS;
        if (interval === 0 || (interval < 0x8000 && next - t < SCHEDULE.MinGapTicks * TIMER_TICK_NS)) {
          if (interval !== 0 && --burst) {
            compare = next; // taken now, a little early, as the C interrupt does
            continue;
          }
          next = t + SCHEDULE.MinGapTicks * TIMER_TICK_NS;
        }
        this.nextTickNs = next;
        break;
      }
    } finally {
      this.inIsr = false;
    }
  }
}

export interface ThermalSample {
  /** Virtual time, s. */
  s: number;
  hotend: number;
  bed: number;
  hotendSensor: number;
  bedSensor: number;
  /** Output levels 0..1: hotend heater, bed heater, print fan, hotend fan. */
  outputs: number[];
}

/** Lines that get an "ok": anything but blanks and comments. */
export function isCommandLine(line: string): boolean {
  return line.replace(/;.*$/, "").replace(/\([^)]*\)?/g, "").trim().length > 0;
}

export function countOks(text: string): number {
  let n = 0;
  for (const line of text.split("\n")) if (line.startsWith("ok")) n++;
  return n;
}
