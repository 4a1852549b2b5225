// The first-run wizard (Prusa's lcd_wizard, reference-heaters-lcd-mesh.md 3): a self-check of the
// switches, the probe, the heaters and the print fan, the XYZ calibration (M45), the Z offset on
// the knob (ui/paperTest.ts), then a first-layer test pattern the firmware prints by itself, so
// the owner can judge the squish without a slicer, with live adjust Z on the knob meanwhile.
//
// It runs from the panel's loop (ui/panel.ts calls service() on every pass) and never waits: each
// step queues the G-code lines a host would send (one implementation of every procedure) and
// watches the printer until they are done. The heaters go to Prusa's PLA temperatures (215/55) at
// the start, so they are hot when the pattern prints and the owner does not wait twice.
//
// A long press cancels any step (on M45's progress screen and the paper test too, which end their
// procedures as aborted). Each step ends on a screen that says what comes next; a failed check
// names what failed. The end is stored in the EEPROM (WIZARD_STATUS_ADDRESS), so the main menu
// stops offering the wizard; Calibration > Wizard runs it again.

import { RomText, rom } from "../rom";
import { eepromRead, eepromWrite, millis, readInputs } from "../hal";
import * as queue from "../gcode/queue";
import * as keepalive from "../system/keepalive";
import * as motion from "../motion/motion";
import * as babystep from "../motion/babystep";
import * as heaters from "../temperature/heaters";
import { Heater } from "../temperature/heater";
import { faultActive } from "../system/fault";
import { INPUT_PROBE, INPUT_X_MIN, INPUT_Y_MIN } from "../motion/inputs";
import * as settings from "../settings/store";
import * as status from "./status";
import * as commands from "./commands";
import * as paperTest from "./paperTest";
import * as tools from "../calibration/probeTools";
import * as menu from "./menu";
import { Screen } from "./menu";
import { lcdText } from "./text";
import { lineNumber, lineText } from "./frame";

// ---- The stored status ----

/**
 * One byte of its own near the top of the EEPROM (settings/store.ts keeps 0..181, the mesh and
 * overlay records 3072..3459, leveling/meshStore.ts): 0xFF never run (a blank EEPROM), Started,
 * Done. One byte needs no record of its own: a torn write leaves one of the three, or a value
 * read as "not done".
 */
export const WIZARD_STATUS_ADDRESS: u32 = 4064;
const STATUS_STARTED: u32 = 1;
const STATUS_DONE: u32 = 2;

function storedStatus(): u32 {
  return eepromRead(WIZARD_STATUS_ADDRESS) & 0xff;
}

/**
 * The main menu offers the wizard on a printer not yet set up: no settings saved (a blank
 * EEPROM), or a wizard started and not finished. An owner who saved settings before this
 * firmware had a wizard is not asked; Calibration > Wizard always is there.
 */
export function offered(): bool {
  if (step != Step.Off) return false;
  const s = storedStatus();
  if (s == STATUS_DONE) return false;
  if (s == STATUS_STARTED) return true;
  return settings.eepromErased();
}

// ---- Steps ----

const enum Step {
  Off = 0,
  Intro = 1, // the offer: click yes, hold no
  Homing = 2, // self-check: heaters on, G28 W (the X and Y switches, the probe at the homing point)
  Switches = 3, // away from the switches: X min, Y min and the probe must read open
  Heaters = 4, // both readings must rise
  XyzNext = 5, // "Next: XYZ calibration", click
  Xyz = 6, // M45 (its own progress screen)
  ZNext = 7, // "Next: Z offset", click
  ZOffset = 8, // the paper test (its own screen)
  PrintNext = 9, // "Next: first layer", click
  Heating = 10, // M190/M109 to PLA temperatures
  FanOff = 11, // the hotend's heater duty held at 215 C, print fan off
  FanOn = 12, // the same with the print fan at full
  Printing = 13, // the test pattern, line by line
  Done = 14,
  Failed = 15,
}

let step: Step = Step.Off;
/** When the current step began, and when the heaters were switched on, ms. */
let sinceMs: u32 = 0;
let heatStartMs: u32 = 0;
/** Self-check: the readings when the heaters were switched on; fan check: the duty sums. */
let firstA: f32 = 0;
let firstB: f32 = 0;
/** Pattern: the next line; fan check: the samples taken. */
let line: i32 = 0;
/** What failed (Failed). */
let reason: RomText = 0;

