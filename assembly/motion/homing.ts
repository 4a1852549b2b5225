// G28: find the machine's zero.
//
// X and Y run to their min switches: fast until the switch closes, back off, then slowly again
// so the switch closes at the same point every time; the carriage stays on that point, which is
// the axis' home position. Z homes with the inductive probe over the bed (the safe XY point),
// which needs X and Y homed first: the probe ends where it switched, the nozzle then
// -probe offset Z above the bed. A switch or probe that never triggers stops homing with an
// error instead of pushing the carriage on.

import * as motion from "./motion";
import { X, Y, Z, axisLetter } from "./axes";
import * as settings from "../settings/store";
import { S } from "../settings/store";
import { BoardKey, boardF32 } from "../board";
import { readInputs } from "../hal";
import * as out from "../serial/out";
import { rom } from "../rom";
import { INPUT_X_MIN, INPUT_Y_MIN, INPUT_PROBE } from "./inputs";

const BACK_OFF_XY: f32 = 3;
const BACK_OFF_Z: f32 = 2;
/** Z raised before X/Y move, so the nozzle clears the bed and the probe clears its trigger. */
export const Z_CLEARANCE: f32 = 5;
const SLOW_DIVISOR: f32 = 4;
/** How far past the first switching point the slow approach may look for the switch, mm. */
const SWITCH_OVERTRAVEL: f32 = 1;

function homingSpeed(axis: i32): f32 {
  return boardF32(BoardKey.HomingFeedrateX + axis);
}

function inputOf(axis: i32): u32 {
  return axis == X ? INPUT_X_MIN : axis == Y ? INPUT_Y_MIN : INPUT_PROBE;
}

function failed(axis: i32, what: u32): bool {
  motion.markUnhomed(axis);
  out.text(rom("Error:Homing "));
  out.char(axisLetter(axis));
  out.text(rom(" failed: "));
  out.text(what);
  out.newline();
  return false;
}

/** Fast approach, back off, slow approach. Returns false (after saying why) if it failed. */
function approach(axis: i32, travel: f32, backOff: f32): bool {
  const input = inputOf(axis);
  const speed = homingSpeed(axis);
  motion.moveAxisBy(axis, -travel, speed, input);
  if (!motion.runCheckedMove()) {
    return failed(axis, axis == Z ? rom("the probe never triggered (is it connected? is the bed there?)") : rom("the endstop never triggered (check the switch and its cable)"));
  }
  motion.moveAxisBy(axis, backOff, speed, 0);
  motion.synchronize();
  if ((readInputs() & input) != 0) {
    return failed(axis, axis == Z ? rom("the probe stays triggered after lifting (check the probe)") : rom("the endstop stays triggered after backing off (check the switch)"));
  }
  // The slow approach goes no further than just past where the input switched the first time:
  // for Z, never below the bed (the probe switched this high above it).
  const slowTravel = backOff + (axis == Z ? Mathf.max(-settings.axisF32(S.ProbeOffset, Z), 0) : SWITCH_OVERTRAVEL);
  motion.moveAxisBy(axis, -slowTravel, speed / SLOW_DIVISOR, input);
  if (!motion.runCheckedMove()) return failed(axis, rom("the second, slow approach did not trigger"));
  return true;
}

export function homeXY(axis: i32): bool {
  const travel = motion.maxLimit(axis) - motion.minLimit(axis) + 10;
  if (!approach(axis, travel, BACK_OFF_XY)) return false;
  motion.setNativePosition(axis, boardF32(axis == X ? BoardKey.HomeX : BoardKey.HomeY));
  motion.markHomed(axis);
  return true;
}

export function homeZ(): bool {
  if (!motion.isHomed(X) || !motion.isHomed(Y)) {
    out.line(rom("Error:Home X and Y before Z: the probe must be over the bed (G28, or G28 X Y first)"));
    return false;
  }
  const probeX = settings.axisF32(S.ProbeOffset, X);
  const probeY = settings.axisF32(S.ProbeOffset, Y);
  // The nozzle goes where the probe lands on the safe point of the bed.
  const x = Mathf.min(Mathf.max(boardF32(BoardKey.SafeHomeX) - probeX, motion.minLimit(X)), motion.maxLimit(X));
  const y = Mathf.min(Mathf.max(boardF32(BoardKey.SafeHomeY) - probeY, motion.minLimit(Y)), motion.maxLimit(Y));
  motion.moveXYTo(x, y, homingSpeed(X));
  // With Z known, go no lower than the nozzle touching the bed: a probe that does not switch
  // then stops homing instead of pressing the nozzle into the bed. With Z unknown there is no
  // such bound (as on any printer homing Z with its probe).
  const travel = motion.isHomed(Z) ? motion.native(Z) : motion.maxLimit(Z) + 10;
  if (!approach(Z, travel, BACK_OFF_Z)) return false;
  // The probe switched with the nozzle this far above the bed.
  motion.setNativePosition(Z, -settings.axisF32(S.ProbeOffset, Z));
  motion.markHomed(Z);
  return true;
}

/** Before X/Y move: lift the nozzle to the clearance height (relative, if Z is not homed yet). */
export function liftForTravel(): void {
  if (motion.isHomed(Z)) {
    if (motion.native(Z) < Z_CLEARANCE) motion.moveAxisBy(Z, Z_CLEARANCE - motion.native(Z), homingSpeed(Z), 0);
  } else {
    // Height unknown: lifting moves away from the bed, and the top of the frame is far.
    motion.moveAxisBy(Z, Z_CLEARANCE, homingSpeed(Z), 0);
  }
  motion.synchronize();
}
