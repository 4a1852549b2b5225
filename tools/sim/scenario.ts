// From a board and a scenario to the printer model's parameters (tools/sim/model/params.ts):
// every default below says where its value comes from. Used by hal/host (setParam) and by the
// simavr harness ("param <id> <value>" lines written by tools/sim/config.ts).
//
// With no scenario fields the printer is a perfectly built MK2 with an ideal sensor: square axes,
// no shift, a flat level bed, no noise and no drift; the sensor still answers copper targets,
// meander and screws differently, as every PINDA does. The imperfections are the scenario's to
// choose (tests/scenarios/*.json), so that a test says what it is run against.

import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../build/paths.ts";
import type { Board } from "../build/board.ts";
import { SV06_PRESETS, type MeasuredGrid } from "./bedPresets.ts";
import { THERMAL_FAULTS, type Scenario, type GridSpec } from "./config.ts";

/** Reads `export const enum <name> { A = 0, ... }` from a model source file. */
export function readModelEnum(file: string, name: string): Record<string, number> {
  const src = fs.readFileSync(path.join(ROOT, "tools", "sim", "model", file), "utf8");
  const body = new RegExp(`export const enum ${name} \\{([\\s\\S]*?)\\n\\}`).exec(src);
  if (!body) throw new Error(`tools/sim/model/${file}: enum ${name} not found`);
  const out: Record<string, number> = {};
  for (const m of body[1].matchAll(/^\s*(\w+)\s*=\s*(-?\d+)\s*,/gm)) out[m[1]] = Number(m[2]);
  return out;
}

let paramIds: Record<string, number> | undefined;
export function paramId(name: string): number {
  paramIds ??= readModelEnum("params.ts", "Param");
  const id = paramIds[name];
  if (id === undefined) throw new Error(`model parameter ${name} does not exist (tools/sim/model/params.ts)`);
  return id;
}

const GRID_VALUES = 1000;
const GRID_STRIDE = 1000;
const GRIDS = { Warp: 0, Thermal: 1, Bias: 2 } as const;
const GRID_MAX_NODES = 256;

export const PROBE_DEFAULTS = {
  /** Sensor face above the nozzle tip, mm: MK404's PINDA "zip tie" height of 1.0 mm
   * (reference-heaters-lcd-mesh.md section 4), the spacer Prusa's builders set the PINDA with. */
  mountMm: 1.0,
  /** Reach over the heating meander as a share of the reach over a copper target. No PINDA
   * datasheet exists (reference section 6, "Not found"); Prusa's article says only that the
   * meander "is a bad induction target" and a weak sensor may not trigger over it at all. 0.8
   * makes a nominal sensor (1.4 mm reach) switch 0.12 mm above the bed over the meander and a
   * sensor 15 % weaker switch only after the nozzle touched: an estimate, stated as one. */
  meanderRatio: 0.8,
  /** Radius of the sensor's footprint, mm: the PINDA's 8 mm body. */
  footprintRadiusMm: 4,
  /** Extra reach over a bed screw's steel head, mm: an estimate (the article reports "spurious
   * responses" near the screws, no size). */
  screwBumpMm: 0.3,
  /** Trigger noise (standard deviation), mm: 0 for the ideal sensor. Scenarios use 0.005 mm for a
   * typical one: Prusa's MK3 firmware rejects probes spread more than 0.05 mm (reference-prusa.md
   * section 1), about 10 of these standard deviations. */
  noiseMm: 0,
  /** Release above trigger, mm: the middle of Prusa's accepted 0.05-0.25 mm (xyzcal.cpp
   * XYZCAL_PINDA_HYST_*, reference-prusa.md section 4). */
  hysteresisMm: 0.15,
  /** Scale of the MK3 factory drift table (M861 !: 0.02-0.3 mm over 40-60 C). */
  driftScale: 1,
  sensitivity: 1,
  seed: 1,
  /** The sensor's temperature follows the bed under it: a PINDA parked over a 110 C bed read
   * 58 C (prusa3d/Prusa-Firmware#1156, no enclosure), 0.4 of the bed's excess over room
   * temperature; Prusa's MK2 preheats it 120 s before leveling (reference-prusa.md section 1),
   * taken here as two time constants of 60 s. Both estimates; the hotend's share is unknown (0). */
  bedShare: 0.4,
  timeConstantS: 60,
};

