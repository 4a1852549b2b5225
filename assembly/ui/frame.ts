// The display's frame buffer and its writer, shared by the status screen (ui/display.ts) and the
// front panel's menus and screens (ui/menu.ts, ui/screens.ts): a row is built in `line`, then
// committed to `frame`, what the screen should show; the writer compares `frame` with `shown`,
// what the controller holds, and sends the next differing character, one byte per call and only
// when the controller is ready (hal.lcdReady), so the display never makes anything wait.
// Separate from display.ts so that the panel's modules and the status screen need not import
// each other.

import { lcdReady, lcdWrite, romByte } from "../hal";
import { RomText, romLength, romOffset } from "../rom";
import { NUMBER_MAX, formatFixedFit } from "../format";

export const COLS: u32 = 20;
export const ROWS: u32 = 4;
const CELLS: u32 = COLS * ROWS;
const SPACE: u32 = 32;

const frame = memory.data(CELLS, 1);
const shown = memory.data(CELLS, 1); // 0 (never written) differs from every character
const line = memory.data(COLS, 1);
/** Digits for lineRight(), formatted by the caller. */
export const scratch = memory.data(NUMBER_MAX, 1);
/** DDRAM address of each row's first character. */
const ROW_ADDRESS = memory.data<u8>([0x00, 0x40, 0x14, 0x54]);

/** Characters of `line` built so far. */
let lineEnd: u32 = 0;
/** Per row, the columns where `frame` may differ from `shown`: from..to-1 (from == to: none). */
const dirtyFrom = memory.data(ROWS, 1);
const dirtyTo = memory.data(ROWS, 1);
/** Rows with such columns, one bit each. */
let dirtyRows: u32 = 0;
/** The controller's address counter, as a cell; -1 when not known. */
let address: i32 = -1;

// ---------------------------------------------------------------------------------------------
// Building a row.

export function lineChar(c: u32): void {
  if (lineEnd < COLS) store<u8>(line + lineEnd++, <u8>c);
}

/** Columns of the row built so far. */
export function lineLength(): u32 {
  return lineEnd;
}

/** Spaces up to column `col`. */
export function lineSpaces(col: u32): void {
  while (lineEnd < col) lineChar(SPACE);
}

/** A flash text, up to its end, or up to its first space when `word`. */
export function lineText(t: RomText, word: bool): void {
  const offset = romOffset(t);
  const length = romLength(t);
  for (let i: u32 = 0; i < length; i++) {
    const c = romByte(offset + i);
    if (word && c == SPACE) return;
    lineChar(c);
  }
}

/** The first `length` bytes of `scratch`, right-aligned in `width` columns. */
export function lineRight(length: u32, width: u32): void {
  lineSpaces(lineEnd + width - length);
  for (let i: u32 = 0; i < length; i++) lineChar(load<u8>(scratch + i));
}

/** `v` with `decimals` places, right-aligned in `width` columns ("#" filled when it does not fit). */
export function lineNumber(v: f32, decimals: u32, width: u32): void {
  let n = formatFixedFit(scratch, v, decimals, width);
  if (n == 0) for (; n < width; n++) store<u8>(scratch + n, 35);
  lineRight(n, width);
}

/** The row, padded with spaces, becomes `frame`'s row `row`; what changed is marked dirty. */
export function commit(row: u32): void {
  lineSpaces(COLS);
  const to = frame + row * COLS;
  let first = COLS;
  let last: u32 = 0;
  for (let i: u32 = 0; i < COLS; i++) {
    const c = load<u8>(line + i);
    if (load<u8>(to + i) != c) {
      store<u8>(to + i, c);
      if (first == COLS) first = i;
      last = i;
    }
  }
  lineEnd = 0;
  if (first == COLS) return;
  if ((dirtyRows & (1 << row)) == 0) {
    store<u8>(dirtyFrom + row, <u8>first);
    store<u8>(dirtyTo + row, <u8>(last + 1));
    dirtyRows |= 1 << row;
  } else {
    if (first < <u32>load<u8>(dirtyFrom + row)) store<u8>(dirtyFrom + row, <u8>first);
    if (last + 1 > <u32>load<u8>(dirtyTo + row)) store<u8>(dirtyTo + row, <u8>(last + 1));
  }
}

/** Rows still to send to the controller, one bit each (0: the screen shows the frame). */
export function dirtyRowMask(): u32 {
  return dirtyRows;
}

// ---------------------------------------------------------------------------------------------
// The controller.

/** Sends the next differing character, or the address instruction that goes before it. */
export function writeNext(): void {
  if (dirtyRows == 0 || !lcdReady()) return;
  for (let row: u32 = 0; row < ROWS; row++) {
    if ((dirtyRows & (1 << row)) == 0) continue;
    const base = row * COLS;
    const to = <u32>load<u8>(dirtyTo + row);
    let col = <u32>load<u8>(dirtyFrom + row);
    while (col < to && load<u8>(frame + base + col) == load<u8>(shown + base + col)) col++;
    if (col == to) {
      dirtyRows &= ~(1 << row);
      continue;
    }
    store<u8>(dirtyFrom + row, <u8>col);
    const cell = base + col;
    if (<i32>cell != address) {
      lcdWrite(0, 0x80 | (<u32>load<u8>(ROW_ADDRESS + row) + col));
      address = <i32>cell;
      return; // the character goes with the next call
    }
    const c = load<u8>(frame + cell);
    lcdWrite(1, c);
    store<u8>(shown + cell, c);
    store<u8>(dirtyFrom + row, <u8>(col + 1));
    // The controller's counter moves on by itself, to the next cell unless this ended a row.
    address = col == COLS - 1 ? -1 : <i32>cell + 1;
    return;
  }
}
