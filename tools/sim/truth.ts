// The model's truth report, named: what the printer really was and what really happened in a run
// (tools/sim/model/printer.ts truthValue). The simavr harness writes the raw list as "model" in
// --report; runSim and `npm run sim --report` add this decoded "truth" next to it, and host tests
// read it from the model directly (readTruth).

import { readModelEnum } from "./scenario.ts";

export interface ModelTruthExports {
  setParam(id: number, value: number): void;
  getParam(id: number): number;
  truthLength(): number;
  truthValue(i: number): number;
  bedHeightAt(x: number, y: number): number;
  triggerHeightAtMachine(x: number, y: number): number;
  sensingDistanceAtBed(x: number, y: number): number;
  sensorBed(x: number, y: number, axis: number): number;
  /** The nozzle's lowest point (a blob of debris under it included) above the bed, mm. */
  clearance(): number;
  /** The nozzle's own tip above the bed, mm. */
  tipClearance(): number;
  settle(): void;
  setBedTemperatureC(c: number): void;
  setSensorTemperatureC(c: number): void;
}

export interface TruthReport {
  geometry: { xAxisDeg: number; yAxisDeg: number; skewDeg: number; shiftXMm: number; shiftYMm: number };
  /** Front row first, left first. probeOverMm: carriage (machine) X/Y that put the sensor's axis
   * over the target's centre (what Prusa's XYZ calibration finds); nozzleOverMm: the carriage X/Y
   * that put the nozzle over it. */
  targets: { probeOverMm: [number, number]; nozzleOverMm: [number, number] }[];
  /** Smallest clearance of the nozzle's tip over the bed reached (mm) and where (machine X/Y). */
  minClearanceMm: number;
  minClearanceAtMm: [number, number];
  /** Times the nozzle went from clear of the bed to touching it, and the first 8 of them. */
  contacts: number;
  contactLog: { xMm: number; yMm: number; zMm: number; timeS: number }[];
  /** A blob of plastic under the nozzle (scenario nozzle.debrisMm): the times it came to rest on
   * the bed, and the Z steps the motors lost against it (the carriage held up). Not contacts:
   * the nozzle's metal stays clear. */
  debris: { contacts: number; zStalledSteps: number };
  probe: { triggers: number; slipped: boolean; temperatureC: number; driftMm: number };
  bed: { temperatureC: number; looseScrew: number };
  /** True gap between nozzle and bed wherever it extruded below 1 mm. */
  firstLayer: {
    samples: number;
    commandedMm: number;
    meanMm: number;
    stdDevMm: number;
    rmsErrorMm: number;
    minMm: number;
    maxMm: number;
    /** 5 x 5 cells over the printable area, front row first; null where nothing was printed. */
    map: (number | null)[][];
  };
  /** 11 x 11 true bed heights under the nozzle, machine X/Y spread evenly over the printable area
   * (front row first). */
  heightGrid: { xMm: [number, number]; yMm: [number, number]; rows: number[][] };
}

let fields: Record<string, number> | undefined;
function field(name: string): number {
  fields ??= readModelEnum("printer.ts", "TruthField");
  const i = fields[name];
  if (i === undefined) throw new Error(`truth field ${name} missing from tools/sim/model/printer.ts`);
  return i;
}

export function decodeTruth(raw: (number | null)[], printable?: { x: [number, number]; y: [number, number] }): TruthReport {
  if (raw.length !== field("Count")) throw new Error(`model truth has ${raw.length} values, expected ${field("Count")}`);
  const v = (name: string, k = 0) => raw[field(name) + k] as number;
  const cell = (name: string, k: number) => raw[field(name) + k];
  const targets = Array.from({ length: 9 }, (_, t) => ({
    probeOverMm: [v("Targets", t * 4), v("Targets", t * 4 + 1)] as [number, number],
    nozzleOverMm: [v("Targets", t * 4 + 2), v("Targets", t * 4 + 3)] as [number, number],
  }));
  const contacts = v("Contacts");
  const contactLog = Array.from({ length: Math.min(contacts, 8) }, (_, k) => ({
    xMm: v("ContactLog", k * 4),
    yMm: v("ContactLog", k * 4 + 1),
    zMm: v("ContactLog", k * 4 + 2),
    timeS: v("ContactLog", k * 4 + 3) / 1e9,
  }));
  const map = Array.from({ length: 5 }, (_, r) => Array.from({ length: 5 }, (_, c) => cell("LayerMap", r * 5 + c) ?? null));
  const n = 11;
  const rows = Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => v("HeightGrid", r * n + c)));
  return {
    geometry: { xAxisDeg: v("XAxisDeg"), yAxisDeg: v("YAxisDeg"), skewDeg: v("SkewDeg"), shiftXMm: v("BedShiftX"), shiftYMm: v("BedShiftY") },
    targets,
    minClearanceMm: v("MinClearance"),
    minClearanceAtMm: [v("MinClearanceX"), v("MinClearanceY")],
    contacts,
    contactLog,
    debris: { contacts: v("DebrisContacts"), zStalledSteps: v("ZStalledSteps") },
    probe: { triggers: v("ProbeTriggers"), slipped: v("ProbeSlipped") === 1, temperatureC: v("SensorTemperatureC"), driftMm: v("DriftMm") },
    bed: { temperatureC: v("BedTemperatureC"), looseScrew: v("LooseScrew") },
    firstLayer: {
      samples: v("LayerSamples"),
      commandedMm: v("LayerCommanded"),
      meanMm: v("LayerMean"),
      stdDevMm: v("LayerStdDev"),
      rmsErrorMm: v("LayerRms"),
      minMm: v("LayerMin"),
      maxMm: v("LayerMax"),
      map,
    },
    heightGrid: { xMm: printable?.x ?? [NaN, NaN], yMm: printable?.y ?? [NaN, NaN], rows },
  };
}

/** The truth report straight from a model instance (host runs). */
export function readTruth(model: Pick<ModelTruthExports, "truthLength" | "truthValue">, printable?: { x: [number, number]; y: [number, number] }): TruthReport {
  const raw: (number | null)[] = [];
  for (let i = 0; i < model.truthLength(); i++) {
    const x = model.truthValue(i);
    raw.push(Number.isNaN(x) ? null : x);
  }
  return decodeTruth(raw, printable);
}
