// The simulated printer's configuration: the board's pins and mechanics (boards/<name>/board.json)
// plus a scenario describing this particular printer (where the carriages stand at power-on, how
// the bed lies, ...). Written as the plain "key values" file tools/sim/harness.c reads; hal/host
// uses the same Scenario to configure the same model in Node.

import fs from "node:fs";
import { AXES, loadBoard, parsePin, simBoardConfig, type Board } from "../build/board.ts";
import { modelParams } from "./scenario.ts";

function pinText(pin: string): string {
  const p = parsePin(pin);
  return `${p.port} ${p.bit}`;
}

/** A smooth height field over the bed: a preset from the SV06 seed (tools/sim/bedPresets.ts,
 * scaled onto the printable area), or rows of heights (front row first) between xMm and yMm. */
export interface GridSpec {
  preset?: string;
  xMm?: [number, number];
  yMm?: [number, number];
  rows?: number[][];
  /** Multiplies every height (default 1). */
  scale?: number;
}

/** One simulated printer: how it was built and what is wrong with it (README "Scenarios"). */
export interface Scenario {
  $comment?: string;
  /** Physical position of the carriages at power-on, mm. */
  start?: { x?: number; y?: number; z?: number };
  /** Machine geometry: the X and Y axes' angles against the bed (degrees; the skew is their
   * difference) and the bed's shift against the machine origin, mm. */
  geometry?: { xAxisDeg?: number; yAxisDeg?: number; shiftXMm?: number; shiftYMm?: number };
  /** The bed: plane z = z0 + slopeX * x + slopeY * y (mm, bed mm), a warp, a thermal warp (the change
   * from 17.5 C to 60 C, scaled with temperatureC), a screw that works loose. */
  bed?: {
    z0?: number;
    slopeX?: number;
    slopeY?: number;
    warp?: GridSpec;
    thermalWarp?: GridSpec;
    temperatureC?: number;
    looseScrew?: { screw: number; dropMm: number; radiusMm?: number; afterProbes?: number };
  };
  /** The inductive sensor (tools/sim/scenario.ts PROBE_DEFAULTS says where each default comes from). */
  probe?: {
    /** Nozzle height over a target's centre (or the steel sheet) at which it switches, mm (default: -probe offset z). */
    triggerMm?: number;
    mountMm?: number;
    meanderRatio?: number;
    footprintRadiusMm?: number;
    screwBumpMm?: number;
    sensitivity?: number;
    noiseMm?: number;
    hysteresisMm?: number;
    seed?: number;
    temperatureC?: number;
    driftScale?: number;
    fault?: "cable-broken" | "shorted";
    slip?: { mm: number; afterProbes?: number; afterSeconds?: number };
    /** The sensor's temperature moves towards ambient + share * (bed - ambient) with this time
     * constant (timeConstantS 0: it keeps temperatureC). */
    followsBed?: { share?: number; timeConstantS?: number };
    /** Location bias: the sensor sees the bed this much higher than it is (mm) at each point. */
    bias?: GridSpec;
  };
  /** A blob of plastic stuck under the nozzle, debrisMm tall: it reaches that much lower, and when
   * taller than the sensor's switching gap it rests on the bed before the sensor switches
   * (tools/sim/model/printer.ts blobStopsZ). debrisAfterSeconds: it appears at that model time
   * (oozed while heating after homing; default 0, from the start). */
  nozzle?: { debrisMm?: number; debrisAfterSeconds?: number };
  /** The height the first layer is meant to have, for the first-layer report's RMS error, mm (0.2). */
  firstLayer?: { commandedMm?: number };
  /** Older name of probe.triggerMm. */
  probeTriggerMm?: number;
  /** How far a carriage can go past its min endstop before it hits the frame, mm. */
  endstopOvertravelMm?: number;
  /** Faults: switches that never close, a probe that never switches. */
  deadEndstops?: ("x" | "y")[];
  deadProbe?: boolean;
  /** Where the hotend and bed start, C (they then heat and cool as tools/sim/model/thermal.ts says). Default: the room. */
  temperatures?: { hotend?: number; bed?: number };
  /** The room, C (default 22). */
  ambientC?: number;
  /** Faults and the simulated second each begins (tools/sim/model/thermal.ts). */
  faults?: Partial<Record<ThermalFault, number>>;
}

/** The model's Fault kinds, in its numbering. */
export const THERMAL_FAULTS = [
  "hotendHeaterDisconnected",
  "hotendThermistorFallenOut",
  "hotendThermistorOpen",
  "hotendThermistorShorted",
  "bedThermistorOpen",
  "bedThermistorShorted",
  "weakSupply",
] as const;
export type ThermalFault = (typeof THERMAL_FAULTS)[number];

