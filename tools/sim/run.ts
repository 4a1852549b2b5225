// Run the real firmware image in the simulated printer from code (tests, benchmarks).

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { boardBuildDir, DEFAULT_BOARD, SIM_BINARY } from "../build/paths.ts";
import { harnessConfig, type Scenario } from "./config.ts";
import { loadBoard, type Board } from "../build/board.ts";
import { decodeTruth, type TruthReport } from "./truth.ts";

export interface SimOptions {
  board?: string;
  /** Board data for the simulated printer instead of boards/<board>/board.json (benchmarks). */
  boardData?: Board;
  /** Bytes sent to the serial port, paced at 115200 baud. */
  input?: string | Buffer;
  /** Send each line only after every earlier command had its "ok", as hosts do when printing
   * (with no host latency). Without it the input streams as fast as the line allows. */
  paceByOk?: boolean;
  /** EEPROM file (read at start, written at exit); default: a fresh erased EEPROM. */
  eeprom?: string;
  scenario?: Scenario;
  /** Another image than build/<board>/firmware.hex (test fixtures). */
  hex?: string;
  /** Simulated seconds without output before giving up while commands wait for "ok". */
  timeoutSeconds?: number;
  /** Hard limit of simulated seconds. */
  maxSeconds?: number;
  traceSteps?: boolean;
  /** Record the simulated cycle at which each '\n' sent reached the firmware's UART. */
  traceInput?: boolean;
  /** Record every step interrupt: when it started and how many cycles it took. */
  traceIsr?: boolean;
  /** Record the model's heat every 100 ms of simulated time (SimResult.thermal). */
  traceThermal?: boolean;
  extraArgs?: string[];
}

export interface SimReport {
  exit: string;
  exitCode: number;
  cycles: number;
  fcpu: number;
  serial: { bytesIn: number; bytesOut: number; oksExpected: number; oks: number };
  axes: Record<string, { steps: number; stepsTotal: number; mm: number }>;
  violations: Record<string, { count: number; firstNs: number; axis: number }>;
  stepIsr: { calls: number; cycles: number; min: number; max: number };
  inputs: number;
  /** The front panel: detents and presses the script made, tones of the beeper and their length. */
  panel: { detentsTurned: number; presses: number; beeps: number; beepMs: number; turnCycles: [number, number] };
  /**
   * The display (simavr's HD44780 part): the text of each row, the bytes it received, and how many
   * E pulses came before the controller had executed the byte before (should be 0).
   */
  lcd: { rows: string[]; bytes: number; early: number };
  /** Data-space bytes asked for with --dump-sram. */
  sram: { start: number; bytes: number[] };
  markers: Record<string, { count: number; cycles: number[]; isrCycles: number[] }>;
  /** The printer model's truth report as the harness wrote it (a flat list), and named. */
  model: (number | null)[];
  truth: TruthReport;
  /** The model's heat at the end (tools/sim/model/thermal.ts); outputs: hotend, bed, print fan, hotend fan. */
  thermal: {
    hotend: { celsius: number; sensorCelsius: number; maxSensorCelsius: number };
    bed: { celsius: number; sensorCelsius: number; maxSensorCelsius: number };
    outputOnSeconds: number[];
    outputLevels: number[];
    hotendFanOffWhileHotSeconds: number;
    /** When each output last turned off, ns of simulated time (-1: never). */
    lastOffNs: number[];
    /** The first forward E step and the thermistors' temperatures then (ns -1: none). */
    firstExtrusion: { ns: number; hotendCelsius: number; bedCelsius: number };
  };
}

/** The model every 100 ms: true temperatures, what the thermistors' beads are at, output levels. */
export interface SimThermalSample {
  s: number;
  hotend: number;
  hotendSensor: number;
  bed: number;
  bedSensor: number;
  outputs: number[];
}

