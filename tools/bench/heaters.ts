// Heater benchmarks (npm run bench): the PrusaSlicer MK2S fixture printed on the real image with
// the simulator's ok-paced sender, and what heater control costs the CPU.
//
// printTimeRatio: simulated time from the end of the last heating wait (M190/M109) to the last
// line's reply, over PrusaSlicer's "; estimated printing time (normal mode)" (which leaves the
// heating out). Below 1: faster than the slicer's model of the machine. printTimeRatioAfterHoming
// starts after the start code's G28 W instead: the slicer's estimate gives homing no time.
// heaterCpuPercent: the 1 kHz output interrupt (its body, between markers 42/43, plus an
// estimated 40 cycles of entry and exit that the markers cannot see) and the control step
// (markers 40/41, 4 per second), as a share of the 16 MHz CPU.

import { runSim } from "../sim/run.ts";
import { readPrintFile } from "../../tests/fixtures/print/fixture.ts";

const MARK = { commandEnd: "17", controlStart: "40", controlEnd: "41", isrStart: "42", isrEnd: "43" };
/** Register pushes and pops, RETI and the vector jump of an AVR interrupt of this size (estimate). */
const ISR_ENTRY_EXIT_CYCLES = 40;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export interface HeaterBench {
  printTimeRatio: number;
  printTimeRatioAfterHoming: number;
  printSeconds: number;
  printEstimateSeconds: number;
  heatingSeconds: number;
  printFilamentMm: number;
  printFilamentFileMm: number;
  heaterIsrCycles: number;
  heaterControlCycles: number;
  heaterCpuPercent: number;
}

export async function benchHeaters(log: (s: string) => void): Promise<HeaterBench> {
  const file = readPrintFile();
  const r = await runSim({ input: file.commands.join("\n") + "\n", paceByOk: true, timeoutSeconds: 60, maxSeconds: 3600 });
  if (r.report.exit !== "done") throw new Error(`print run: ${r.report.exit}\n${r.stderr}`);
  if (/^Error:/m.test(r.stdout)) throw new Error(`print run raised an error:\n${r.stdout.split("\n").filter((l) => l.startsWith("Error:")).join("\n")}`);
  const fcpu = r.report.fcpu;
  const ends = r.report.markers[MARK.commandEnd].cycles;
  if (ends.length !== file.commands.length) throw new Error(`expected ${file.commands.length} command ends, got ${ends.length}`);
  let lastWait = -1;
  file.commands.forEach((c, i) => {
    if (/^M(109|190)\b/.test(c)) lastWait = i;
  });
  const heatEnd = ends[lastWait] / fcpu;
  const last = ends[ends.length - 1] / fcpu;
  const printSeconds = last - heatEnd;
  const printTimeRatio = Math.round((printSeconds / file.estimatedS) * 1000) / 1000;
  // The same from the end of the start code's G28 W (PrusaSlicer's estimate gives homing no time).
  const homeIndex = file.commands.findIndex((c, i) => i > lastWait && /^G28\b/.test(c));
  const afterHomingSeconds = homeIndex >= 0 ? last - ends[homeIndex] / fcpu : printSeconds;
  const printTimeRatioAfterHoming = Math.round((afterHomingSeconds / file.estimatedS) * 1000) / 1000;

  const m = r.report.markers;
  const isrBody = median(m[MARK.isrStart].cycles.map((c, i) => m[MARK.isrEnd].cycles[i] - c));
  const control = median(m[MARK.controlStart].cycles.map((c, i) => m[MARK.controlEnd].cycles[i] - c - (m[MARK.controlEnd].isrCycles[i] - m[MARK.controlStart].isrCycles[i])));
  const heaterIsrCycles = isrBody + ISR_ENTRY_EXIT_CYCLES;
  const perSecond = heaterIsrCycles * 1000 + control * 4;
  const heaterCpuPercent = Math.round((perSecond / fcpu) * 1000) / 10;

  log(`  PrusaSlicer MK2S box (tests/fixtures/print), ok-paced:`);
  log(`    heating to the end of M109      ${heatEnd.toFixed(1).padStart(8)} s`);
  log(`    printing (after the last wait)  ${printSeconds.toFixed(1).padStart(8)} s, slicer's estimate ${file.estimatedS} s: printTimeRatio ${printTimeRatio.toFixed(3)}`);
  log(`    from the end of G28 W           ${afterHomingSeconds.toFixed(1).padStart(8)} s: printTimeRatioAfterHoming ${printTimeRatioAfterHoming.toFixed(3)}`);
  log(`    filament                        ${r.report.axes.e.mm.toFixed(3).padStart(8)} mm (the file: ${file.filamentMm.toFixed(3)} mm)`);
  log(`  heater output interrupt         ${String(heaterIsrCycles).padStart(8)} cycles at 1 kHz (body ${isrBody} + ~${ISR_ENTRY_EXIT_CYCLES} entry/exit)  heaterIsrCycles`);
  log(`  heater control step             ${String(control).padStart(8)} cycles at 4 Hz (PID x2, protections, fans)  heaterControlCycles`);
  log(`  heaters in all                  ${heaterCpuPercent.toFixed(1).padStart(8)} % CPU  heaterCpuPercent`);
  return {
    printTimeRatio,
    printTimeRatioAfterHoming,
    printSeconds: Math.round(printSeconds * 10) / 10,
    printEstimateSeconds: file.estimatedS,
    heatingSeconds: Math.round(heatEnd * 10) / 10,
    printFilamentMm: Math.round(r.report.axes.e.mm * 1000) / 1000,
    printFilamentFileMm: Math.round(file.filamentMm * 1000) / 1000,
    heaterIsrCycles,
    heaterControlCycles: control,
    heaterCpuPercent,
  };
}
