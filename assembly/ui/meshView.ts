// The mesh on the 20x4 display, point by point: Info > Mesh shows the live mesh (leveling/mesh.ts,
// what G80 measured with the corrections added), Calibration > Mesh correction the correction
// overlay M421 keeps in the EEPROM (leveling/meshStore.ts), read straight from there: the panel
// must not use the shared workspace, which a running procedure may hold.
//
// Three points a row, in mm with three decimals (6 characters each, 20 with the spaces), the rear
// row on top, as the bed lies in front of the owner:
//   Mesh mm  3x3
//    0.012  0.034 -0.020      rear
//   -0.004  0.000  0.008
//    0.016 -0.011  0.002      front
// A grid wider or deeper than 3 (the steel sheet's up to 7x7) shows 3x3 points at a time; the knob
// steps through the windows (columns first) and the title says which columns and rows show.
// The bed level correction (M421 L R F B) of an overlay without points shows instead of the grid.

import * as mesh from "../leveling/mesh";
import * as records from "../leveling/meshStore";
import { R } from "../leveling/meshStore";
import { crc16Update } from "../settings/crc";
import { eepromRead } from "../hal";
import { formatUint } from "../format";
import { lcdText } from "./text";
import { lineChar, lineNumber, lineRight, lineSpaces, lineText, scratch } from "./frame";
import { MESH_MAX } from "../leveling/mesh";

export const enum MeshSource {
  Live = 0,
  Overlay = 1,
}

/** Bits 0-7: the window shown; bit 8: the EEPROM's overlay record checked good (one global). */
let view: i32 = 0;
const OVERLAY_GOOD: i32 = 0x100;
const SHOWN: i32 = 3;

function u8At(offset: u32): u32 {
  return eepromRead(records.OVERLAY_RECORD_ADDRESS + offset) & 0xff;
}

function i16At(offset: u32): i32 {
  return <i32>(<i16>(u8At(offset) | (u8At(offset + 1) << 8)));
}

/** The overlay record's magic, version, shape and CRC, checked as meshStore.readImage does. */
function overlayGood(): bool {
  const magic = u8At(0) | (u8At(1) << 8) | (u8At(2) << 16) | (u8At(3) << 24);
  if (magic != records.OVERLAY_MAGIC || u8At(R.Version) != 1) return false;
  let crc: u32 = 0xffff;
  for (let i: u32 = 4; i < <u32>R.Crc; i++) crc = crc16Update(crc, u8At(i));
  if (crc != (u8At(R.Crc) | (u8At(R.Crc + 1) << 8))) return false;
  const c = u8At(R.Cols), r = u8At(R.Rows);
  return c >= 1 && c <= <u32>MESH_MAX && r >= 1 && r <= <u32>MESH_MAX;
}

/** The saved bed level correction k (L R F B), um; 0 without a good overlay record. */
export function savedEdgeUm(k: i32): i32 {
  return overlayGood() ? i16At(R.Edges + (<u32>k << 1)) : 0;
}

export function enter(source: i32): void {
  view = source == <i32>MeshSource.Overlay && overlayGood() ? OVERLAY_GOOD : 0;
}

function cols(source: i32): i32 {
  if (source == <i32>MeshSource.Live) return mesh.hasMesh() ? mesh.meshCols() : 0;
  return (view & OVERLAY_GOOD) != 0 ? <i32>u8At(R.Cols) : 0;
}

function rows(source: i32): i32 {
  if (source == <i32>MeshSource.Live) return mesh.hasMesh() ? mesh.meshRows() : 0;
  return (view & OVERLAY_GOOD) != 0 ? <i32>u8At(R.Rows) : 0;
}

/** Windows along a side of n points: starts 0, 3, ..., the last one flush with the edge. */
function windows(n: i32): i32 {
  return n <= SHOWN ? 1 : (n + SHOWN - 1) / SHOWN;
}

function windowStart(k: i32, n: i32): i32 {
  const s = k * SHOWN;
  return s + SHOWN > n ? (n > SHOWN ? n - SHOWN : 0) : s;
}

export function turn(source: i32, detents: i32): void {
  const total = windows(cols(source)) * windows(rows(source));
  let w = (view & 0xff) + detents;
  if (w < 0) w = 0;
  if (w >= total) w = total - 1;
  view = (view & OVERLAY_GOOD) | w;
}

function nodeMm(source: i32, c: i32, r: i32): f32 {
  if (source == <i32>MeshSource.Live) return mesh.nodeMm(c, r);
  return <f32>i16At(R.Nodes + (<u32>(r * MESH_MAX + c) << 1)) / <f32>1000;
}

function number(v: u32): void {
  const n = formatUint(scratch, v);
  lineRight(n, n);
}

export function renderRow(source: i32, row: u32): void {
  const n = cols(source), m = rows(source);
  const wc = windows(n);
  const c0 = windowStart((view & 0xff) % wc, n), r0 = windowStart((view & 0xff) / wc, m);
  if (row == 0) {
    lineText(source == <i32>MeshSource.Live ? lcdText("Mesh mm") : lcdText("Correction mm"), false);
    if (n == 0 || (n == 1 && m == 1)) return;
    lineSpaces(14);
    if (wc == 1 && windows(m) == 1) {
      number(<u32>n);
      lineChar(120); // 'x'
      number(<u32>m);
    } else {
      // The window's first column and row, counted from 1 at the front left.
      lineChar(67); // 'C'
      number(<u32>(c0 + 1));
      lineChar(32);
      lineChar(82); // 'R'
      number(<u32>(r0 + 1));
    }
    return;
  }
  if (n == 0) {
    if (row == 1) lineText(source == <i32>MeshSource.Live ? lcdText("No mesh: run G80") : lcdText("No correction saved"), false);
    return;
  }
  if (n == 1 && m == 1) {
    // An overlay of edges only: the bed level correction, um.
    if (row == 1) lineText(lcdText("No point corrections"), false);
    else if (row == 2) {
      lineText(lcdText("Bed level corr. um:"), false);
    } else {
      for (let k = 0; k < 4; k++) {
        if (k > 0) lineChar(32);
        lineChar(k == 0 ? 76 : k == 1 ? 82 : k == 2 ? 70 : 66); // L R F B
        lineNumber(<f32>i16At(R.Edges + (<u32>k << 1)), 0, 3);
      }
    }
    return;
  }
  // Row 1 is the window's rear row.
  const r = r0 + (m < SHOWN ? m : SHOWN) - <i32>row;
  if (r < r0) return;
  const last = c0 + (n < SHOWN ? n : SHOWN);
  for (let c = c0; c < last; c++) {
    if (c > c0) lineChar(32);
    lineNumber(nodeMm(source, c, r), 3, 6);
  }
}
