// Screens opened from the menus that are not lists: a value edited with the knob (an axis to
// move, the speed), the end stops and probe, and the firmware's identity and settings state. Each draws its rows for the
// display (one row per call, like the menus) and takes the knob's input; a click goes back to
// the menu it was opened from.

import { RomText, rom, romLength, romOffset } from "../rom";
import * as heaters from "../temperature/heaters";
import * as babystep from "../motion/babystep";
import * as status from "./status";
import { setStatus } from "./status";
import * as progress from "./progress";
import { faultNeedsReset } from "../system/fault";
import { formatUint } from "../format";
import { Heater } from "../temperature/heater";
import { lcdText } from "./text";
import { eepromRead, readInputs, romByte } from "../hal";
import { BoardKey, bedTargetX, bedTargetY, boardText } from "../board";
import * as transform from "../calibration/bedTransform";
import { MILD_MAX_RAD, PERPENDICULAR_MAX_RAD } from "../calibration/skewVerdict";
import { DEG_PER_RAD } from "../calibration/smallAngle";
import { S } from "../settings/store";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../version";
import * as motion from "../motion/motion";
import { E, X, Y, axisLetter } from "../motion/axes";
import { INPUT_PROBE, INPUT_X_MIN, INPUT_Y_MIN } from "../motion/inputs";
import * as queue from "../gcode/queue";
import * as settings from "../settings/store";
import { crc16 } from "../settings/crc";
import { Screen, screen, screenArg } from "./menu";
import * as commands from "./commands";
import * as paperTest from "./paperTest";
import * as meshView from "./meshView";
import * as wizard from "./wizard";
import { alert } from "./input";
import { COLS, commit, lineChar, lineLength, lineNumber, lineRight, lineSpaces, lineText, scratch } from "./frame";

// ---------------------------------------------------------------------------------------------
// Values edited with the knob: the axes of Move axis, and the speed and flow of Tune. Each has a
// range, a unit and a G-code line that applies it. A value is applied as the knob turns: a new
// line goes only when the command queue is empty, with wherever the knob has got to by then, so
// turning faster than the printer follows piles up no lines (and never more than one move).
//
// Move axis: each detent moves the axis 1 mm (Prusa MK2's lcd_move_x/y/z/e move 1 mm per detent
// too), within the travel limits, at a manual feedrate.

export const enum Value {
  MoveX = 0, // = axis index, for the four moves
  MoveY = 1,
  MoveZ = 2,
  MoveE = 3,
  Speed = 4, // M220: feedrate override, %
  Flow = 5, // M221: extrusion multiplier, %
  Nozzle = 6, // M104: hotend target, C
  Bed = 7, // M140: bed target, C
  Fan = 8, // M106: print fan duty, 0-255 as M106 S takes it (Prusa's Tune shows the same)
  // Bed level correction (Prusa's "Bed level correct"): the edge corrections G80 uses when not
  // given its own, saved with M421 L R F B when the screen closes with a click, um.
  EdgeLeft = 9,
  EdgeRight = 10,
  EdgeFront = 11,
  EdgeBack = 12,
}

/** Prusa's LCD lets the bed level correction go to +-50 um (M421 and G80 take +-100). */
const EDGE_LCD_MAX_UM: f32 = 50;

function isEdge(v: i32): bool {
  return v >= <i32>Value.EdgeLeft;
}

/** mm/min: X and Y 50 mm/s, Z 10 mm/s (its limit is 12), E 2 mm/s. */
const MOVE_FEEDRATE = memory.data<f32>([3000, 3000, 600, 120]);
/** E has no travel limits; the screen keeps it within this many mm of where it started. */
const E_RANGE_MM: f32 = 1000;
/** M220 and M221 take 10 to 500 % (gcode/motionCommands.ts). */
const PERCENT_MIN: f32 = 10;
const PERCENT_MAX: f32 = 500;

let target: f32 = 0;
let applied: f32 = 0;
let eStart: f32 = 0;

function isMove(v: i32): bool {
  return v <= <i32>Value.MoveE;
}

function isPercent(v: i32): bool {
  return v == <i32>Value.Speed || v == <i32>Value.Flow;
}

function valueMin(v: i32): f32 {
  if (isPercent(v)) return PERCENT_MIN;
  if (isEdge(v)) return -EDGE_LCD_MAX_UM;
  if (!isMove(v)) return 0; // heaters and fan: 0 is off
  return v == E ? eStart - E_RANGE_MM : motion.minLimit(v) + motion.offsetOf(v);
}

