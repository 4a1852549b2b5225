// The mesh and the correction overlay in EEPROM, each its own record above the settings block
// (settings/store.ts keeps its 182 bytes at address 0 and mirrors them in SRAM; these are read
// straight from the EEPROM when needed, through the shared workspace, and cost no SRAM of their
// own).
//
// Record (132 bytes):
//   0  u32 magic       "PLMS" (mesh) / "PLOV" (overlay)
//   4  u8 version, u8 columns, u8 rows, u8 0
//   8  f32 first X, last X, first Y, last Y: probe positions of the grid's corners, world mm
//  24  i16[7 x 7] heights, um, rows 7 apart, front row first (unused nodes 0)
// 122  i16[4] overlay only: Prusa's edge corrections L R F B, um (mesh: 0)
// 130  u16 CRC-16/CCITT of bytes 4..129
// Written with the magic last, so a power cut half-way leaves a record that is refused.

import { eepromRead, eepromWrite, eepromSize, watchdogReset } from "../hal";
import { crc16 } from "../settings/crc";
import { workspace } from "../system/workspace";
import { MESH_MAX } from "./mesh";

export const MESH_RECORD_ADDRESS: u32 = 3072;
export const OVERLAY_RECORD_ADDRESS: u32 = 3328;
export const RECORD_BYTES: u32 = 132;
export const MESH_MAGIC: u32 = 0x534d4c50; // "PLMS"
export const OVERLAY_MAGIC: u32 = 0x564f4c50; // "PLOV"
const RECORD_VERSION: u32 = 1;

export const enum R {
  Magic = 0,
  Version = 4,
  Cols = 5,
  Rows = 6,
  FirstX = 8,
  LastX = 12,
  FirstY = 16,
  LastY = 20,
  Nodes = 24,
  Edges = 122,
  Crc = 130,
}

/** The record image in the workspace (free whenever no procedure runs). */
export const image: usize = workspace;

export function clearImage(magic: u32): void {
  for (let i: u32 = 0; i < RECORD_BYTES; i++) store<u8>(image + i, 0);
  store<u32>(image + R.Magic, magic);
  store<u8>(image + R.Version, <u8>RECORD_VERSION);
}

export function imageNodeUm(c: i32, r: i32): i32 {
  return <i32>load<i16>(image + R.Nodes + (<usize>(r * MESH_MAX + c) << 1));
}

export function setImageNodeUm(c: i32, r: i32, um: i32): void {
  if (um > 32767) um = 32767;
  if (um < -32767) um = -32767;
  store<i16>(image + R.Nodes + (<usize>(r * MESH_MAX + c) << 1), <i16>um);
}

export function imageEdgeUm(k: i32): i32 {
  return <i32>load<i16>(image + R.Edges + (<usize>k << 1));
}

export function setImageEdgeUm(k: i32, um: i32): void {
  store<i16>(image + R.Edges + (<usize>k << 1), <i16>um);
}

/** Writes the image at `address` (magic last) and reads it back; false if the EEPROM did not keep it. */
export function writeImage(address: u32): bool {
  if (address + RECORD_BYTES > eepromSize()) return false;
  store<u16>(image + R.Crc, <u16>crc16(image + 4, R.Crc - 4));
  eepromWrite(address, 0); // invalid while half-written
  for (let i: u32 = 1; i < RECORD_BYTES; i++) {
    eepromWrite(address + i, load<u8>(image + i));
    watchdogReset(); // ~3.4 ms a byte on the chip
  }
  eepromWrite(address, load<u8>(image));
  for (let i: u32 = 0; i < RECORD_BYTES; i++) {
    if (<u8>eepromRead(address + i) != load<u8>(image + i)) return false;
  }
  return true;
}

/** Reads the record at `address` into the image; true only if its magic, version, CRC and shape check. */
export function readImage(address: u32, magic: u32): bool {
  if (address + RECORD_BYTES > eepromSize()) return false;
  for (let i: u32 = 0; i < RECORD_BYTES; i++) store<u8>(image + i, <u8>eepromRead(address + i));
  if (load<u32>(image + R.Magic) != magic) return false;
  if (<u32>load<u8>(image + R.Version) != RECORD_VERSION) return false;
  if (<u32>load<u16>(image + R.Crc) != crc16(image + 4, R.Crc - 4)) return false;
  const c = <i32>load<u8>(image + R.Cols), r = <i32>load<u8>(image + R.Rows);
  if (c < 1 || c > MESH_MAX || r < 1 || r > MESH_MAX) return false;
  const x0 = load<f32>(image + R.FirstX), x1 = load<f32>(image + R.LastX);
  const y0 = load<f32>(image + R.FirstY), y1 = load<f32>(image + R.LastY);
  // NaN fails every comparison: the ranges refuse it too.
  if (!(x0 > -1000 && x0 < 1000 && x1 > -1000 && x1 < 1000 && y0 > -1000 && y0 < 1000 && y1 > -1000 && y1 < 1000)) return false;
  return true;
}

/** Forgets a record (M502 does not; only a new G80/M421 replaces one). */
export function eraseRecord(address: u32): void {
  eepromWrite(address, 0xff);
}
