// The front panel's loop: reads the knob on every idle pass (system/idle.ts), moves between the
// status screen, the menus and the screens, and tells the display (ui/display.ts) what to draw
// when it is not the status screen. Nothing here waits: a pass costs a look at the HAL's
// counters, and, when something happened, one run of the menu's function.
//
//   status screen  click: main menu
//   menu           turn: cursor; click: the item; long press: status screen
//   screen         turn: its value; click: back to its menu; long press: status screen
//   any            30 s without input: status screen (Prusa's LCD_TIMEOUT_TO_STATUS)
//   progress       shown when a long procedure begins (ui/progress.ts), wherever the panel was;
//                  long press: cancel it (the procedure ends as aborted); click: the status
//                  screen, the procedure going on; when it ends: its result, as a notice
//   paper test     Z offset (ui/paperTest.ts), opened from the progress screen as soon as the
//                  paper test is open: turn: lower or raise; click: accept and save; long
//                  press: abort; when the session closes: its result, as a notice
//   wizard         the first-run wizard (ui/wizard.ts): click: go on; long press: cancel;
//                  turn: live adjust Z while its test pattern prints
//   notice         a result or an error (a fault, a message set with setStatusNotice) takes
//                  over the display with an alert tone; click: status screen; no timeout

import { millis } from "../hal";
import * as input from "./input";
import { Press } from "./input";
import * as menu from "./menu";
import { MenuId, Pass, Screen } from "./menu";
import { listItems } from "./menus";
import * as screens from "./screens";
import { commit } from "./frame";
import { faultActive } from "../system/fault";
import { breakWait } from "../system/wait";
import * as progress from "./progress";
import * as status from "./status";
import { Notice } from "./screens";
import * as paperTest from "./paperTest";
import * as wizard from "./wizard";
import * as probeTools from "../calibration/probeTools";

export const TIMEOUT_TO_STATUS_MS: u32 = 30000;

let lastInputMs: u32 = 0;
let faultSeen = false;
/** progress.progressBegun when its screen was last opened. */
let progressShown: u32 = 0;
/** progress.progressRevision drawn last: a new step redraws the progress screen at once. */
let progressDrawn: u32 = 0;

/** The display shows a menu or screen of the panel rather than the status screen. */
export function isActive(): bool {
  return menu.screen != Screen.Status;
}

/** Bumped whenever what the panel shows changed at once (the display then redraws at once). */
export function revision(): u32 {
  return menu.revision;
}

export function poll(): void {
  const now = millis();
  const before = menu.screen;
  // A fault calls the owner (once), and the status screen shows its reason.
  const fault = faultActive();
  if (fault && !faultSeen) notice(Notice.Fault);
  faultSeen = fault;
  if (status.takeNotice() && !fault) notice(Notice.Message);
  if (progress.progressActive && progress.progressBegun != progressShown) {
    progressShown = progress.progressBegun;
    if (menu.screen != Screen.Notice) menu.openScreen(Screen.Progress, 0);
  } else if (!progress.progressActive && menu.screen == Screen.Progress) {
    // Within the wizard its own screen says how the procedure went and what comes next.
    if (wizard.active()) menu.openScreen(Screen.Wizard, 0);
    else notice(Notice.Result);
  } else if (menu.screen == Screen.Progress && progress.progressRevision != progressDrawn) {
    menu.changed();
  }
  // A paper test opened (Calibration > Z offset, or a host's PROBE_CALIBRATE): the knob drives it.
  if (menu.screen == Screen.Progress && probeTools.sessionOpen()) {
    menu.openScreen(Screen.PaperTest, 0);
    paperTest.enter();
  }
  progressDrawn = progress.progressRevision;

  const detents = input.takeDetents();
  const press = input.pollButton(now);
  if (detents != 0 || press != Press.None || input.isPressed()) lastInputMs = now;

  if (menu.screen == Screen.Notice) {
    if (press != Press.None) menu.showStatus();
  } else if (menu.screen == Screen.Progress) {
    if (press == Press.Long) {
      // Cancel: the screen stays, says so, and gives way to the result when the procedure ends.
      progress.cancelProgress();
      breakWait();
      menu.changed();
    } else if (press == Press.Click) {
      menu.showStatus(); // out of the way; the procedure goes on
    }
  } else if (menu.screen == Screen.PaperTest) {
    if (detents != 0) {
      paperTest.turn(detents);
      menu.changed();
    }
    if (press == Press.Long) paperTest.abort();
    else if (press == Press.Click) paperTest.accept();
    else if (paperTest.finished()) {
      // Accepted, aborted or lost: the result, or the wizard's next step.
      if (wizard.active()) wizard.paperTestEnded();
      else notice(Notice.Result);
    }
  } else if (menu.screen == Screen.Wizard) {
    if (detents != 0) {
      wizard.turn(detents);
      menu.changed();
    }
    if (press == Press.Long) wizard.cancel();
    else if (press == Press.Click) wizard.click();
  } else if (press == Press.Long) {
    menu.showStatus();
  } else if (menu.screen == Screen.Status) {
    if (press == Press.Click) menu.openMenu(MenuId.Main);
  } else if (menu.screen == Screen.Menu) {
    if (detents != 0) menu.moveCursor(detents, countItems());
    if (press == Press.Click) activate();
  } else {
    if (detents != 0) {
      screens.turn(detents);
      menu.changed();
    }
    if (press == Press.Click) {
      screens.clicked();
      menu.goBack();
    }
  }
  // A paper test waits for its owner however long it takes (the nozzle stays over the paper).
  const lasting = menu.screen == Screen.Status || menu.screen == Screen.Notice || menu.screen == Screen.Progress || menu.screen == Screen.PaperTest || menu.screen == Screen.Wizard;
  if (!lasting && now - lastInputMs >= TIMEOUT_TO_STATUS_MS) menu.showStatus();
  if (before == Screen.LiveAdjustZ && menu.screen != Screen.LiveAdjustZ) screens.leaveLiveAdjust();
  screens.service();
  wizard.service();
}

/** A notice takes over the display, with the alert tone. */
function notice(kind: Notice): void {
  input.alert();
  menu.openScreen(Screen.Notice, <i32>kind);
}

function countItems(): i32 {
  menu.beginPass(Pass.Count, 0);
  listItems(menu.menu);
  return menu.itemsListed();
}

function activate(): void {
  menu.clampTo(menu.cursor, countItems());
  const before = menu.screen;
  menu.beginPass(Pass.Activate, 0);
  listItems(menu.menu);
  if (menu.screen != before && menu.screen != Screen.Menu && menu.screen != Screen.Status) screens.enter();
}

/** Draws row `row` of the panel's screen into the display's frame. */
export function renderRow(row: u32): void {
  if (menu.screen != Screen.Menu) {
    screens.renderRow(row);
    return;
  }
  // Items may have come or gone with the printer's state since the last look.
  if (row == 0) menu.clampTo(menu.cursor, countItems());
  menu.beginPass(Pass.Draw, <i32>row);
  listItems(menu.menu);
  commit(row);
}
