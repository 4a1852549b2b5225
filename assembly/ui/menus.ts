// The menus, in Prusa MK2's order where the entries exist (reference-heaters-lcd-mesh.md, 3).
// Each function lists its items for ui/menu.ts; an `if` in front of an item is when it shows.
//
// Entries for features the firmware does not have yet are not shown: the places they go are
// marked "LATER (issue N)" below, so adding one is adding its line.

import { RomText, rom } from "../rom";
import { menuLabel } from "./text";
import { MenuId, Screen, action, back, screenItem, submenu } from "./menu";
import * as commands from "./commands";
import * as motion from "../motion/motion";
import { X, Y, Z } from "../motion/axes";
import * as keepalive from "../system/keepalive";
import { InfoPage, Value } from "./screens";
import { MeshSource } from "./meshView";
import * as paperTest from "./paperTest";
import * as wizard from "./wizard";
import * as probeTools from "../calibration/probeTools";

export function listItems(id: MenuId): void {
  switch (id) {
    case MenuId.Main:
      mainMenu();
      break;
    case MenuId.Settings:
      settingsMenu();
      break;
    case MenuId.MoveAxis:
      moveAxisMenu();
      break;
    case MenuId.Tune:
      tuneMenu();
      break;
    case MenuId.Preheat:
      preheatMenu();
      break;
    case MenuId.Temperature:
      temperatureMenu();
      break;
    case MenuId.Info:
      infoMenu();
      break;
    case MenuId.BedLevel:
      bedLevelMenu();
      break;
    default:
      calibrationMenu();
      break;
  }
}

function mainMenu(): void {
  back(menuLabel("Info screen"));
  // "Live adjust Z" while printing low, as Prusa's (Z below Z_HEIGHT_HIDE_LIVE_ADJUST_MENU, 2 mm).
  if (printing() && motion.isHomed(Z) && motion.logical(Z) < LIVE_ADJUST_BELOW_MM) {
    screenItem(menuLabel("Live adjust Z"), Screen.LiveAdjustZ, 0);
  }
  // "Tune" while the printer works (moves planned, or a command running), as Prusa's shows it
  // while moves are planned; otherwise "Preheat".
  if (printing()) submenu(menuLabel("Tune"), MenuId.Tune);
  else submenu(menuLabel("Preheat"), MenuId.Preheat);
  submenu(menuLabel("Settings"), MenuId.Settings);
  submenu(menuLabel("Calibration"), MenuId.Calibration);
  submenu(menuLabel("Info"), MenuId.Info);
  // A printer not yet set up is offered the first-run wizard (ui/wizard.ts), last so that the
  // entries above keep their places.
  if (wizard.offered() && action(menuLabel("Setup wizard"), false)) wizard.begin();
}

/** Info: the firmware and its settings; the XYZ calibration's result (ui/screens.ts's InfoPage). */
function infoMenu(): void {
  back(menuLabel("Main"));
  screenItem(menuLabel("Printer"), Screen.Info, InfoPage.Printer);
  screenItem(menuLabel("XYZ calibration"), Screen.Info, InfoPage.Xyz);
  screenItem(menuLabel("Mesh"), Screen.Mesh, MeshSource.Live);
}

const LIVE_ADJUST_BELOW_MM: f32 = 2;

/** The printer works: moves planned or stepping, or a command running. */
function printing(): bool {
  return motion.isMoving() || keepalive.isBusy();
}

function settingsMenu(): void {
  back(menuLabel("Main"));
  submenu(menuLabel("Temperature"), MenuId.Temperature);
  submenu(menuLabel("Move axis"), MenuId.MoveAxis);
  if (motion.enabledSteppers() != 0) {
    if (action(menuLabel("Disable steppers"), false)) commands.run(rom("M84"));
  }
  // LATER (issue 11/12): "Live adjust Z".
  if (action(menuLabel("Store settings"), true)) commands.run(rom("M500"));
  if (action(menuLabel("Load settings"), true)) commands.run(rom("M501"));
  if (action(menuLabel("Factory settings"), true)) commands.run(rom("M502"));
}

/** Axes whose position is unknown cannot be moved (G1 refuses them): they offer homing instead. */
function moveAxisMenu(): void {
  back(menuLabel("Settings"));
  if ((motion.homedAxes() & 7) != 7) {
    if (action(menuLabel("Auto home"), true)) commands.run(rom("G28 W"));
  }
  if (motion.isHomed(X)) screenItem(menuLabel("Move X"), Screen.Edit, Value.MoveX);
  if (motion.isHomed(Y)) screenItem(menuLabel("Move Y"), Screen.Edit, Value.MoveY);
  if (motion.isHomed(Z)) screenItem(menuLabel("Move Z"), Screen.Edit, Value.MoveZ);
  screenItem(menuLabel("Extruder"), Screen.Edit, Value.MoveE);
}