/** Adds the named truth report to a harness report. */
export function addTruth<T extends { model?: (number | null)[] }>(report: T, board: Board): T & { truth?: TruthReport } {
  if (!report.model) return report;
  return { ...report, truth: decodeTruth(report.model, board.bed.printableMm) };
}

export interface StepEvent {
  cycle: number;
  axis: number;
  position: number;
}

export interface IsrCall {
  start: number;
  cycles: number;
}

export interface SimResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  report: SimReport;
  steps?: StepEvent[];
  isr?: IsrCall[];
  /** With traceInput: the cycle of each line end delivered, in order. */
  lineEnds?: number[];
  thermal?: SimThermalSample[];
}

export function runSim(opts: SimOptions = {}): Promise<SimResult> {
  const board = opts.board ?? DEFAULT_BOARD;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumbsim-"));
  const config = path.join(dir, "sim.cfg");
  fs.writeFileSync(config, harnessConfig(opts.boardData ?? board, opts.scenario));
  const reportFile = path.join(dir, "report.json");
  const traceFile = path.join(dir, "steps.txt");
  const isrFile = path.join(dir, "isr.txt");
  const inputFile = path.join(dir, "input.txt");
  const thermalFile = path.join(dir, "thermal.txt");
  const hex = opts.hex ?? path.join(boardBuildDir(board), "firmware.hex");
  const args = ["--hex", hex, "--config", config, "--report", reportFile];
  if (opts.eeprom) args.push("--eeprom", opts.eeprom);
  if (opts.timeoutSeconds !== undefined) args.push("--timeout", String(opts.timeoutSeconds));
  if (opts.maxSeconds !== undefined) args.push("--max-seconds", String(opts.maxSeconds));
  if (opts.paceByOk) args.push("--pace-by-ok");
  if (opts.traceSteps) args.push("--trace-steps", traceFile);
  if (opts.traceIsr) args.push("--trace-isr", isrFile);
  if (opts.traceInput) args.push("--trace-input", inputFile);
  if (opts.traceThermal) args.push("--trace-thermal", thermalFile);
  if (opts.extraArgs) args.push(...opts.extraArgs);
  return new Promise((resolve, reject) => {
    const child = spawn(SIM_BINARY, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        const report = addTruth(JSON.parse(fs.readFileSync(reportFile, "utf8")), opts.boardData ?? loadBoard(board)) as SimReport;
        const steps = opts.traceSteps ? parseTrace(fs.readFileSync(traceFile, "utf8")) : undefined;
        const isr = opts.traceIsr ? parseIsrTrace(fs.readFileSync(isrFile, "utf8")) : undefined;
        const lineEnds = opts.traceInput ? fs.readFileSync(inputFile, "utf8").split("\n").filter(Boolean).map(Number) : undefined;
        const thermal = opts.traceThermal ? parseThermalTrace(fs.readFileSync(thermalFile, "utf8")) : undefined;
        resolve({ stdout: Buffer.concat(out).toString("latin1"), stderr: Buffer.concat(err).toString(), exitCode: code ?? -1, report, steps, isr, lineEnds, thermal });
      } catch (e) {
        reject(new Error(`plumbsim exited ${code} without a report: ${Buffer.concat(err).toString()}`));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

function parseThermalTrace(text: string): SimThermalSample[] {
  return text
    .split("\n")
    .filter((l) => l)
    .map((l) => {
      const v = l.split(" ").map(Number);
      return { s: v[0], hotend: v[1], hotendSensor: v[2], bed: v[3], bedSensor: v[4], outputs: v.slice(5, 9) };
    });
}

function parseIsrTrace(text: string): IsrCall[] {
  const calls: IsrCall[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    const sp = line.indexOf(" ");
    calls.push({ start: Number(line.slice(0, sp)), cycles: Number(line.slice(sp + 1)) });
  }
  return calls;
}

export function parseTrace(text: string): StepEvent[] {
  const events: StepEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    const [c, a, p] = line.split(" ");
    events.push({ cycle: Number(c), axis: Number(a), position: Number(p) });
  }
  return events;
}