function valueMax(v: i32): f32 {
  if (isPercent(v)) return PERCENT_MAX;
  if (isEdge(v)) return EDGE_LCD_MAX_UM;
  if (v == <i32>Value.Nozzle) return heaters.maxTarget(Heater.Hotend);
  if (v == <i32>Value.Bed) return heaters.maxTarget(Heater.Bed);
  if (v == <i32>Value.Fan) return <f32>heaters.DUTY_MAX;
  return v == E ? eStart + E_RANGE_MM : motion.maxLimit(v) + motion.offsetOf(v);
}

function valueNow(v: i32): f32 {
  if (isMove(v)) return motion.logical(v);
  if (isEdge(v)) return <f32>meshView.savedEdgeUm(v - <i32>Value.EdgeLeft);
  if (v == <i32>Value.Nozzle) return heaters.targetOf(Heater.Hotend);
  if (v == <i32>Value.Bed) return heaters.targetOf(Heater.Bed);
  if (v == <i32>Value.Fan) return <f32>heaters.printFan();
  return <f32>(v == <i32>Value.Speed ? motion.feedratePercent : motion.flowPercent);
}

/** The G-code that sets value `v` (not a move), up to its number. */
function valueCommand(v: i32): RomText {
  if (v == <i32>Value.Speed) return rom("M220 S");
  if (v == <i32>Value.Flow) return rom("M221 S");
  if (v == <i32>Value.Nozzle) return rom("M104 S");
  if (v == <i32>Value.Bed) return rom("M140 S");
  if (v == <i32>Value.EdgeLeft) return rom("M421 L");
  if (v == <i32>Value.EdgeRight) return rom("M421 R");
  if (v == <i32>Value.EdgeFront) return rom("M421 F");
  if (v == <i32>Value.EdgeBack) return rom("M421 B");
  return rom("M106 S");
}

/** The edit screen's title and the unit after its number. */
function valueTitle(v: i32): RomText {
  if (v == <i32>Value.Speed) return lcdText("Speed");
  if (v == <i32>Value.Flow) return lcdText("Flow");
  if (v == <i32>Value.Nozzle) return lcdText("Nozzle");
  if (v == <i32>Value.Bed) return lcdText("Bed");
  // Prusa's words (language_en.h: "Left side [um]" ...).
  if (v == <i32>Value.EdgeLeft) return lcdText("Left side [um]");
  if (v == <i32>Value.EdgeRight) return lcdText("Right side [um]");
  if (v == <i32>Value.EdgeFront) return lcdText("Front side [um]");
  if (v == <i32>Value.EdgeBack) return lcdText("Back side [um]");
  return lcdText("Fan speed");
}

function valueUnit(v: i32): RomText {
  if (isPercent(v)) return lcdText(" %");
  if (isEdge(v)) return lcdText(" um");
  if (v == <i32>Value.Fan) return lcdText("/255");
  return lcdText(" C");
}

/** A screen was just opened: take what it shows from the printer now. */
export function enter(): void {
  if (screen == Screen.LiveAdjustZ) {
    applied = babystep.zOffset(); // the offset when the screen opened, to show the change
  } else if (screen == Screen.Edit) {
    target = applied = valueNow(screenArg);
    eStart = motion.logical(E);
  } else if (screen == Screen.Info) {
    settingsState = readSettingsState();
  } else if (screen == Screen.PaperTest) {
    paperTest.enter();
  } else if (screen == Screen.Mesh) {
    meshView.enter(screenArg);
  }
}

/** Detents turned while this screen shows: one unit (1 mm, 1 %) each, within the range. */
export function turn(detents: i32): void {
  if (screen == Screen.LiveAdjustZ) {
    // One detent, one Z microstep (0.0025 mm on the MK2), clockwise up, as Prusa's.
    babystep.babystep(detents);
    return;
  }
  if (screen == Screen.PaperTest) {
    paperTest.turn(detents);
    return;
  }
  if (screen == Screen.Mesh) {
    meshView.turn(screenArg, detents);
    return;
  }
  if (screen != Screen.Edit) return;
  const v = screenArg;
  let t = target + <f32>detents;
  if (t < valueMin(v)) t = valueMin(v);
  if (t > valueMax(v)) t = valueMax(v);
  target = t;
}

