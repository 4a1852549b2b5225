// G28: find the machine's zero.
//
// X and Y run to their min switches: fast until the switch closes, back off, then slowly again
// so the switch closes at the same point every time; the carriage stays on that point, which is
// the axis' home position. Z homes with the inductive probe over the bed (the safe XY point),
// which needs X and Y homed first: the probe ends where it switched, the nozzle then
// -probe offset Z above the bed. A switch or probe that never triggers stops homing with an
// error and latches the fault (system/fault.ts) instead of pushing the carriage on.
//
// The Z search never takes the nozzle lower than Z_SEARCH_FLOOR_MM above where the bed is
// expected, so a probe that never switches (a PINDA failed open) ends in an error above the bed. That needs the height to be known before the search starts; with Z unknown (after
// power-on, or after the drivers were off) it is made known the way Prusa's MK2 calibration
// does it (reference-prusa.md: the Z carriages are driven into the top stops, then Z is set):
// Z is driven up by the whole travel and a bit more, so it ends against the top of the frame
// (the motors skip there for at most that bit), whose height above the bed is then assumed.

import * as motion from "./motion";
import { X, Y, Z } from "./axes";
import * as settings from "../settings/store";
import { S } from "../settings/store";
import { BoardKey, boardF32 } from "../board";
import { readInputs } from "../hal";
import * as out from "../serial/out";
import { rom, RomText } from "../rom";
import { raiseFault } from "../system/fault";
import { INPUT_X_MIN, INPUT_Y_MIN, INPUT_PROBE } from "./inputs";
import * as bedTransform from "../calibration/bedTransform";

/**
 * The lowest the nozzle goes while Z homing searches for the bed, mm above where the bed is
 * expected. A PINDA switches 0.4 mm above the bed over a target (the MK2's probe offset); a weak
 * one (reach 15 % short: the weak-sensor scenario) about 0.19 mm; 0.1 mm lets both home, and a
 * probe that never switches stops with the nozzle still clear of the bed.
 */
const Z_SEARCH_FLOOR_MM: f32 = 0.1;
const BACK_OFF_XY: f32 = 3;
const BACK_OFF_Z: f32 = 2;
/** Z raised before X/Y move, so the nozzle clears the bed and the probe clears its trigger. */
export const Z_CLEARANCE: f32 = 5;
const SLOW_DIVISOR: f32 = 4;
/** How far past the first switching point the slow approach may look for the switch, mm. */
const SWITCH_OVERTRAVEL: f32 = 1;
/**
 * With Z unknown, Z is raised by its whole travel plus this, mm: from anywhere in the travel it
 * then ends against the top of the frame (skipping steps there for at most this far plus the
 * frame's margin below).
 */
const RAISE_PAST_TOP_MM: f32 = 5;
/**
 * Where the top of the frame is, mm above the end of the Z travel, before the bed was ever found
 * from there: the simulated MK2's frame stops Z 2 mm past its 210 mm travel
 * (tools/sim/config.ts). The search below needs the bed under the homing point within a narrow
 * band of where this puts it: no more than 0.1 mm higher (or a probe that never switches takes
 * the nozzle down to the bed), and low enough only as far as the probe still switches above the
 * 0.1 mm floor there (a sensor 10 % weak, 2-3 mm off the target's centre, switches about 0.22 mm
 * over the bed: the bed may then sit at most 0.12 mm lower). So this constant is one to measure on
 * each printer to about +-0.05 mm (tools/sim/generate.ts draws that error); once the bed has been
 * found from the top, the measured height replaces it (zTopMm).
 * On a real MK2 this has to be measured: Prusa's own calibration assumes Z_MAX_POS - 3 at the
 * top stops, which would make this 5 mm too high there.
 */
const Z_TOP_ABOVE_TRAVEL_MM: f32 = 2;

/** Height of the nozzle over the bed with Z against the top of the frame, mm (learned). */
let zTopMm: f32 = -1;