/** Temperature at which the scenario's trigger heights hold (the sensor at room temperature), C. */
export const AMBIENT_C = 22;
/** The SV06 thermal table is the bed at 60 C minus the bed at about 17.5 C (seed). */
const THERMAL_LOW_C = 17.5;
const THERMAL_HIGH_C = 60;
/** A loose screw lets the plate sag within this radius, mm: an estimate (half the bed's short side). */
const LOOSE_SCREW_RADIUS_MM = 100;

export type ParamList = [number, number][];

/** A grid spec resolved to bed coordinates: presets are scaled from the SV06's probed area
 * (X 27..210, Y 12..205) onto the printable area. */
export function resolveGrid(spec: GridSpec, board: Board): MeasuredGrid & { scale: number } {
  let grid: MeasuredGrid;
  if (spec.preset) {
    const preset = SV06_PRESETS[spec.preset];
    if (!preset) throw new Error(`unknown bed preset "${spec.preset}" (${Object.keys(SV06_PRESETS).join(", ")})`);
    const p = board.bed.printableMm;
    const mapX = (x: number) => p.x[0] + ((x - 27) / (210 - 27)) * (p.x[1] - p.x[0]);
    const mapY = (y: number) => p.y[0] + ((y - 12) / (205 - 12)) * (p.y[1] - p.y[0]);
    grid = { ...preset, xMm: [mapX(preset.xMm[0]), mapX(preset.xMm[1])], yMm: [mapY(preset.yMm[0]), mapY(preset.yMm[1])] };
  } else if (spec.rows) {
    if (!spec.xMm || !spec.yMm) throw new Error("a bed grid needs xMm and yMm ([first, last])");
    grid = { xMm: spec.xMm, yMm: spec.yMm, rows: spec.rows, source: "scenario" };
  } else throw new Error("a bed grid needs a preset or rows");
  const cols = grid.rows[0]?.length ?? 0;
  if (!cols || grid.rows.some((r) => r.length !== cols) || cols * grid.rows.length > GRID_MAX_NODES) {
    throw new Error(`a bed grid needs equal rows of numbers, at most ${GRID_MAX_NODES} values`);
  }
  return { ...grid, scale: spec.scale ?? 1 };
}

function gridParams(out: ParamList, name: keyof typeof GRIDS, spec: GridSpec | undefined, board: Board): void {
  if (!spec) return;
  const g = resolveGrid(spec, board);
  const p = (k: string, v: number) => out.push([paramId(`${name}${k}`), v]);
  p("X0", g.xMm[0]);
  p("X1", g.xMm[1]);
  p("Y0", g.yMm[0]);
  p("Y1", g.yMm[1]);
  p("Cols", g.rows[0].length);
  p("Rows", g.rows.length);
  g.rows.flat().forEach((v, i) => out.push([GRID_VALUES + GRIDS[name] * GRID_STRIDE + i, v * g.scale]));
}

const KNOWN_KEYS: Record<string, string[]> = {
  scenario: ["$comment", "start", "geometry", "bed", "probe", "nozzle", "firstLayer", "probeTriggerMm", "endstopOvertravelMm", "deadEndstops", "deadProbe", "temperatures", "ambientC", "faults"],
  geometry: ["xAxisDeg", "yAxisDeg", "shiftXMm", "shiftYMm"],
  bed: ["z0", "slopeX", "slopeY", "warp", "thermalWarp", "temperatureC", "looseScrew"],
  "bed.looseScrew": ["screw", "dropMm", "radiusMm", "afterProbes"],
  probe: ["triggerMm", "mountMm", "meanderRatio", "footprintRadiusMm", "screwBumpMm", "sensitivity", "noiseMm", "hysteresisMm", "seed", "temperatureC", "driftScale", "fault", "slip", "bias", "followsBed"],
  "probe.followsBed": ["share", "timeConstantS"],
  "probe.slip": ["mm", "afterProbes", "afterSeconds"],
  nozzle: ["debrisMm", "debrisAfterSeconds"],
  firstLayer: ["commandedMm"],
  grid: ["preset", "xMm", "yMm", "rows", "scale"],
};