/** Work a screen does on every pass: apply the value as it is now. */
export function service(): void {
  if (screen == Screen.PaperTest) paperTest.service();
  if (screen != Screen.Edit || target == applied || !queue.isEmpty()) return;
  const v = screenArg;
  // The bed level correction is written to the EEPROM (450 ms for the overlay record): once,
  // when the screen closes with a click (clicked()), not at every detent.
  if (isEdge(v)) return;
  if (isMove(v)) {
    const relative = motion.relativeAll || (v == E && motion.relativeE);
    commands.begin(rom("G1 "));
    commands.appendChar(axisLetter(v));
    commands.appendFixed(relative ? target - applied : target, 2);
    commands.append(rom(" F"));
    commands.appendFixed(load<f32>(MOVE_FEEDRATE + (<u32>v << 2)), 0);
  } else {
    commands.begin(valueCommand(v));
    commands.appendFixed(target, 0);
  }
  if (commands.submit()) applied = target;
}

/** A click closes the screen on show: an edited bed level correction is saved (M421). */
export function clicked(): void {
  if (screen != Screen.Edit || !isEdge(screenArg) || target == applied) return;
  commands.begin(valueCommand(screenArg));
  commands.appendFixed(target, 0);
  if (commands.submit()) applied = target;
  else alert();
}

// ---------------------------------------------------------------------------------------------
// Drawing.

export function renderRow(row: u32): void {
  if (screen == Screen.Edit) renderEdit(row);
  else if (screen == Screen.LiveAdjustZ) renderLiveAdjust(row);
  else if (screen == Screen.Progress) renderProgress(row);
  else if (screen == Screen.Notice) renderNotice(row);
  else if (screen == Screen.Endstops) renderEndstops(row);
  else if (screen == Screen.PaperTest) paperTest.renderRow(row);
  else if (screen == Screen.Mesh) meshView.renderRow(screenArg, row);
  else if (screen == Screen.Wizard) wizard.renderRow(row);
  else renderInfo(row);
  commit(row);
}

function renderEdit(row: u32): void {
  const v = screenArg;
  const move = isMove(v);
  if (row == 0) {
    if (v == E) lineText(lcdText("Move extruder"), false);
    else if (move) {
      lineText(lcdText("Move "), false);
      lineChar(axisLetter(v));
    } else lineText(valueTitle(v), false);
  } else if (row == 2) {
    lineSpaces(1);
    if (move) {
      lineChar(axisLetter(v));
      lineChar(58); // ':'
      lineNumber(target, 2, 9);
      lineText(lcdText(" mm"), false);
    } else {
      lineNumber(target, 0, 5);
      lineText(valueUnit(v), false);
    }
  } else if (row == 3) {
    lineText(isEdge(v) ? lcdText("Turn; click: save") : lcdText("Turn; click: done"), false);
  }
}

/**
 * Live adjust Z: the change since the screen opened, as Prusa's shows its babystep value on row 3,
 * and the Z offset it goes into.
 *   Live adjust Z
 *
 *     -0.050 mm
 *   Z offset  -0.450 mm
 */
function renderLiveAdjust(row: u32): void {
  if (row == 0) lineText(lcdText("Live adjust Z"), false);
  else if (row == 2) {
    lineNumber(babystep.zOffset() - applied, 3, 10);
    lineText(lcdText(" mm"), false);
  } else if (row == 3) {
    lineText(lcdText("Z offset"), false);
    lineNumber(babystep.zOffset(), 3, 8);
    lineText(lcdText(" mm"), false);
  }
}

/**
 * The XYZ calibration in use (calibration/bedTransform.ts), as Prusa's "XYZ cal. details":
 *   Skew:     0.206 deg
 *   mild (0.12 - 0.25)
 *   Front row, Y min:
 *   L   4.93 R   5.02 mm
 * The skew is the angle between the machine's axes less 90 degrees: the Y axis' angle a2 less
 * the X axis' a1, with X axis (cos a1, sin a1) and Y axis (-sin a2, cos a2); the class uses
 * Prusa's limits (calibration/skewVerdict.ts). The front row: how far into the Y travel the
 * probe is over the left and right front targets, the room M45 had to sweep into them from the
 * front (Prusa's "Y distance from min"); below 0 the target is out of reach.
 */
