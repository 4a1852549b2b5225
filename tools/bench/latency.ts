// Latency of a G1: from the moment its line has arrived to the first step pulse, in simavr
// cycles (exact and repeatable). The host sends the line as soon as the "ok" of the line before
// arrives (printcore's pacing), with the printer idle, X homed.
//
// The harness does not timestamp incoming bytes, so the line's arrival is worked out from the
// firmware's marker at the end of the previous command (MARK_COMMAND_END, gcode/executor.ts):
// its "ok\n" leaves in 3 byte times, then the G1 line takes one byte time per byte at 115200
// baud (8N1: 10 bits a byte). That estimate is good to about one byte time (87 us); the time
// from the command's start (MARK_COMMAND_START, exact) to the first step is a lower bound.

import { runSim } from "../sim/run.ts";

const F_CPU = 16e6;
const BYTE_CYCLES = (10 / 115200) * F_CPU;
const MARK_COMMAND_START = "16";
const MARK_COMMAND_END = "17";
/** The move measured: 10 mm of X at 100 mm/s from rest. */
const MOVE = "G1 X20 F6000";

export interface Latency {
  /** Estimated arrival of the line's last byte to the first X step, ms. */
  lineToFirstStepMs: number;
  /** The G1's dispatch starting to the first X step, ms (exact). */
  commandToFirstStepMs: number;
  /** The G1 handler's own time (parse, plan, first segments), ms. */
  commandMs: number;
}

export async function measureLatency(): Promise<Latency> {
  const input = ["G28 X", "G1 X10 F6000", "M400", "G4 P50", MOVE, "M400"];
  const r = await runSim({ input: input.join("\n") + "\n", paceByOk: true, traceSteps: true, timeoutSeconds: 60 });
  const starts = r.report.markers[MARK_COMMAND_START].cycles;
  const ends = r.report.markers[MARK_COMMAND_END].cycles;
  // Commands after boot: the banner runs none, so index i is input[i].
  const g1 = input.indexOf(MOVE);
  const previousEnd = ends[g1 - 1];
  const arrival = previousEnd + (3 + MOVE.length + 1) * BYTE_CYCLES;
  const firstStep = r.steps!.find((e) => e.axis === 0 && e.cycle > starts[g1])!.cycle;
  const ms = (c: number) => Math.round((c / F_CPU) * 1e5) / 100;
  return { lineToFirstStepMs: ms(firstStep - arrival), commandToFirstStepMs: ms(firstStep - starts[g1]), commandMs: ms(ends[g1] - starts[g1]) };
}

/** The bench's line about it. */
export async function latencyLine(): Promise<string> {
  const l = await measureLatency();
  return `  G1 latency, line to first step ${l.lineToFirstStepMs.toFixed(2).padStart(6)} ms  (from the G1's start ${l.commandToFirstStepMs.toFixed(2)} ms; the handler itself ${l.commandMs.toFixed(2)} ms; ${MOVE} from rest)`;
}