/**
 * Each sensor's R-T curve in the model (thermal.ts Curve): the MK2's hotend thermistor is an ATC
 * Semitec 104GT-2 (0), its bed's an EPCOS B57560G104F (1): the datasheet tables, not the board
 * file's beta values, are the truth the firmware is measured against.
 */
export const SENSOR_CURVES: [number, number][] = [
  [0, 0],
  [1, 1],
];

/** Faults as [model kind, second it begins]. */
export function faults(scenario: Scenario = {}): [number, number][] {
  return Object.entries(scenario.faults ?? {}).map(([k, at]) => {
    const kind = THERMAL_FAULTS.indexOf(k as ThermalFault);
    if (kind < 0) throw new Error(`unknown thermal fault ${k} (known: ${THERMAL_FAULTS.join(", ")})`);
    return [kind, at as number];
  });
}

export const AMBIENT_C = 22;

/** Sensor index (as in simBoardConfig's thermistor lines) and temperature. */
export function temperatures(scenario: Scenario = {}): [number, number][] {
  const room = scenario.ambientC ?? AMBIENT_C;
  return [
    [0, scenario.temperatures?.hotend ?? room],
    [1, scenario.temperatures?.bed ?? room],
  ];
}

export const DEFAULT_START = { x: 100, y: 100, z: 20 };

export interface Mechanics {
  axis: number;
  stepsPerMm: number;
  startMm: number;
  endstopMm: number;
  frameMinMm: number;
  frameMaxMm: number;
}

/** Where things physically are, from the board and the scenario. */
export function mechanics(board: Board, scenario: Scenario = {}): Mechanics[] {
  const start = { ...DEFAULT_START, ...scenario.start };
  const over = scenario.endstopOvertravelMm ?? 1.5;
  const far = 1e9;
  return AXES.map((a, i) => {
    const spm = board.motion.stepsPerMm[a];
    if (a === "x" || a === "y") {
      const ax = board.axes[a];
      const dead = scenario.deadEndstops?.includes(a) ?? false;
      return { axis: i, stepsPerMm: spm, startMm: start[a], endstopMm: dead ? -far : ax.home, frameMinMm: ax.home - over, frameMaxMm: ax.max + 2 };
    }
    if (a === "z") return { axis: i, stepsPerMm: spm, startMm: start.z, endstopMm: -far, frameMinMm: -far, frameMaxMm: board.axes.z.max + 2 };
    return { axis: i, stepsPerMm: spm, startMm: 0, endstopMm: -far, frameMinMm: -far, frameMaxMm: far };
  });
}

export function probeTrigger(board: Board, scenario: Scenario = {}): number {
  if (scenario.deadProbe) return -1e9;
  return scenario.probeTriggerMm ?? -board.probe.offsetMm.z;
}

export function harnessConfig(boardName: string | Board, scenario: Scenario = {}): string {
  const board = typeof boardName === "string" ? loadBoard(boardName) : boardName;
  const lines = [simBoardConfig(board).trimEnd()];
  for (const m of mechanics(board, scenario)) {
    lines.push(`mech ${m.axis} ${m.stepsPerMm} ${m.startMm} ${m.endstopMm} ${m.frameMinMm} ${m.frameMaxMm}`);
  }
  lines.push(`probe ${board.probe.offsetMm.x} ${board.probe.offsetMm.y} ${probeTrigger(board, scenario)}`);
  const bed = scenario.bed ?? {};
  lines.push(`bedplane ${bed.z0 ?? 0} ${bed.slopeX ?? 0} ${bed.slopeY ?? 0}`);
  for (const [sensor, celsius] of temperatures(scenario)) lines.push(`temperature ${sensor} ${celsius}`);
  for (const [id, value] of modelParams(board, scenario)) lines.push(`param ${id} ${value}`);
  lines.push(`fan print ${pinText(board.fans.print)}`, `fan hotend ${pinText(board.fans.hotend)}`);
  for (const [sensor, curve] of SENSOR_CURVES) lines.push(`curve ${sensor} ${curve}`);
  lines.push(`ambient ${scenario.ambientC ?? AMBIENT_C}`);
  for (const [kind, at] of faults(scenario)) lines.push(`fault ${kind} ${at}`);
  return lines.join("\n") + "\n";
}

export function loadScenario(file?: string): Scenario {
  if (!file) return {};
  return JSON.parse(fs.readFileSync(file, "utf8")) as Scenario;
}