/** PLA: Prusa's preheat (ui/menus.ts). */
const NOZZLE_C: f32 = 215;
const BED_C: f32 = 55;
/**
 * The heaters' check, measured while the printer homes and the switches are read: the hotend
 * must read 5 C more within 15 s of switching on, and the bed 3 C more within 45 s (or already be
 * within 5 C of its target). The model's MK2 (tools/sim/model/thermal.ts) from 22 C reads 63 C
 * on the hotend after 15 s and 37 C on the bed after 45 s (host runner, M104 S215 / M140 S55):
 * eight and five times the rise asked. A heater that is not wired, or a thermistor out
 * of its block, shows nothing of it. The deadlines come before the firmware's own heating watch
 * (temperature/protection.ts: 2 C in 20 s hotend, 60 s bed), which would halt the printer with
 * "Heating failed" instead of naming the heater here.
 */
const HOTEND_CHECK_MS: u32 = 15000;
const BED_CHECK_MS: u32 = 45000;
const HOTEND_RISE_C: f32 = 5;
const BED_RISE_C: f32 = 3;
/** `line`'s bits during the self-check: each heater seen rising. */
const HOTEND_ROSE: i32 = 1;
const BED_ROSE: i32 = 2;
/**
 * The print fan's check: the air it blows at the nozzle costs the hotend heat (the model: 0.045
 * W/K at full, 8.7 W at 215 C, a fifth of the 40 W cartridge; users report a 10-20 % duty rise),
 * so the heater's mean duty holding 215 C must rise with the fan on. Ten samples over 5 s each
 * way, after 5 s for the PID to answer; at least 13 of 255 (5 %) more, half the smallest rise
 * users report.
 */
const FAN_SETTLE_MS: u32 = 5000;
const FAN_SAMPLES: i32 = 10;
const FAN_SAMPLE_MS: u32 = 500;
const FAN_DUTY_RISE: f32 = 13;

export function active(): bool {
  return step != Step.Off;
}

/** The printer has nothing left to do of what the wizard queued. */
function idle(): bool {
  return queue.isEmpty() && !keepalive.isBusy() && !motion.isMoving();
}

function go(s: Step): void {
  step = s;
  sinceMs = millis();
  menu.changed();
}

/** Shows the wizard's screen (unless a notice, e.g. a fault, is up). */
function show(): void {
  if (menu.screen != Screen.Notice) menu.openScreen(Screen.Wizard, 0);
}

/** Calibration > Wizard, or the main menu's offer. */
export function begin(): void {
  go(Step.Intro);
  show();
}

function fail(what: RomText): void {
  reason = what;
  // At once, not queued behind a running G28 (M104 S0, M140 S0 and M107 do the same).
  heaters.setTarget(Heater.Hotend, 0);
  heaters.setTarget(Heater.Bed, 0);
  heaters.setPrintFan(0);
  go(Step.Failed);
  show();
}

/** Long press on the wizard's screen. */
export function cancel(): void {
  if (step == Step.Intro || step == Step.Done || step == Step.Failed) {
    step = Step.Off;
    menu.showStatus();
    return;
  }
  // The pattern's lines already queued (two at most) still run; then the nozzle rises.
  if (step == Step.Printing) commands.run(rom("G1 Z5 F600"));
  fail(lcdText("Cancelled"));
}

export function click(): void {
  if (step == Step.Intro) {
    eepromWrite(WIZARD_STATUS_ADDRESS, STATUS_STARTED);
    // The heaters first: they warm while the printer homes and calibrates.
    firstA = heaters.temperatureOf(Heater.Hotend);
    firstB = heaters.temperatureOf(Heater.Bed);
    if (!commands.runAll(rom("M104 S215"), rom("M140 S55"), rom("G28 W"))) return; // queue full: click again
    line = 0;
    go(Step.Homing);
    heatStartMs = sinceMs;
  } else if (step == Step.XyzNext) {
    // M45 leaves its verdict on the status line: clear the last one first.
    status.setStatus(lcdText("Calibrating XYZ"));
    if (!commands.runAll(rom("M45"), rom("M500"), 0)) return;
    go(Step.Xyz);
  } else if (step == Step.ZNext) {
    if (!paperTest.start()) return;
    status.setStatus(lcdText("Z offset"));
    go(Step.ZOffset);
  } else if (step == Step.PrintNext) {
    if (!commands.runAll(rom("M190 S55"), rom("M109 S215"), 0)) return;
    go(Step.Heating);
  } else if (step == Step.Done || step == Step.Failed) {
    step = Step.Off;
    menu.showStatus();
  }
}