export function zTopHeight(): f32 {
  if (zTopMm < 0) zTopMm = motion.maxLimit(Z) + Z_TOP_ABOVE_TRAVEL_MM;
  return zTopMm;
}

function homingSpeed(axis: i32): f32 {
  return boardF32(BoardKey.HomingFeedrateX + axis);
}

function inputOf(axis: i32): u32 {
  return axis == X ? INPUT_X_MIN : axis == Y ? INPUT_Y_MIN : INPUT_PROBE;
}

const enum Failure {
  NeverTriggered = 0,
  StaysTriggered = 1,
  SlowApproach = 2,
}

function reason(axis: i32, failure: Failure): RomText {
  if (axis == X) {
    if (failure == Failure.NeverTriggered) return rom("Homing X failed: the endstop never triggered (check the switch and its cable)");
    if (failure == Failure.StaysTriggered) return rom("Homing X failed: the endstop stays triggered after backing off (check the switch)");
    return rom("Homing X failed: the second, slow approach did not trigger");
  }
  if (axis == Y) {
    if (failure == Failure.NeverTriggered) return rom("Homing Y failed: the endstop never triggered (check the switch and its cable)");
    if (failure == Failure.StaysTriggered) return rom("Homing Y failed: the endstop stays triggered after backing off (check the switch)");
    return rom("Homing Y failed: the second, slow approach did not trigger");
  }
  // Never triggered: the PINDA's cable off, no bed under it, or a blob of plastic under the nozzle
  // taller than the sensor's switching gap (0.4 mm), which rests on the bed first and holds the
  // carriage up (tests/scenarios/debris.json); in each the nozzle's metal is still above the bed.
  if (failure == Failure.NeverTriggered) return rom("Homing Z failed: the probe never triggered (debris on the nozzle? probe connected? bed there?); stopped above the bed");
  if (failure == Failure.StaysTriggered) return rom("Homing Z failed: the probe stays triggered after lifting (check the probe)");
  return rom("Homing Z failed: the second, slow approach did not trigger");
}

function statusOf(axis: i32): RomText {
  return axis == X ? rom("Homing X failed") : axis == Y ? rom("Homing Y failed") : rom("Homing Z failed");
}

/** The axis is unknown again, and the printer stops in the fault state (M999 clears it). */
function failed(axis: i32, failure: Failure): bool {
  motion.markUnhomed(axis);
  raiseFault(reason(axis, failure), statusOf(axis), false);
  return false;
}

/** Fast approach, back off, slow approach. Returns false (after latching the fault) if it failed. */
function approach(axis: i32, travel: f32, backOff: f32): bool {
  const input = inputOf(axis);
  const speed = homingSpeed(axis);
  motion.moveAxisBy(axis, -travel, speed, input);
  if (!motion.runCheckedMove()) return failed(axis, Failure.NeverTriggered);
  motion.moveAxisBy(axis, backOff, speed, 0);
  motion.synchronize();
  if ((readInputs() & input) != 0) return failed(axis, Failure.StaysTriggered);
  // The slow approach goes no further than just past where the input switched the first time:
  // for Z, never below the bed (the probe switched this high above it).
  const slowTravel = backOff + (axis == Z ? probeSwitchHeight() : SWITCH_OVERTRAVEL);
  motion.moveAxisBy(axis, -slowTravel, speed / SLOW_DIVISOR, input);
  if (!motion.runCheckedMove()) return failed(axis, Failure.SlowApproach);
  return true;
}

/** Nozzle height over the bed at which the probe switches, mm (-probe offset Z). */
function probeSwitchHeight(): f32 {
  return Mathf.max(-settings.axisF32(S.ProbeOffset, Z), 0);
}

export function homeXY(axis: i32): bool {
  const travel = motion.maxLimit(axis) - motion.minLimit(axis) + 10;
  if (!approach(axis, travel, BACK_OFF_XY)) return false;
  motion.setNativePosition(axis, boardF32(axis == X ? BoardKey.HomeX : BoardKey.HomeY));
  motion.markHomed(axis);
  return true;
}