/** A misspelt key would silently leave a default in place: refuse it, naming the known ones. */
export function checkScenarioKeys(scenario: Scenario): void {
  const check = (obj: unknown, kind: string, where: string) => {
    if (obj === undefined) return;
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new Error(`scenario: ${where} must be an object`);
    for (const k of Object.keys(obj)) {
      if (!KNOWN_KEYS[kind].includes(k)) throw new Error(`scenario: unknown key ${where === "scenario" ? "" : where + "."}${k} (known: ${KNOWN_KEYS[kind].join(", ")})`);
    }
  };
  check(scenario, "scenario", "scenario");
  check(scenario.geometry, "geometry", "geometry");
  // The thermal faults' names live with the thermal scenario fields (config.ts), read here at call
  // time: config.ts imports this module too.
  KNOWN_KEYS.faults ??= [...THERMAL_FAULTS];
  check(scenario.faults, "faults", "faults");
  check(scenario.bed, "bed", "bed");
  check(scenario.bed?.looseScrew, "bed.looseScrew", "bed.looseScrew");
  check(scenario.bed?.warp, "grid", "bed.warp");
  check(scenario.bed?.thermalWarp, "grid", "bed.thermalWarp");
  check(scenario.probe, "probe", "probe");
  check(scenario.probe?.slip, "probe.slip", "probe.slip");
  check(scenario.probe?.followsBed, "probe.followsBed", "probe.followsBed");
  check(scenario.probe?.bias, "grid", "probe.bias");
  check(scenario.nozzle, "nozzle", "nozzle");
  check(scenario.firstLayer, "firstLayer", "firstLayer");
}

