// The 20x4 character display: a status screen, sent to the controller one byte per call so that
// it never holds up motion or the serial port.
//
//   row 0  Hotend  22C Bed  22C    thermistor readings ("ERR" for a bad sensor, "--" before any)
//   row 1  X92.00 Y91.00 Z 0.40    logical position (G-code's, as M114); "?" while not homed
//   row 2  Idle              FR100%  what the printer does ("Halted" under a fault); feedrate (M220)
//   row 3  EEPROM bad: defaults    the status message (ui/status.ts), or "<machine> ready"
//
// Two buffers in linear memory: `frame`, what the screen should show, and `shown`, what the
// controller holds. Rendering builds a row in `line` and copies it to `frame`, one row or position
// field per call: a whole screen every REFRESH_MS, and at once when the status message changes.
// The writer compares `frame` and `shown` and sends the controller the next differing character,
// one byte per call and only when the controller is ready (hal.lcdReady: 60 us after the last
// byte), so an unchanged screen costs nothing to send and the display never makes anything wait.
//
// A run of changed characters in a row needs one address instruction before it: the
// controller's address counter advances by itself after each character. (Rows start at DDRAM
// addresses 0x00, 0x40, 0x14, 0x54; a real HD44780 also carries row 0 on into row 2 and row 1
// into row 3, but simavr 1.6's model does not, so the writer never relies on that.)
//
// refresh() is called from system/idle.ts: on every main-loop pass, and while a command waits
// (homing, M400, G4), so the screen follows those too. Never from the step interrupt, nor from
// system/background.ts, which runs while serial output waits for room and must stay short. A
// call costs at most one byte's pulses (about 20 us with the HAL's bookkeeping), one render step
// (one row, or one number formatted) and a look at the columns that changed.

import { lcdReady, marker, millis } from "../hal";
import { RomText, rom } from "../rom";
import { BoardKey, boardText } from "../board";
import * as sensors from "../temperature/sensors";
import { Reading, Sensor } from "../temperature/sensors";
import { formatFixedFit, formatUint } from "../format";
import { COLS, ROWS, scratch, lineChar, lineSpaces, lineText, lineRight, lineNumber, lineLength, commit, dirtyRowMask, writeNext } from "./frame";

export { COLS, ROWS };
import * as status from "./status";
import * as panel from "./panel";
import * as motion from "../motion/motion";
import { Z, axisLetter } from "../motion/axes";
import { Activity, activity } from "../system/state";
import { faultActive } from "../system/fault";
import * as heaters from "../temperature/heaters";
import { Heater } from "../temperature/heater";
import * as printJob from "../gcode/printJobCommands";

/** How often the screen is rendered again (position, state). */
export const REFRESH_MS: u32 = 100;
/** Position fields: the axis letter, then the value right-aligned in this many characters. */
const FIELD: u32 = 5;
const DECIMALS: u32 = 2;
const SPACE: u32 = 32;

/** Next render step (0: temperatures, 1-3: X Y Z, 4: state row, 5: status row). */
let step: u32 = 0;
let renderedAt: u32 = 0;
let renderedStatus: u32 = 0;
let renderedPanel: u32 = 0;
let started = false;

/** Simulator timestamps (GPIOR0 writes) around each call that has work to do: its cost. */
export const MARK_DISPLAY_START: u32 = 20;
export const MARK_DISPLAY_END: u32 = 21;

export function refresh(): void {
  const rendering = renderDue();
  if (!rendering && dirtyRowMask() == 0) return;
  marker(MARK_DISPLAY_START);
  if (rendering) render();
  writeNext();
  marker(MARK_DISPLAY_END);
}

// ---------------------------------------------------------------------------------------------
// The status screen.

/** A screen is being rendered, or one is due: REFRESH_MS after the last, or the status changed. */
function renderDue(): bool {
  if (step != 0) return true;
  // The first screen waits for the controller's power-on initialisation (about 57 ms), by when
  // the first readings of the sensors are in, so it is sent once, with them.
  if (!started && !lcdReady()) return false;
  const now = millis();
  if (started && now - renderedAt < REFRESH_MS && status.revision == renderedStatus && panel.revision() == renderedPanel) return false;
  started = true;
  renderedAt = now;
  renderedStatus = status.revision;
  renderedPanel = panel.revision();
  return true;
}

