// Settings G-codes: M92 M201 M203 M204 M205 M851 and M500 (save) M501 (load) M502 (factory
// defaults) M503 (report). A command with any value out of range changes nothing and says which.

import * as mesh from "../leveling/mesh";
import { saveMesh } from "./levelingCommands";
import { applyStoredTransform } from "../calibration/stored";
import * as parser from "./parser";
import { Letter } from "./letters";
import * as out from "../serial/out";
import { rom, RomText } from "../rom";
import * as settings from "../settings/store";
import { S, LoadResult } from "../settings/store";
import { AXES, E, Z, axisLetter } from "../motion/axes";
import * as motion from "../motion/motion";
import { reportLoadFailure } from "../settings/messages";

/** Checks every given axis value of the command against [lo, hi]; prints the error if one fails. */
function axesInRange(axes: i32, lo: f32, hi: f32, what: RomText): bool {
  for (let a = 0; a < axes; a++) {
    const l = axisLetter(a);
    if (!parser.hasValue(l)) continue;
    const v = parser.value(l);
    if (!(v >= lo && v <= hi)) {
      rangeError(l, v, lo, hi, what);
      return false;
    }
  }
  return true;
}

function rangeError(letter: u32, v: f32, lo: f32, hi: f32, what: RomText): void {
  out.text(rom("Error:M"));
  out.uint(<u32>parser.code);
  out.char(32);
  out.char(letter);
  out.fixed(v, 3);
  out.text(rom(": "));
  out.text(what);
  out.text(rom(" must be "));
  out.fixed(lo, 3);
  out.text(rom(" to "));
  out.fixed(hi, 3);
  out.line(rom("; nothing changed"));
}

function setAxes(field: u32, axes: i32): void {
  for (let a = 0; a < axes; a++) {
    const l = axisLetter(a);
    if (parser.hasValue(l)) settings.setAxisF32(field, a, parser.value(l));
  }
}

/** M92 X Y Z E: steps per mm. The position in mm (and any G92 offset) stays; its step count follows. */
export function m92(): void {
  if (!axesInRange(AXES, 0.001, settings.STEPS_PER_MM_MAX, rom("steps per mm"))) return;
  // The position must stay within the step counters' range at the new resolution.
  if (parser.hasValue(Letter.E) && !(Mathf.abs(motion.native(E) * parser.value(Letter.E)) <= motion.MAX_STEP_POSITION)) {
    out.line(rom("Error:M92 E: the E position would leave the step counter's range (reset E with G92 E0 first); nothing changed"));
    return;
  }
  motion.synchronize();
  setAxes(S.StepsPerMm, AXES);
  motion.resyncSteps();
}

/** M201 X Y Z E: maximum acceleration per axis, mm/s^2. */
export function m201(): void {
  if (!axesInRange(AXES, 1, settings.ACCEL_MAX, rom("maximum acceleration (mm/s^2)"))) return;
  setAxes(S.MaxAccel, AXES);
}

/** M203 X Y Z E: maximum feedrate per axis, mm/s. */
export function m203(): void {
  if (!axesInRange(AXES, 0.1, settings.FEEDRATE_MAX, rom("maximum feedrate (mm/s)"))) return;
  setAxes(S.MaxFeedrate, AXES);
}

function checkLetter(l: u32, lo: f32, hi: f32, what: RomText): bool {
  if (!parser.hasValue(l)) return true;
  const v = parser.value(l);
  if (v >= lo && v <= hi) return true;
  rangeError(l, v, lo, hi, what);
  return false;
}

function setLetter(l: u32, field: u32): void {
  if (parser.hasValue(l)) settings.setF32(field, parser.value(l));
}

/** M204 P<print> R<retract> T<travel> (S = P and T, as older Marlin): accelerations, mm/s^2. */
export function m204(): void {
  const what = rom("acceleration (mm/s^2)");
  if (!checkLetter(Letter.P, 1, settings.ACCEL_MAX, what) || !checkLetter(Letter.R, 1, settings.ACCEL_MAX, what)) return;
  if (!checkLetter(Letter.T, 1, settings.ACCEL_MAX, what) || !checkLetter(Letter.S, 1, settings.ACCEL_MAX, what)) return;
  if (parser.hasValue(Letter.S)) {
    settings.setF32(S.Accel, parser.value(Letter.S));
    settings.setF32(S.TravelAccel, parser.value(Letter.S));
  }
  setLetter(Letter.P, S.Accel);
  setLetter(Letter.R, S.RetractAccel);
  setLetter(Letter.T, S.TravelAccel);
}

/** M205 B<min segment us> S<min feedrate> T<min travel feedrate> J<junction deviation mm>. */
export function m205(): void {
  if (!checkLetter(Letter.B, 0, 1000000, rom("minimum segment time (us)"))) return;
  if (!checkLetter(Letter.S, 0, settings.FEEDRATE_MAX, rom("minimum feedrate (mm/s)"))) return;
  if (!checkLetter(Letter.T, 0, settings.FEEDRATE_MAX, rom("minimum travel feedrate (mm/s)"))) return;
  if (!checkLetter(Letter.J, settings.JUNCTION_DEVIATION_MIN, settings.JUNCTION_DEVIATION_MAX, rom("junction deviation (mm)"))) return;
  setLetter(Letter.B, S.MinSegmentTimeUs);
  setLetter(Letter.S, S.MinFeedrate);
  setLetter(Letter.T, S.MinTravelFeedrate);
  setLetter(Letter.J, S.JunctionDeviation);
  // Slicers (PrusaSlicer among them) also send classic jerk limits as M205 X Y Z E.
  if (parser.has(Letter.X) || parser.has(Letter.Y) || parser.has(Letter.Z) || parser.has(Letter.E)) {
    out.line(rom("echo:M205 X/Y/Z/E (jerk) ignored: corners are planned by junction deviation (M205 J)"));
  }
  // B S T are kept (M500 saves them, M503 reports them) for hosts that set them, but the planner
  // does not use them yet: no minimum segment time slows short segments down, and no minimum
  // feedrate raises slow moves. Say so rather than let them look effective.
  if (parser.has(Letter.B) || parser.has(Letter.S) || parser.has(Letter.T)) {
    out.line(rom("echo:M205 B/S/T stored but not used by the planner yet (no minimum segment time or feedrate)"));
  }
}

