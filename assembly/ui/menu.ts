// The menu engine: which screen the display shows, the cursor, and the items of the menu on
// show. Menus are code in flash (ui/menus.ts): one function per menu lists its items in order,
// each behind the condition that makes it visible, e.g.
//
//   back(menuLabel("Main"));
//   if (motion.enabledSteppers() != 0) command(menuLabel("Disable steppers"), rom("M84"), false);
//
// The engine runs that function in one of three passes: Count (how many items are visible now,
// to keep the cursor on one), Draw (the item on one display row) and Activate (the item under
// the cursor was clicked). Nothing is stored per item, so a menu costs no SRAM at all, and an
// item that appears or disappears with the printer's state needs nothing but its `if`.
//
// Procedures started from a menu are G-code lines queued like the serial port's (ui/commands.ts),
// so the same handler runs them whichever way they came.

import { RomText, romLength, romOffset } from "../rom";
import { romByte } from "../hal";
import { lineChar, lineSpaces } from "./frame";

export const enum Screen {
  Status = 0,
  Menu = 1,
  Edit = 2,
  Endstops = 3,
  Info = 4,
  LiveAdjustZ = 5,
  Progress = 6, // a long procedure's progress (ui/progress.ts)
  Notice = 7, // a result or an error, until a click acknowledges it (arg: ui/screens.ts's Notice)
  PaperTest = 8, // Z offset: the guided paper test on the knob (ui/paperTest.ts)
  Mesh = 9, // the mesh or the correction overlay, point by point (arg: ui/meshView.ts's MeshSource)
  Wizard = 10, // the first-run wizard's own screens (ui/wizard.ts)
}

export const enum MenuId {
  Main = 0,
  Settings = 1,
  MoveAxis = 2,
  Calibration = 3,
  Tune = 4,
  Preheat = 5,
  Temperature = 6,
  Info = 7,
  BedLevel = 8,
}

/** Rows a menu shows at once. */
export const MENU_ROWS: i32 = 4;
/** HD44780 character ROM A00: 0x7e is a right arrow, the mark of an item that opens more. */
const SUBMENU_MARK: u32 = 0x7e;
const CURSOR: u32 = 62; // '>'
const SPACE: u32 = 32;

export let screen: Screen = Screen.Status;
/** For screens opened from a menu: which value (Edit: ui/screens.ts's Value). */
export let screenArg: i32 = 0;
export let menu: MenuId = MenuId.Main;
export let cursor: i32 = 0;
/** The item on the first row. */
export let top: i32 = 0;
/** Bumped on every change the display must show at once (not only at its next refresh). */
export let revision: u32 = 0;

/** Parent menus and their cursors, for going back: one byte each. */
const STACK_DEPTH: u32 = 4;
const stackMenu = memory.data(STACK_DEPTH);
const stackCursor = memory.data(STACK_DEPTH);
let depth: u32 = 0;

export const enum Pass {
  Count = 0,
  Draw = 1,
  Activate = 2,
}

export let pass: Pass = Pass.Count;
/** Index of the next item the menu function lists. */
let index: i32 = 0;
/** Draw: the item to draw (top + row). */
let drawIndex: i32 = 0;

// ---------------------------------------------------------------------------------------------
// Items. Each returns true when it is the one activated in an Activate pass, for callers that
// need to do more than the item does by itself.

/** Activate: an item has acted. The rest of the pass must not: it may have changed the cursor. */
let acted = false;

function isThis(): bool {
  const i = index++;
  if (pass == Pass.Count) return false;
  if (pass == Pass.Draw) return i == drawIndex;
  if (acted || i != cursor) return false;
  acted = true;
  return true;
}

function drawLabel(label: RomText, mark: bool): void {
  lineChar(drawIndex == cursor ? CURSOR : SPACE);
  const offset = romOffset(label);
  const length = romLength(label);
  for (let i: u32 = 0; i < length; i++) lineChar(romByte(offset + i));
  if (mark) {
    lineSpaces(19);
    lineChar(SUBMENU_MARK);
  }
}

/** Back to the menu this one was opened from (the status screen from the main menu). */
export function back(label: RomText): void {
  if (!isThis()) return;
  if (pass == Pass.Draw) drawLabel(label, false);
  else goBack();
}

/** Opens another menu. */
export function submenu(label: RomText, id: MenuId): void {
  if (!isThis()) return;
  if (pass == Pass.Draw) drawLabel(label, true);
  else openMenu(id);
}

/** Opens a screen (ui/screens.ts); `arg` tells it what to show (an axis). */
export function screenItem(label: RomText, s: Screen, arg: i32): void {
  if (!isThis()) return;
  if (pass == Pass.Draw) drawLabel(label, true);
  else openScreen(s, arg);
}

/**
 * An item that does something: draws its label, and returns true when activated (the caller
 * acts). `thenStatus`: the status screen follows, where a procedure shows how it goes.
 */
export function action(label: RomText, thenStatus: bool): bool {
  if (!isThis()) return false;
  if (pass == Pass.Draw) {
    drawLabel(label, false);
    return false;
  }
  if (thenStatus) showStatus();
  return true;
}

// ---------------------------------------------------------------------------------------------
// Navigation.

/** What the panel shows changed: the display redraws at once. */
export function changed(): void {
  revision++;
}

export function showStatus(): void {
  screen = Screen.Status;
  depth = 0;
  revision++;
}

export function openMenu(id: MenuId): void {
  if (screen == Screen.Menu && depth < STACK_DEPTH) {
    store<u8>(stackMenu + depth, <u8>menu);
    store<u8>(stackCursor + depth, <u8>cursor);
    depth++;
  } else if (screen != Screen.Menu) {
    depth = 0;
  }
  screen = Screen.Menu;
  menu = id;
  cursor = 0;
  top = 0;
  revision++;
}

export function goBack(): void {
  if (screen != Screen.Menu) {
    // A screen goes back to the menu it was opened from, which is still set.
    screen = Screen.Menu;
  } else if (depth == 0) {
    screen = Screen.Status;
  } else {
    depth--;
    menu = <MenuId>load<u8>(stackMenu + depth);
    cursor = <i32>load<u8>(stackCursor + depth);
    top = cursor < MENU_ROWS ? 0 : cursor - MENU_ROWS + 1;
  }
  revision++;
}

export function openScreen(s: Screen, arg: i32): void {
  screen = s;
  screenArg = arg;
  revision++;
}

// ---------------------------------------------------------------------------------------------
// Passes, run by ui/panel.ts with the menu function.

export function beginPass(p: Pass, row: i32): void {
  pass = p;
  index = 0;
  acted = false;
  drawIndex = top + row;
}

/** Items listed by the pass just run (Count: how many are visible). */
export function itemsListed(): i32 {
  return index;
}

/** Moves the cursor by `detents` within `count` items (stopping at the ends), scrolling with it. */
export function moveCursor(detents: i32, count: i32): void {
  clampTo(cursor + detents, count);
}

/** Keeps the cursor on an item that is there (items may vanish with the printer's state). */
export function clampTo(c: i32, count: i32): void {
  if (c >= count) c = count - 1;
  if (c < 0) c = 0;
  if (c < top) top = c;
  if (c >= top + MENU_ROWS) top = c - MENU_ROWS + 1;
  if (top > 0 && top + MENU_ROWS > count) top = count > MENU_ROWS ? count - MENU_ROWS : 0;
  if (c != cursor) revision++;
  cursor = c;
}