/** One step of rendering the screen. */
function render(): void {
  if (panel.isActive()) {
    // A menu or screen of the front panel (ui/panel.ts): one row per step.
    if (step >= ROWS) step = 0;
    panel.renderRow(step);
    step = step == ROWS - 1 ? 0 : step + 1;
    return;
  }
  if (step == 0) renderTemperatures();
  else if (step <= 3) renderAxis(<i32>step - 1);
  else if (step == 4) renderState();
  else renderStatus();
  step = step == 5 ? 0 : step + 1;
}

/**
 * "Hotend  22C Bed  22C": whole degrees, right-aligned in TEMPERATURE_FIELD columns; with a
 * target set on either heater, reading and target: "H215/215C  B 60/ 60C".
 */
function renderTemperatures(): void {
  if (heaters.targetOf(Heater.Hotend) > 0 || heaters.targetOf(Heater.Bed) > 0) {
    renderWithTarget(Heater.Hotend);
    lineText(rom("  B"), false);
    renderWithTarget(Heater.Bed);
    commit(0);
    return;
  }
  lineText(rom("Hotend"), false);
  renderTemperature(Sensor.Hotend);
  lineText(rom(" Bed"), false);
  renderTemperature(Sensor.Bed);
  commit(0);
}

const TEMPERATURE_FIELD: u32 = 4;

function renderWithTarget(h: Heater): void {
  if (h == Heater.Hotend) lineChar(72); // 'H'
  const sensor = <Sensor>(<i32>h);
  let n: u32 = 0;
  if (sensors.readingOf(sensor) == Reading.Ok) n = formatFixedFit(scratch, sensors.temperature(sensor), 0, 3);
  if (n > 0) lineRight(n, 3);
  else lineText(sensors.readingOf(sensor) == Reading.None ? rom(" --") : rom("ERR"), false);
  lineChar(47); // '/'
  lineRight(formatFixedFit(scratch, heaters.targetOf(h), 0, 3), 3);
  lineChar(67); // 'C'
}

function renderTemperature(sensor: Sensor): void {
  const state = sensors.readingOf(sensor);
  let n: u32 = 0;
  if (state == Reading.Ok) n = formatFixedFit(scratch, sensors.temperature(sensor), 0, TEMPERATURE_FIELD);
  if (n > 0) {
    lineRight(n, TEMPERATURE_FIELD);
    lineChar(67); // 'C'
    return;
  }
  lineSpaces(lineLength() + 1);
  lineText(state == Reading.None ? rom(" --") : rom("ERR"), false);
  lineChar(SPACE);
}

/** "X92.00 " at columns 0, 7 and 14: up to two decimals, fewer when the value needs the room. */
function renderAxis(axis: i32): void {
  lineChar(axisLetter(axis));
  if (!motion.isHomed(axis)) {
    store<u8>(scratch, 63); // '?'
    lineRight(1, FIELD);
  } else {
    // "#####" when it does not fit (a G92 offset of thousands of mm).
    lineNumber(motion.logical(axis), DECIMALS, FIELD);
  }
  if (axis != Z) lineChar(SPACE);
  else commit(1);
}

function stateWord(): RomText {
  if (faultActive()) return rom("Halted"); // the reason is on the status line
  if (activity == Activity.Homing) return rom("Homing");
  if (motion.isMoving()) return rom("Moving");
  if (activity != Activity.Idle) return rom("Busy");
  return rom("Idle");
}

function renderState(): void {
  if (printJob.progressPercent >= 0) {
    // A print job's progress (M73 P, R): " 45% 12m left" (" 45% 123m" from 100 minutes on).
    lineRight(formatUint(scratch, <u32>printJob.progressPercent), 3);
    lineChar(37); // '%'
    if (printJob.minutesLeft >= 0 && printJob.minutesLeft < 1000) {
      lineChar(SPACE);
      const n = formatUint(scratch, <u32>printJob.minutesLeft);
      lineRight(n, n);
      lineChar(109); // 'm'
      if (printJob.minutesLeft < 100) lineText(rom(" left"), false);
    }
  } else {
    lineText(stateWord(), false);
  }
  // "FR100%" at the row's end.
  const n = formatUint(scratch, motion.feedratePercent);
  lineSpaces(COLS - 3 - n);
  lineChar(70); // 'F'
  lineChar(82); // 'R'
  lineRight(n, n);
  lineChar(37); // '%'
  commit(2);
}

function renderStatus(): void {
  const length = status.statusLength();
  if (length == 0) {
    lineText(boardText(BoardKey.Machine), false);
    lineText(rom(" ready"), false);
  } else {
    for (let i: u32 = 0; i < length; i++) lineChar(status.statusChar(i));
  }
  commit(3);
}