/**
 * With Z unknown: drive it up against the top of the frame, whose height is then Z (still not
 * homed: only homeZ() makes it so). The caller homes Z next, in the same G28.
 */
export function raiseToTop(): void {
  motion.moveAxisBy(Z, motion.maxLimit(Z) - motion.minLimit(Z) + RAISE_PAST_TOP_MM, homingSpeed(Z), 0);
  motion.synchronize();
  motion.setNativePosition(Z, zTopHeight());
}

/**
 * Z homes with the probe over the bed, so X and Y must be homed first (or be homed by the same
 * G28 before Z: homingX/homingY). False, after saying so, when they will not be.
 */
export function zHomingPossible(homingX: bool, homingY: bool): bool {
  if ((homingX || motion.isHomed(X)) && (homingY || motion.isHomed(Y))) return true;
  out.line(rom("Error:Home X and Y before Z: the probe must be over the bed (G28, or G28 X Y first)"));
  return false;
}

/**
 * `fromTop`: this G28 has just raised Z to the top (raiseToTop); otherwise, with Z unknown, it is
 * raised here first.
 */
export function homeZ(fromTop: bool): bool {
  if (!zHomingPossible(false, false)) return false;
  if (!motion.isHomed(Z) && !fromTop) {
    raiseToTop();
    fromTop = true;
  }
  const probeX = settings.axisF32(S.ProbeOffset, X);
  const probeY = settings.axisF32(S.ProbeOffset, Y);
  // The nozzle goes where the probe lands on the safe point of the bed: the front-centre target.
  // Through the XYZ calibration's transform when there is one (bed coordinates to the carriages'),
  // so the probe is over the target's centre even on a skewed or shifted bed: there it switches
  // highest, furthest above the search's floor (2-3 mm off the centre of the 8 mm target it
  // switches 0.1-0.15 mm lower on the simulated MK2).
  bedTransform.worldToMachine(boardF32(BoardKey.SafeHomeX) - probeX, boardF32(BoardKey.SafeHomeY) - probeY);
  const x = Mathf.min(Mathf.max(bedTransform.outX, motion.minLimit(X)), motion.maxLimit(X));
  const y = Mathf.min(Mathf.max(bedTransform.outY, motion.minLimit(Y)), motion.maxLimit(Y));
  motion.moveXYTo(x, y, homingSpeed(X));
  // Go no lower than Z_SEARCH_FLOOR_MM over the bed: a probe that does not switch then stops
  // homing above the bed (the height is known: Z was homed, or has just been raised to the top).
  const lowest = Mathf.min(Z_SEARCH_FLOOR_MM, probeSwitchHeight());
  const travel = Mathf.max(motion.native(Z) - lowest, 0);
  if (!approach(Z, travel, BACK_OFF_Z)) return false;
  // The probe switched with the nozzle this far above the bed; from the top, that measures how
  // high the top is (used the next time Z is unknown).
  if (fromTop) zTopMm = zTopHeight() - (motion.native(Z) - probeSwitchHeight());
  motion.setNativePosition(Z, probeSwitchHeight());
  motion.markHomed(Z);
  return true;
}

/**
 * Before X/Y move: lift the nozzle to the clearance height. With Z unknown it is lifted once by
 * Z_CLEARANCE and then left alone until Z is known again: lifting blindly again and again would
 * end against the top of the frame while M114 believed otherwise.
 */
export function liftForTravel(): void {
  if (motion.isHomed(Z)) {
    if (motion.native(Z) < Z_CLEARANCE) motion.moveAxisBy(Z, Z_CLEARANCE - motion.native(Z), homingSpeed(Z), 0);
  } else if (!motion.zLiftedWhileUnknown()) {
    motion.moveAxisBy(Z, Z_CLEARANCE, homingSpeed(Z), 0);
    motion.noteZLiftedWhileUnknown();
  }
  motion.synchronize();
}