/** Detents on the wizard's screen: live adjust Z while the pattern prints (0.0025 mm each). */
export function turn(detents: i32): void {
  if (step == Step.Printing) babystep.babystep(detents);
}

/** The paper test closed: accepted (ACCEPT says "Z offset set" on the status line), or not. */
export function paperTestEnded(): void {
  if (step != Step.ZOffset) return;
  if (status.statusIs(rom("Z offset set"))) go(Step.PrintNext);
  else fail(lcdText("Z offset cancelled"));
  show();
}

export function service(): void {
  if (step == Step.Off || step == Step.Intro || step == Step.Done || step == Step.Failed) return;
  if (faultActive()) {
    // The fault's notice says what happened; the heaters are off by the fault already.
    step = Step.Off;
    return;
  }
  const now = millis();
  if (step <= Step.Heaters && !heatersRising(now)) return;
  if (step == Step.Homing) {
    if (!idle()) return;
    commands.run(rom("G1 X100 Y100 Z5 F6000"));
    go(Step.Switches);
  } else if (step == Step.Switches) {
    if (!idle()) return;
    const inputs = readInputs();
    if ((inputs & INPUT_X_MIN) != 0) fail(lcdText("X end stop stuck"));
    else if ((inputs & INPUT_Y_MIN) != 0) fail(lcdText("Y end stop stuck"));
    else if ((inputs & INPUT_PROBE) != 0) fail(lcdText("Probe stuck"));
    else go(Step.Heaters);
  } else if (step == Step.Heaters) {
    if (line != (HOTEND_ROSE | BED_ROSE)) return;
    go(Step.XyzNext);
    show();
  } else if (step == Step.Xyz) {
    if (!idle()) return;
    if (status.statusIs(rom("XYZ calibration ok"))) go(Step.ZNext);
    else fail(status.statusIs(rom("XYZ cal. cancelled")) ? lcdText("Cancelled") : lcdText("XYZ calibration"));
    show();
  } else if (step == Step.ZOffset) {
    // PROBE_CALIBRATE refused (its reason on the serial port): no paper test came.
    if (idle() && !tools.sessionOpen() && menu.screen == Screen.Wizard) fail(lcdText("Z offset: no probe"));
  } else if (step == Step.Heating) {
    if (!idle()) return;
    firstA = firstB = 0;
    line = 0;
    go(Step.FanOff);
  } else if (step == Step.FanOff || step == Step.FanOn) {
    fanCheck(now);
  } else if (step == Step.Printing) {
    printPattern();
  }
}

/** The heaters' check, on every pass of the self-check; false when it failed (said). */
function heatersRising(now: u32): bool {
  if (heaters.temperatureOf(Heater.Hotend) >= min(firstA + HOTEND_RISE_C, NOZZLE_C - 5)) line |= HOTEND_ROSE;
  if (heaters.temperatureOf(Heater.Bed) >= min(firstB + BED_RISE_C, BED_C - 5)) line |= BED_ROSE;
  if ((line & HOTEND_ROSE) == 0 && now - heatStartMs > HOTEND_CHECK_MS) {
    fail(lcdText("Nozzle: no heat"));
    return false;
  }
  if ((line & BED_ROSE) == 0 && now - heatStartMs > BED_CHECK_MS) {
    fail(lcdText("Bed: no heat"));
    return false;
  }
  return true;
}