function tuneMenu(): void {
  back(menuLabel("Main"));
  screenItem(menuLabel("Speed"), Screen.Edit, Value.Speed);
  screenItem(menuLabel("Nozzle"), Screen.Edit, Value.Nozzle);
  screenItem(menuLabel("Bed"), Screen.Edit, Value.Bed);
  screenItem(menuLabel("Fan speed"), Screen.Edit, Value.Fan);
  screenItem(menuLabel("Flow"), Screen.Edit, Value.Flow);
}

/** Settings > Temperature: the targets and the print fan, as Prusa's "Temperature" menu. */
function temperatureMenu(): void {
  back(menuLabel("Settings"));
  screenItem(menuLabel("Nozzle"), Screen.Edit, Value.Nozzle);
  screenItem(menuLabel("Bed"), Screen.Edit, Value.Bed);
  screenItem(menuLabel("Fan speed"), Screen.Edit, Value.Fan);
}

/**
 * Preheat: Prusa MK2's materials and their nozzle/bed targets (ultralcd.cpp's preheat menu,
 * reference-heaters-lcd-mesh.md 3), in its order; the targets go as M104 and M140 lines, as a
 * host would send them, and the status screen follows to show the heating. Cooldown turns both
 * heaters and the print fan off (Prusa's lcd_cooldown also stops the fan).
 */
function preheatMenu(): void {
  back(menuLabel("Main"));
  if (action(menuLabel("ABS  -  255/100"), true)) preheat(rom("M104 S255"), rom("M140 S100"));
  if (action(menuLabel("PLA  -  215/55"), true)) preheat(rom("M104 S215"), rom("M140 S55"));
  if (action(menuLabel("PET  -  240/90"), true)) preheat(rom("M104 S240"), rom("M140 S90"));
  if (action(menuLabel("HIPS -  220/100"), true)) preheat(rom("M104 S220"), rom("M140 S100"));
  if (action(menuLabel("PP   -  254/100"), true)) preheat(rom("M104 S254"), rom("M140 S100"));
  if (action(menuLabel("FLEX -  230/50"), true)) preheat(rom("M104 S230"), rom("M140 S50"));
  if (action(menuLabel("Cooldown"), true)) commands.runAll(rom("M104 S0"), rom("M140 S0"), rom("M107"));
}

function preheat(nozzle: RomText, bed: RomText): void {
  commands.runAll(nozzle, bed, 0);
}

/**
 * Calibration, in Prusa MK2's order where the entries exist. Each entry queues the G-code the
 * serial port would send, so the one implementation runs; the procedures that need the printer
 * homed get a G28 W in front when it is not (Prusa's M45 homes first too), and their progress
 * screen follows (ui/progress.ts).
 */
function calibrationMenu(): void {
  back(menuLabel("Main"));
  if (action(menuLabel("Auto home"), true)) commands.run(rom("G28 W"));
  if (action(menuLabel("Calibrate XYZ"), true)) homedThen(rom("M45"));
  if (action(menuLabel("Calibrate Z"), true)) homedThen(rom("M45 Z"));
  // G80 and M48 come with the mesh and probe tools (issue 11).
  if (action(menuLabel("Mesh bed leveling"), true)) homedThen(rom("G80"));
  if (action(menuLabel("Probe accuracy"), true)) homedThen(rom("M48"));
  // The paper test (PROBE_CALIBRATE at the centre target); while one is open, its screen.
  if (probeTools.sessionOpen()) screenItem(menuLabel("Z offset"), Screen.PaperTest, 0);
  else if (action(menuLabel("Z offset"), true)) paperTest.start();
  submenu(menuLabel("Bed level correct"), MenuId.BedLevel);
  screenItem(menuLabel("Mesh correction"), Screen.Mesh, MeshSource.Overlay);
  // M303 at Prusa's PLA nozzle temperature, 5 cycles as Prusa's menu runs it, the result used.
  if (action(menuLabel("PID calibration"), true)) commands.run(rom("M303 E0 S215 C5 U1"));
  screenItem(menuLabel("Show end stops"), Screen.Endstops, 0);
  if (action(menuLabel("Reset XYZ calibr."), true)) commands.run(rom("M44"));
  if (!wizard.active() && action(menuLabel("Wizard"), false)) wizard.begin();
}

/** Prusa's "Bed level correct": the four edge corrections G80 uses, um, saved as they are set. */
function bedLevelMenu(): void {
  back(menuLabel("Calibration"));
  screenItem(menuLabel("Left side"), Screen.Edit, Value.EdgeLeft);
  screenItem(menuLabel("Right side"), Screen.Edit, Value.EdgeRight);
  screenItem(menuLabel("Front side"), Screen.Edit, Value.EdgeFront);
  screenItem(menuLabel("Back side"), Screen.Edit, Value.EdgeBack);
}

/** Queues `line`, with G28 W in front when an axis is not homed. */
function homedThen(line: RomText): void {
  if ((motion.homedAxes() & 7) == 7) commands.run(line);
  else commands.runAll(rom("G28 W"), line, 0);
}