/** M851 X Y Z: where the probe is relative to the nozzle, mm (Z negative: probe switches above). */
export function m851(): void {
  if (!axesInRange(3, -settings.PROBE_OFFSET_MAX, settings.PROBE_OFFSET_MAX, rom("probe offset (mm)"))) return;
  setAxes(S.ProbeOffset, 3);
  if (parser.hasValue(Letter.Z)) motion.markUnhomed(Z); // Z zero came from the old offset
}

/** "<prefix>98 bytes, crc 12345)": the record M500 wrote or M501 read. */
function recordSummary(prefix: RomText): void {
  out.text(prefix);
  out.uint(settings.recordBytes());
  out.text(rom(" bytes, crc "));
  out.uint(settings.lastComputedCrc);
  out.line(rom(")"));
}

/** M500: save the settings to EEPROM. */
export function m500(): void {
  motion.synchronize(); // writing EEPROM takes ~3.4 ms a byte: not while moving
  if (settings.saveToEeprom()) {
    recordSummary(rom("echo:Settings stored ("));
    // Mesh leveling: the live mesh in its own record (gcode/levelingCommands.ts).
    if (mesh.hasMesh()) {
      if (saveMesh()) out.line(rom("echo:Mesh stored (M420 S1 loads it)"));
      else out.line(rom("Error:EEPROM write failed: read-back differs; mesh not stored"));
    }
  } else {
    out.line(rom("Error:EEPROM write failed: read-back differs; settings not stored"));
  }
}

/** M501: load the settings from EEPROM. A record that fails a check changes nothing. */
export function m501(): void {
  motion.synchronize();
  const r = settings.loadFromEeprom();
  if (r == LoadResult.Ok) {
    motion.resyncSteps();
    recordSummary(rom("echo:Settings loaded ("));
    applyStoredTransform();
  } else {
    reportLoadFailure(r, false);
  }
}

/** M502: factory defaults (in RAM; M500 saves them). */
export function m502(): void {
  motion.synchronize();
  settings.loadDefaults();
  motion.resyncSteps();
  applyStoredTransform(); // none in the defaults
  out.line(rom("echo:Factory defaults loaded (not saved: M500 saves them)"));
}

function axisLine(cmd: RomText, field: u32, axes: i32, decimals: u32): void {
  out.text(rom("echo:  "));
  out.text(cmd);
  for (let a = 0; a < axes; a++) {
    out.char(32);
    out.char(axisLetter(a));
    out.fixed(settings.axisF32(field, a), decimals);
  }
  out.newline();
}

function value(letter: u32, field: u32, decimals: u32): void {
  out.char(32);
  out.char(letter);
  out.fixed(settings.f32At(field), decimals);
}

/** M503: the settings as the G-code lines that set them. */
export function m503(): void {
  out.line(rom("echo:; Steps per unit:"));
  axisLine(rom("M92"), S.StepsPerMm, AXES, 2);
  out.line(rom("echo:; Maximum feedrates (units/s):"));
  axisLine(rom("M203"), S.MaxFeedrate, AXES, 2);
  out.line(rom("echo:; Maximum acceleration (units/s2):"));
  axisLine(rom("M201"), S.MaxAccel, AXES, 0);
  out.line(rom("echo:; Acceleration (units/s2): P<print> R<retract> T<travel>"));
  out.text(rom("echo:  M204"));
  value(Letter.P, S.Accel, 2);
  value(Letter.R, S.RetractAccel, 2);
  value(Letter.T, S.TravelAccel, 2);
  out.newline();
  out.line(rom("echo:; Advanced: B<min segment us> S<min feedrate> T<min travel feedrate> J<junction deviation>"));
  out.text(rom("echo:  M205"));
  value(Letter.B, S.MinSegmentTimeUs, 0);
  value(Letter.S, S.MinFeedrate, 2);
  value(Letter.T, S.MinTravelFeedrate, 2);
  value(Letter.J, S.JunctionDeviation, 3);
  out.newline();
  out.line(rom("echo:; Z-probe offset (mm):"));
  axisLine(rom("M851"), S.ProbeOffset, 3, 2);
  out.line(rom("echo:; PID settings: hotend (M301), bed (M304)"));
  pidLine(rom("echo:  M301"), S.HotendPid);
  pidLine(rom("echo:  M304"), S.BedPid);
}

function pidLine(command: RomText, field: u32): void {
  out.text(command);
  out.text(rom(" P"));
  out.fixed(settings.axisF32(field, 0), 2);
  out.text(rom(" I"));
  out.fixed(settings.axisF32(field, 1), 2);
  out.text(rom(" D"));
  out.fixed(settings.axisF32(field, 2), 2);
  out.newline();
}