/** Every model parameter for this board and scenario, in the order to apply them. */
export function modelParams(board: Board, scenario: Scenario = {}): ParamList {
  checkScenarioKeys(scenario);
  const out: ParamList = [];
  const set = (name: string, v: number | undefined) => {
    if (v === undefined) return;
    if (!Number.isFinite(v)) throw new Error(`scenario: ${name} must be a finite number, not ${v}`);
    out.push([paramId(name), v]);
  };
  const bed = board.bed;
  const geo = scenario.geometry ?? {};
  set("XAxisDeg", geo.xAxisDeg ?? 0);
  set("YAxisDeg", geo.yAxisDeg ?? 0);
  set("BedShiftX", geo.shiftXMm ?? 0);
  set("BedShiftY", geo.shiftYMm ?? 0);

  set("BedKind", bed.kind === "mk52-steel" ? 1 : 0);
  set("TargetDiameter", bed.targetDiameterMm);
  bed.targetsXMm.forEach((x, i) => set(`TargetX${i}`, x));
  bed.targetsYMm.forEach((y, i) => set(`TargetY${i}`, y));
  set("ScrewCount", bed.screwsMm.length);
  bed.screwsMm.forEach(([x, y], i) => (set(`Screw${i}X`, x), set(`Screw${i}Y`, y)));
  set("PrintableX0", bed.printableMm.x[0]);
  set("PrintableX1", bed.printableMm.x[1]);
  set("PrintableY0", bed.printableMm.y[0]);
  set("PrintableY1", bed.printableMm.y[1]);

  const sb = scenario.bed ?? {};
  set("PlaneZ0", sb.z0 ?? 0);
  set("PlaneSlopeX", sb.slopeX ?? 0);
  set("PlaneSlopeY", sb.slopeY ?? 0);
  set("BedTemperatureC", sb.temperatureC ?? scenario.temperatures?.bed ?? AMBIENT_C);
  set("ThermalLowC", THERMAL_LOW_C);
  set("ThermalHighC", THERMAL_HIGH_C);
  if (sb.looseScrew) {
    const ls = sb.looseScrew;
    if (!(ls.screw >= 0 && ls.screw < bed.screwsMm.length)) throw new Error(`scenario: bed.looseScrew.screw must be 0..${bed.screwsMm.length - 1}`);
    set("LooseScrew", ls.screw);
    set("LooseScrewDropMm", ls.dropMm);
    set("LooseScrewRadiusMm", ls.radiusMm ?? LOOSE_SCREW_RADIUS_MM);
    set("LooseScrewAfterProbes", ls.afterProbes ?? 0);
  }
  gridParams(out, "Warp", sb.warp, board);
  gridParams(out, "Thermal", sb.thermalWarp, board);

  const sp = scenario.probe ?? {};
  set("ProbeOffsetX", board.probe.offsetMm.x);
  set("ProbeOffsetY", board.probe.offsetMm.y);
  set("TargetTriggerMm", sp.triggerMm ?? scenario.probeTriggerMm ?? -board.probe.offsetMm.z);
  set("MountMm", sp.mountMm ?? PROBE_DEFAULTS.mountMm);
  set("MeanderRatio", sp.meanderRatio ?? PROBE_DEFAULTS.meanderRatio);
  set("FootprintRadiusMm", sp.footprintRadiusMm ?? PROBE_DEFAULTS.footprintRadiusMm);
  set("ScrewBumpMm", sp.screwBumpMm ?? PROBE_DEFAULTS.screwBumpMm);
  set("Sensitivity", sp.sensitivity ?? PROBE_DEFAULTS.sensitivity);
  set("NoiseMm", sp.noiseMm ?? PROBE_DEFAULTS.noiseMm);
  set("HysteresisMm", sp.hysteresisMm ?? PROBE_DEFAULTS.hysteresisMm);
  set("DriftScale", sp.driftScale ?? PROBE_DEFAULTS.driftScale);
  set("DriftReferenceC", AMBIENT_C);
  set("SensorTemperatureC", sp.temperatureC ?? AMBIENT_C);
  set("AmbientC", AMBIENT_C);
  set("SensorBedShare", sp.followsBed?.share ?? PROBE_DEFAULTS.bedShare);
  set("SensorTimeConstantS", sp.followsBed?.timeConstantS ?? PROBE_DEFAULTS.timeConstantS);
  const fault = scenario.deadProbe ? "cable-broken" : sp.fault;
  if (fault && fault !== "cable-broken" && fault !== "shorted") throw new Error(`scenario: probe.fault "${fault}" is not cable-broken or shorted`);
  set("ProbeFault", fault === "cable-broken" ? 1 : fault === "shorted" ? 2 : 0);
  if (sp.slip) {
    set("SlipMm", sp.slip.mm);
    set("SlipAfterProbes", sp.slip.afterProbes ?? 0);
    set("SlipAfterSeconds", sp.slip.afterSeconds ?? 0);
    if (!sp.slip.afterProbes && !sp.slip.afterSeconds) throw new Error("scenario: probe.slip needs afterProbes or afterSeconds");
  }
  gridParams(out, "Bias", sp.bias, board);
  const th = board.probe.thermistor;
  if (th) {
    set("PindaR25", th.r25Ohms);
    set("PindaBeta", th.beta);
    set("PindaAdcChannel", th.adcChannel);
  }
  // A clean nozzle unless the scenario says otherwise; a blob, from the start unless it oozes
  // later (debris.json gives 0.6 mm: taller than the 0.4 mm switching gap, so it rests on the bed
  // before the PINDA switches; debris-small.json 0.3 mm, which no probing can see).
  set("DebrisMm", scenario.nozzle?.debrisMm ?? 0);
  set("DebrisAfterSeconds", scenario.nozzle?.debrisAfterSeconds ?? 0);
  set("FirstLayerMm", scenario.firstLayer?.commandedMm ?? 0.2);
  // The seed last: setting any parameter restarts the noise sequence from it.
  set("Seed", sp.seed ?? PROBE_DEFAULTS.seed);
  return out;
}