function renderXyz(row: u32): void {
  if (transform.isIdentity()) {
    if (row == 0) lineText(lcdText("XYZ not calibrated"), false);
    else if (row == 1) lineText(lcdText("(Calibration > XYZ)"), false);
    return;
  }
  if (row == 0) {
    lineText(lcdText("Skew:"), false);
    lineNumber(skewRad() * DEG_PER_RAD, 3, 10);
    lineText(lcdText(" deg"), false);
  } else if (row == 1) {
    const skew = Mathf.abs(skewRad());
    if (skew <= PERPENDICULAR_MAX_RAD) lineText(lcdText("ok (0.12 at most)"), false);
    else if (skew <= MILD_MAX_RAD) lineText(lcdText("mild (0.12 - 0.25)"), false);
    else lineText(lcdText("over 0.25: extreme"), false);
  } else if (row == 2) {
    lineText(lcdText("Front row, Y min:"), false);
  } else {
    lineText(lcdText("L"), false);
    lineNumber(frontTargetReachMm(0), 2, 7);
    lineText(lcdText(" R"), false);
    lineNumber(frontTargetReachMm(2), 2, 7);
    lineText(lcdText(" mm"), false);
  }
}

/** a2 - a1 from the transform's unit axis vectors: sin a1 = vxY, sin a2 = -vyX. */
function skewRad(): f32 {
  return asinSmall(-transform.yAxisX()) - asinSmall(transform.xAxisY());
}

/**
 * asin of a small sine, x + x^3/6 + 3x^5/40 (Mathf.asin works in f64, which the firmware may
 * not use). The first term left out, 5x^7/112, is under 6e-7 rad at x = 0.2 (11.5 degrees,
 * calibration/smallAngle.ts's range), a thousandth of the 0.001 degree the screen shows.
 */
function asinSmall(x: f32): f32 {
  const x2 = x * x;
  return x * (1 + (x2 / 6) * (1 + (x2 * 9) / 20));
}

/** Machine Y with the probe over front target `column`, less the Y travel's lower limit, mm. */
function frontTargetReachMm(column: i32): f32 {
  const x = bedTargetX(column) - settings.axisF32(S.ProbeOffset, X);
  const y = bedTargetY(0) - settings.axisF32(S.ProbeOffset, Y);
  transform.worldToMachine(x, y);
  return transform.outY - motion.minLimit(Y);
}

// ---------------------------------------------------------------------------------------------
// A long procedure's progress (ui/progress.ts), as Prusa's M45 shows "Searching bed calibration
// point" with "n of 4": the title, what the step does over two rows (wrapped between words),
// and the step with a bar.
//   Calibrating XYZ
//   Searching bed
//   calibration point
//   2/4 #####..........

function renderProgress(row: u32): void {
  if (row == 0) lineText(progress.progressTitle, false);
  else if (row < 3) {
    if (progress.progressStepText != 0) wrappedRow(progress.progressStepText, row - 1);
  } else if (progress.progressCancelled) {
    lineText(lcdText("Cancelling..."), false);
  } else {
    const total = progress.progressTotal;
    const step = progress.progressStep;
    let n = formatUint(scratch, step);
    lineRight(n, n);
    lineChar(47); // '/'
    n = formatUint(scratch, total);
    lineRight(n, n);
    lineChar(SPACE);
    // The bar counts the steps finished: the one under way is not.
    const width = COLS - lineLength();
    const done = step > 0 ? step - 1 : 0;
    const filled = total > 0 ? (done * width) / total : 0;
    for (let i: u32 = 0; i < width; i++) lineChar(i < filled ? BAR_FULL : BAR_EMPTY);
  }
}

const SPACE: u32 = 32;
const BAR_FULL: u32 = 35; // '#'
const BAR_EMPTY: u32 = 46; // '.'

/**
 * Row `part` (0 or 1) of a flash text folded into two rows of COLS between words: the first row
 * ends at the last space that lets it fit; a word longer than a row is cut.
 */
function wrappedRow(t: RomText, part: u32): void {
  const offset = romOffset(t);
  let length = romLength(t);
  let cut = length;
  if (length > COLS) {
    cut = COLS;
    for (let i: u32 = COLS; i > 0; i--) {
      if (romByte(offset + i) == SPACE) {
        cut = i;
        break;
      }
    }
  }
  let from: u32 = 0;
  if (part == 1) {
    from = cut;
    while (from < length && romByte(offset + from) == SPACE) from++;
  } else {
    length = cut;
  }
  for (let i = from; i < length; i++) lineChar(romByte(offset + i));
}

