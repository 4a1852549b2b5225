// Screens opened from the menus that are not lists: moving an axis with the knob, the end
// stops and probe, and the firmware's identity and settings state. Each draws its rows for the
// display (one row per call, like the menus) and takes the knob's input; a click goes back to
// the menu it was opened from.

import { rom } from "../rom";
import { lcdText } from "./text";
import { eepromRead, readInputs } from "../hal";
import { BoardKey, boardText } from "../board";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../version";
import * as motion from "../motion/motion";
import { E, axisLetter } from "../motion/axes";
import { INPUT_PROBE, INPUT_X_MIN, INPUT_Y_MIN } from "../motion/inputs";
import * as queue from "../gcode/queue";
import * as settings from "../settings/store";
import { crc16 } from "../settings/crc";
import { Screen, screen, screenArg } from "./menu";
import * as commands from "./commands";
import { commit, lineChar, lineNumber, lineSpaces, lineText } from "./display";

// ---------------------------------------------------------------------------------------------
// Move axis: each detent moves the axis 1 mm (Prusa MK2's lcd_move_x/y/z/e move 1 mm per
// detent too), within the travel limits, at a manual feedrate. The moves are G1 lines in the
// command queue; turning faster than the axis moves piles up no lines: a new one goes only when
// the queue is empty, to wherever the knob has got to by then.

const MOVE_MM_PER_DETENT: f32 = 1;
/** mm/min: X and Y 50 mm/s, Z 10 mm/s (its limit is 12), E 2 mm/s. */
const MOVE_FEEDRATE = memory.data<f32>([3000, 3000, 600, 120]);
/** E has no travel limits; the screen keeps it within this many mm of where it started. */
const E_RANGE_MM: f32 = 1000;

let target: f32 = 0;
let queued: f32 = 0;
let eStart: f32 = 0;

function moveMin(axis: i32): f32 {
  return axis == E ? eStart - E_RANGE_MM : motion.minLimit(axis) + motion.offsetOf(axis);
}

function moveMax(axis: i32): f32 {
  return axis == E ? eStart + E_RANGE_MM : motion.maxLimit(axis) + motion.offsetOf(axis);
}

/** A screen was just opened: take what it shows from the printer now. */
export function enter(): void {
  if (screen == Screen.MoveAxis) {
    target = queued = motion.logical(screenArg);
    eStart = motion.logical(E);
  } else if (screen == Screen.Info) {
    settingsState = readSettingsState();
  }
}

/** Detents turned while this screen shows. */
export function turn(detents: i32): void {
  if (screen != Screen.MoveAxis) return;
  const axis = screenArg;
  let t = target + <f32>detents * MOVE_MM_PER_DETENT;
  if (t < moveMin(axis)) t = moveMin(axis);
  if (t > moveMax(axis)) t = moveMax(axis);
  target = t;
}

/** Work a screen does on every pass: queue the next move. */
export function service(): void {
  if (screen != Screen.MoveAxis || target == queued || !queue.isEmpty()) return;
  const axis = screenArg;
  const relative = motion.relativeAll || (axis == E && motion.relativeE);
  commands.begin(rom("G1 "));
  commands.appendChar(axisLetter(axis));
  commands.appendFixed(relative ? target - queued : target, 2);
  commands.append(rom(" F"));
  commands.appendFixed(load<f32>(MOVE_FEEDRATE + (<u32>axis << 2)), 0);
  if (commands.submit()) queued = target;
}

// ---------------------------------------------------------------------------------------------
// Drawing.

export function renderRow(row: u32): void {
  if (screen == Screen.MoveAxis) renderMoveAxis(row);
  else if (screen == Screen.Endstops) renderEndstops(row);
  else renderInfo(row);
  commit(row);
}

function renderMoveAxis(row: u32): void {
  const axis = screenArg;
  if (row == 0) {
    lineText(axis == E ? lcdText("Move extruder") : lcdText("Move "), false);
    if (axis != E) lineChar(axisLetter(axis));
  } else if (row == 2) {
    lineSpaces(1);
    lineChar(axisLetter(axis));
    lineChar(58); // ':'
    lineNumber(target, 2, 9);
    lineText(lcdText(" mm"), false);
  } else if (row == 3) {
    lineText(lcdText("Turn; click: done"), false);
  }
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

function eepromU16(addr: u32): u32 {
  return eepromRead(addr) | (eepromRead(addr + 1) << 8);
}

/** Compares the EEPROM record (settings/store.ts lays it out) with the settings in use. */
function readSettingsState(): SettingsState {
  const magic = eepromU16(0) | (eepromU16(2) << 16);
  if (magic == 0xffffffff) return SettingsState.Empty;
  if (magic != settings.MAGIC) return SettingsState.Foreign;
  const size = <u32>settings.S.Size;
  if (eepromU16(4) != settings.SETTINGS_VERSION || eepromU16(6) != size) return SettingsState.Unsaved;
  if (eepromU16(8) != crc16(settings.block, size)) return SettingsState.Unsaved;
  for (let i: u32 = 0; i < size; i++) {
    if (eepromRead(settings.HEADER_BYTES + i) != <u32>load<u8>(settings.block + i)) return SettingsState.Unsaved;
  }
  return SettingsState.Saved;
}

function renderInfo(row: u32): void {
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