function fanCheck(now: u32): void {
  const elapsed = now - sinceMs;
  if (elapsed < FAN_SETTLE_MS + <u32>line * FAN_SAMPLE_MS) return;
  const duty = <f32>heaters.dutyOf(Heater.Hotend);
  if (step == Step.FanOff) firstA += duty;
  else firstB += duty;
  line++;
  if (line < FAN_SAMPLES) return;
  line = 0;
  if (step == Step.FanOff) {
    commands.run(rom("M106 S255"));
    go(Step.FanOn);
    return;
  }
  commands.run(rom("M107"));
  if ((firstB - firstA) / <f32>FAN_SAMPLES < FAN_DUTY_RISE) {
    fail(lcdText("Print fan: no air"));
    return;
  }
  go(Step.Printing);
}

// ---- The first-layer test pattern ----
//
// A meander (4 lines of 80 mm, 5 mm apart) and a filled 10 mm square (lines 0.45 mm apart) at
// 0.2 mm (LAYER_MM is in the descent's text: "G1 Z0.2"), around the bed's centre where the Z offset was measured: about 550 mm of line, half a
// minute at 20 mm/s. The lines are 0.45 mm wide: 0.45 x 0.2 mm of plastic per mm of path,
// 0.0374 mm of 1.75 mm filament (2.405 mm2). Relative extrusion (M83); a 0.8 mm retraction at
// the end, as slicers do, so the nozzle does not ooze on the pattern while it rises.

const E_PER_MM: f32 = 0.0374;
const MEANDER_X0: f32 = 60;
const MEANDER_X1: f32 = 140;
const MEANDER_Y0: f32 = 60;
const MEANDER_PITCH: f32 = 5;
const MEANDER_POINTS: i32 = 8; // 4 lines
const SQUARE_X0: f32 = 125;
const SQUARE_X1: f32 = 135;
const SQUARE_Y0: f32 = 85;
const SQUARE_PITCH: f32 = 0.45;
const SQUARE_POINTS: i32 = 46; // 23 lines: 9.9 mm
const POINTS: i32 = MEANDER_POINTS + SQUARE_POINTS;

function pointX(p: i32): f32 {
  const square = p >= MEANDER_POINTS;
  const q = square ? p - MEANDER_POINTS : p;
  const row = q >> 1;
  const far = ((q & 1) ^ (row & 1)) != 0; // a zig-zag: each row the other way
  if (square) return far ? SQUARE_X1 : SQUARE_X0;
  return far ? MEANDER_X1 : MEANDER_X0;
}

function pointY(p: i32): f32 {
  if (p >= MEANDER_POINTS) return SQUARE_Y0 + <f32>((p - MEANDER_POINTS) >> 1) * SQUARE_PITCH;
  return MEANDER_Y0 + <f32>(p >> 1) * MEANDER_PITCH;
}

/**
 * Line k of the pattern, queued: relative E, up to 5 mm, over the first point, down to the layer,
 * the points, then a retraction, up, heaters off. False when the queue had no room.
 */
function queuePatternLine(k: i32): bool {
  if (k == 0) return commands.run(rom("M83"));
  if (k == 1) return commands.run(rom("G1 Z5 F600"));
  if (k == 3) return commands.run(rom("G1 Z0.2 F600")); // LAYER_MM
  const p = k == 2 ? 0 : k - 3;
  if (p < POINTS) {
    commands.begin(rom("G1 X"));
    commands.appendFixed(pointX(p), 2);
    commands.append(rom(" Y"));
    commands.appendFixed(pointY(p), 2);
    if (p == 0 || p == MEANDER_POINTS) {
      commands.append(rom(" F6000")); // travel to the meander's or the square's start
    } else {
      const dx = pointX(p) - pointX(p - 1), dy = pointY(p) - pointY(p - 1);
      commands.append(rom(" E"));
      commands.appendFixed(Mathf.sqrt(dx * dx + dy * dy) * E_PER_MM, 4);
      commands.append(rom(" F1200"));
    }
    return commands.submit();
  }
  const after = p - POINTS;
  if (after == 0) return commands.run(rom("G1 E-0.8 F2100"));
  if (after == 1) return commands.run(rom("G1 Z5 F600"));
  return commands.runAll(rom("M104 S0"), rom("M140 S0"), 0);
}

/** The pattern's lines: 4 to the first point and down, the other points, 3 at the end. */
export const PATTERN_LINES: i32 = 3 + POINTS + 3;

/** How far the pattern has got, for tests and the screen: lines queued. */
export function patternLine(): i32 {
  return step == Step.Printing ? line : 0;
}