// Notices: a procedure's result, an error, a message that must be seen. They stay until a
// click, and the status line keeps the message afterwards.
export const enum Notice {
  Fault = 0, // the fault latch (system/fault.ts): its status text, and how to go on
  Result = 1, // a procedure ended: its title, and the result it left on the status line
  Message = 2, // ui/status.ts's setStatusNotice (e.g. EEPROM settings refused at boot)
}

function renderNotice(row: u32): void {
  if (row == 0) {
    if (screenArg == <i32>Notice.Fault) lineText(lcdText("Printer halted:"), false);
    else if (screenArg == <i32>Notice.Result) lineText(progress.progressTitle, false);
    else lineText(lcdText("Attention:"), false);
  } else if (row == 1) {
    for (let i: u32 = 0; i < status.statusLength(); i++) lineChar(status.statusChar(i));
  } else if (row == 2) {
    if (screenArg == <i32>Notice.Fault) {
      lineText(faultNeedsReset() ? lcdText("Reset to restart") : lcdText("Fix it, then M999"), false);
    }
  } else {
    lineText(lcdText("Click to continue"), false);
  }
}

/** Leaving Live adjust Z: a changed offset is written to the EEPROM, as Prusa's does then. */
export function leaveLiveAdjust(): void {
  if (babystep.zOffset() == applied) return;
  if (!babystep.saveZOffset()) setStatus(lcdText("Z offset: M500 saves"));
}

function renderEndstops(row: u32): void {
  if (row == 0) {
    lineText(lcdText("End stops and probe"), false);
    return;
  }
  const inputs = readInputs();
  let bit = INPUT_X_MIN;
  if (row == 1) lineText(lcdText("X min:"), false);
  else if (row == 2) {
    lineText(lcdText("Y min:"), false);
    bit = INPUT_Y_MIN;
  } else {
    lineText(lcdText("Probe:"), false);
    bit = INPUT_PROBE;
  }
  lineSpaces(7);
  lineText((inputs & bit) != 0 ? lcdText("TRIGGERED") : lcdText("open"), false);
}

// Info: name and version, board, machine, settings state.

const enum SettingsState {
  Saved = 0, // the EEPROM record holds exactly the settings in use
  Unsaved = 1, // a Plumb record is there but differs (changed since M500/M501, or damaged)
  Empty = 2, // nothing saved yet
  Foreign = 3, // another firmware's data
}

let settingsState: SettingsState = SettingsState.Empty;

/** Compares the EEPROM record (settings/store.ts lays it out) with the settings in use. */
function readSettingsState(): SettingsState {
  const magic = settings.readU16(0) | (settings.readU16(2) << 16);
  if (magic == 0xffffffff) return SettingsState.Empty;
  if (magic != settings.MAGIC) return SettingsState.Foreign;
  const size = <u32>settings.S.Size;
  if (settings.readU16(4) != settings.SETTINGS_VERSION || settings.readU16(6) != size) return SettingsState.Unsaved;
  if (settings.readU16(8) != crc16(settings.block, size)) return SettingsState.Unsaved;
  for (let i: u32 = 0; i < size; i++) {
    if (eepromRead(settings.HEADER_BYTES + i) != <u32>load<u8>(settings.block + i)) return SettingsState.Unsaved;
  }
  return SettingsState.Saved;
}

export const enum InfoPage {
  Printer = 0, // name, version, board, machine, settings state
  Xyz = 1, // the XYZ calibration: skew against Prusa's limits, the front row's reach
}

function renderInfo(row: u32): void {
  if (screenArg == <i32>InfoPage.Xyz) {
    renderXyz(row);
    return;
  }
  if (row == 0) {
    lineText(FIRMWARE_NAME, false);
    lineChar(32);
    lineText(FIRMWARE_VERSION, false);
  } else if (row == 1) {
    lineText(boardText(BoardKey.Title), false);
  } else if (row == 2) {
    lineText(boardText(BoardKey.Machine), false);
  } else if (settingsState == SettingsState.Saved) {
    lineText(lcdText("Settings: saved"), false);
  } else if (settingsState == SettingsState.Unsaved) {
    lineText(lcdText("Settings: not saved"), false);
  } else if (settingsState == SettingsState.Empty) {
    lineText(lcdText("EEPROM: empty"), false);
  } else {
    lineText(lcdText("EEPROM: not Plumb's"), false);
  }
}
