// The printer model alone (build/sim/printer.wasm), driven step by step as the firmware's step
// pins would, for tests of the model's physics.

import fs from "node:fs";
import path from "node:path";
import { SIM_DIR } from "../../tools/build/paths.ts";
import { loadBoard, type Board } from "../../tools/build/board.ts";
import { modelParams } from "../../tools/sim/scenario.ts";
import type { Scenario } from "../../tools/sim/config.ts";
import type { ModelTruthExports } from "../../tools/sim/truth.ts";

export interface Model extends ModelTruthExports {
  reset(): void;
  setAxis(axis: number, stepsPerMm: number, start: number, endstop: number, frameMin: number, frameMax: number): void;
  setEnabled(mask: number): void;
  dirEdge(axis: number, positive: number, ns: number): void;
  stepEdge(axis: number, high: number, ns: number): void;
  inputs(): number;
  position(axis: number): number;
  violations(kind: number): number;
  adcCounts(channel: number): number;
}

export const PROBE_BIT = 4;

export class ModelRig {
  readonly board: Board;
  private t = 0;
  constructor(
    readonly m: Model,
    boardName = "minirambo",
    /** Steps per mm of the rig's axes: fine, so trigger heights resolve to 0.25 um. */
    readonly stepsPerMm = 4000,
  ) {
    this.board = loadBoard(boardName);
  }

  static async create(scenario: Scenario = {}, start = { x: 100, y: 100, z: 5 }, boardName = "minirambo"): Promise<ModelRig> {
    const inst = await WebAssembly.instantiate(fs.readFileSync(path.join(SIM_DIR, "printer.wasm")), {});
    const rig = new ModelRig(inst.instance.exports as unknown as Model, boardName);
    rig.configure(scenario, start);
    return rig;
  }

  configure(scenario: Scenario, start: { x: number; y: number; z: number }): void {
    const m = this.m;
    m.reset();
    m.setAxis(0, this.stepsPerMm, start.x, -1e9, -1e9, 1e9);
    m.setAxis(1, this.stepsPerMm, start.y, -1e9, -1e9, 1e9);
    m.setAxis(2, this.stepsPerMm, start.z, -1e9, -1e9, 1e9);
    m.setAxis(3, 100, 0, -1e9, -1e9, 1e9);
    m.setEnabled(15);
    for (const [id, v] of modelParams(this.board, scenario)) m.setParam(id, v);
  }

  private step(axis: number, positive: boolean): void {
    this.t += 10_000; // 10 us a step: far from every pulse limit
    this.m.dirEdge(axis, positive ? 1 : 0, this.t);
    this.t += 2_000;
    this.m.stepEdge(axis, 1, this.t);
    this.t += 2_000;
    this.m.stepEdge(axis, 0, this.t);
  }

  /** Moves an axis to a position (to the nearest step). */
  moveTo(axis: number, mm: number): void {
    const spm = axis === 3 ? 100 : this.stepsPerMm;
    let n = Math.round((mm - this.m.position(axis)) * spm);
    while (n !== 0) {
      this.step(axis, n > 0);
      n += n > 0 ? -1 : 1;
    }
  }

  /** Extrudes e mm (100 steps/mm on the rig). */
  extrude(mm: number): void {
    for (let n = Math.round(mm * 100); n > 0; n--) this.step(3, true);
  }

  triggered(): boolean {
    return (this.m.inputs() & PROBE_BIT) !== 0;
  }

  /** Lowers Z one step at a time until the probe switches; returns the nozzle Z then, or null if
   * it did not switch before `lowest`. */
  probeDown(lowest = -2): number | null {
    while (!this.triggered()) {
      if (this.m.position(2) <= lowest) return null;
      this.step(2, false);
    }
    return this.m.position(2);
  }

  /** Raises Z one step at a time until the probe opens; returns Z then. */
  liftUntilOpen(highest = 10): number | null {
    while (this.triggered()) {
      if (this.m.position(2) >= highest) return null;
      this.step(2, true);
    }
    return this.m.position(2);
  }

  get timeNs(): number {
    return this.t;
  }
}