function printPattern(): void {
  // One line a pass while the queue has room (two kept free for the panel's own lines).
  if (line < PATTERN_LINES && queue.freeSlots() > 2) {
    if (queuePatternLine(line)) {
      line++;
      menu.changed();
    }
    return;
  }
  if (line >= PATTERN_LINES && idle()) {
    // A live adjustment made while printing is kept, as Prusa's live adjust keeps it.
    babystep.saveZOffset();
    eepromWrite(WIZARD_STATUS_ADDRESS, STATUS_DONE);
    go(Step.Done);
    show();
  }
}

// ---- The screen ----

export function renderRow(row: u32): void {
  if (step == Step.Intro) {
    // Prusa's: "Hi, I am your Original Prusa i3 printer. Would you like me to guide you through
    // the setup process?"
    if (row == 0) lineText(lcdText("Hi, I am your"), false);
    else if (row == 1) lineText(lcdText("printer. Shall I"), false);
    else if (row == 2) lineText(lcdText("guide you to print?"), false);
    else lineText(lcdText("Click:yes Hold:no"), false);
  } else if (step == Step.Failed) {
    if (row == 0) lineText(lcdText("Wizard stopped:"), false);
    else if (row == 1) lineText(reason, false);
    else if (row == 2) lineText(lcdText("Calibration>Wizard"), false);
    else lineText(lcdText("Click to continue"), false);
  } else if (step == Step.Done) {
    // Prusa's last words: "All is done. Happy printing!"
    if (row == 0) lineText(lcdText("All is done."), false);
    else if (row == 1) lineText(lcdText("Happy printing!"), false);
    else if (row == 2) lineText(lcdText("Thin lines? Lower Z"), false);
    else lineText(lcdText("Click to continue"), false);
  } else if (step == Step.XyzNext || step == Step.ZNext || step == Step.PrintNext) {
    if (row == 0) {
      lineText(step == Step.XyzNext ? lcdText("Self-check ok.") : step == Step.ZNext ? lcdText("XYZ calibration ok.") : lcdText("Z offset set."), false);
    } else if (row == 1) {
      lineText(step == Step.XyzNext ? lcdText("Next: XYZ calibr.") : step == Step.ZNext ? lcdText("Next: Z offset with") : lcdText("Next: a first layer"), false);
    } else if (row == 2) {
      // M45 takes about 250 s on the simulated MK2 (tests/sim/calibration.test.ts); Prusa says 12 min.
      lineText(step == Step.XyzNext ? lcdText("(about 4 minutes)") : step == Step.ZNext ? lcdText("a sheet of paper") : lcdText("test; knob: adjust Z"), false);
    } else lineText(lcdText("Click to continue"), false);
  } else if (step == Step.Printing) {
    if (row == 0) lineText(lcdText("First layer test"), false);
    else if (row == 1) lineText(lcdText("Turn: adjust Z"), false);
    else if (row == 2) {
      lineText(lcdText("Z offset"), false);
      lineNumber(babystep.zOffset(), 3, 8);
      lineText(lcdText(" mm"), false);
    } else lineText(lcdText("Hold: stop"), false);
  } else {
    // Self-check, heating, fan: what is measured now (M45 and the paper test show their own).
    if (row == 0) lineText(step <= Step.Heaters ? lcdText("Self-check") : step <= Step.ZOffset ? lcdText("Please wait") : lcdText("Preparing to print"), false);
    else if (row == 1) {
      if (step == Step.Homing) lineText(lcdText("End stops and probe"), false);
      else if (step == Step.Switches) lineText(lcdText("Switches open?"), false);
      else if (step == Step.Heaters || step == Step.Heating) lineText(lcdText("Heaters"), false);
      else if (step == Step.FanOff || step == Step.FanOn) lineText(lcdText("Print fan"), false);
    } else if (row == 2) {
      lineText(lcdText("N"), false);
      lineNumber(heaters.temperatureOf(Heater.Hotend), 0, 4);
      lineText(lcdText("/215 B"), false);
      lineNumber(heaters.temperatureOf(Heater.Bed), 0, 3);
      lineText(lcdText("/55"), false);
    } else lineText(lcdText("Hold: cancel"), false);
  }
}
