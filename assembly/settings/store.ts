// Settings: the numbers a user can change (M92, M201, M203, M204, M205, M851, ...), kept in RAM as
// one flat block and in EEPROM as one versioned record with a CRC.
//
// EEPROM record at address 0:
//   0  "PLMB"          magic
//   4  u16 version     SETTINGS_VERSION: bump it whenever the layout below changes
//   6  u16 length      payload bytes
//   8  u16 crc         CRC-16/CCITT of the payload
//  10  payload         the RAM block, byte for byte
// A record that is erased, foreign, from another version, truncated, corrupted or holding values
// out of range is never used: the firmware runs on factory defaults and says why.
// Calibration data added later joins the payload (and bumps the version).

import { eepromRead, eepromWrite, eepromSize, watchdogReset } from "../hal";
import { BoardKey, boardF32 } from "../board";
import { crc16 } from "./crc";
import { workspace, WORKSPACE_BYTES } from "../system/workspace";

export const SETTINGS_VERSION: u32 = 2;

/** Byte offsets of the fields in the settings block. */
export const enum S {
  StepsPerMm = 0, // f32[4] X Y Z E
  MaxFeedrate = 16, // f32[4] mm/s
  MaxAccel = 32, // f32[4] mm/s^2
  Accel = 48, // f32 printing moves, mm/s^2
  RetractAccel = 52, // f32 E-only moves
  TravelAccel = 56, // f32 moves without E
  JunctionDeviation = 60, // f32 mm
  MinSegmentTimeUs = 64, // f32
  MinFeedrate = 68, // f32 mm/s, printing moves
  MinTravelFeedrate = 72, // f32 mm/s
  ProbeOffset = 76, // f32[3] X Y Z, mm from the nozzle
  HotendPid = 88, // f32[3] Kp, Ki (per s), Kd (s): M301 (version 2)
  BedPid = 100, // f32[3]: M304 (version 2)
  // Version 2: the XYZ calibration (M45). The bed transform (calibration/bedTransform.ts): the
  // machine X axis on the bed, the Y axis, where machine (0, 0) lands (f32 x2 each); checked for
  // plausibility when applied (calibration/stored.ts), not here, so a bad one is refused alone.
  BedTransform = 112, // f32[6] vxX vxY vyX vyY originX originY
  ReferenceHeights = 136, // f32[9] nozzle Z where the probe switched over each target; NaN: none
  Size = 172,
}

export const HEADER_BYTES: u32 = 10;
const SIZE: u32 = <u32>S.Size;
export const MAGIC: u32 = 0x424d4c50; // "PLMB" little-endian

export const block = memory.data(<i32>S.Size);
// The record read back from the EEPROM is checked in the shared workspace before it replaces the
// live one (no other procedure runs while settings load).
const scratch: usize = workspace;
// @ts-ignore: a compile-time check
if (<u32>S.Size > WORKSPACE_BYTES) ERROR("settings: the record does not fit the workspace");

export function f32At(offset: u32): f32 {
  return load<f32>(block + offset);
}

export function setF32(offset: u32, v: f32): void {
  store<f32>(block + offset, v);
}

export function axisF32(field: u32, axis: i32): f32 {
  return load<f32>(block + field + (<u32>axis << 2));
}

export function setAxisF32(field: u32, axis: i32, v: f32): void {
  store<f32>(block + field + (<u32>axis << 2), v);
}

/** Factory defaults from the board table. */
export function loadDefaults(): void {
  for (let a = 0; a < 4; a++) {
    setAxisF32(S.StepsPerMm, a, boardF32(BoardKey.StepsPerMmX + a));
    setAxisF32(S.MaxFeedrate, a, boardF32(BoardKey.MaxFeedrateX + a));
    setAxisF32(S.MaxAccel, a, boardF32(BoardKey.MaxAccelX + a));
  }
  setF32(S.Accel, boardF32(BoardKey.Accel));
  setF32(S.RetractAccel, boardF32(BoardKey.RetractAccel));
  setF32(S.TravelAccel, boardF32(BoardKey.TravelAccel));
  setF32(S.JunctionDeviation, boardF32(BoardKey.JunctionDeviation));
  setF32(S.MinSegmentTimeUs, boardF32(BoardKey.MinSegmentTimeUs));
  setF32(S.MinFeedrate, 0);
  setF32(S.MinTravelFeedrate, 0);
  for (let a = 0; a < 3; a++) setAxisF32(S.ProbeOffset, a, boardF32(BoardKey.ProbeOffsetX + a));
  // Prusa MK2's PID values (E3D V6 hotend; PIDTEMPBED): see temperature/heaters.ts.
  setAxisF32(S.HotendPid, 0, 40.925);
  setAxisF32(S.HotendPid, 1, 4.875);
  setAxisF32(S.HotendPid, 2, 86.085);
  setAxisF32(S.BedPid, 0, 126.13);
  setAxisF32(S.BedPid, 1, 4.3);
  setAxisF32(S.BedPid, 2, 924.76);
  // No XYZ calibration: the identity transform, no reference heights.
  for (let k = 0; k < 6; k++) setAxisF32(S.BedTransform, k, k == 0 || k == 3 ? 1 : 0);
  for (let k = 0; k < 9; k++) setAxisF32(S.ReferenceHeights, k, reinterpret<f32>(0x7fc00000)); // NaN
}

// Ranges a stored value must lie in; anything else marks the record as corrupted.
export const STEPS_PER_MM_MAX: f32 = 10000;
export const FEEDRATE_MAX: f32 = 2000;
export const ACCEL_MAX: f32 = 100000;
export const JUNCTION_DEVIATION_MIN: f32 = 0.001;
export const JUNCTION_DEVIATION_MAX: f32 = 1;
export const PROBE_OFFSET_MAX: f32 = 100;
/** PID gains: Kp, Ki, Kd each 0 to this (M301/M304 refuse more). */
export const PID_GAIN_MAX: f32 = 100000;

function inRange(v: f32, lo: f32, hi: f32): bool {
  return v >= lo && v <= hi; // false for NaN
}

/** Checks a settings block at `base`; 0 when valid, else the offset of the first bad field + 1. */
export function validate(base: usize): u32 {
  for (let a: u32 = 0; a < 4; a++) {
    const o = a << 2;
    if (!inRange(load<f32>(base + S.StepsPerMm + o), 0.001, STEPS_PER_MM_MAX)) return S.StepsPerMm + o + 1;
    if (!inRange(load<f32>(base + S.MaxFeedrate + o), 0.001, FEEDRATE_MAX)) return S.MaxFeedrate + o + 1;
    if (!inRange(load<f32>(base + S.MaxAccel + o), 0.001, ACCEL_MAX)) return S.MaxAccel + o + 1;
  }
  if (!inRange(load<f32>(base + S.Accel), 0.001, ACCEL_MAX)) return S.Accel + 1;
  if (!inRange(load<f32>(base + S.RetractAccel), 0.001, ACCEL_MAX)) return S.RetractAccel + 1;
  if (!inRange(load<f32>(base + S.TravelAccel), 0.001, ACCEL_MAX)) return S.TravelAccel + 1;
  if (!inRange(load<f32>(base + S.JunctionDeviation), JUNCTION_DEVIATION_MIN, JUNCTION_DEVIATION_MAX)) return S.JunctionDeviation + 1;
  if (!inRange(load<f32>(base + S.MinSegmentTimeUs), 0, 1000000)) return S.MinSegmentTimeUs + 1;
  if (!inRange(load<f32>(base + S.MinFeedrate), 0, FEEDRATE_MAX)) return S.MinFeedrate + 1;
  if (!inRange(load<f32>(base + S.MinTravelFeedrate), 0, FEEDRATE_MAX)) return S.MinTravelFeedrate + 1;
  for (let a: u32 = 0; a < 3; a++) {
    if (!inRange(load<f32>(base + S.ProbeOffset + (a << 2)), -PROBE_OFFSET_MAX, PROBE_OFFSET_MAX)) return S.ProbeOffset + (a << 2) + 1;
  }
  for (let i: u32 = 0; i < 6; i++) {
    if (!inRange(load<f32>(base + S.HotendPid + (i << 2)), 0, PID_GAIN_MAX)) return S.HotendPid + (i << 2) + 1;
  }
  return 0;
}

/** Why the last load failed (LoadResult), and its details for the message. */
export const enum LoadResult {
  Ok = 0,
  Erased = 1,
  Foreign = 2,
  OtherVersion = 3,
  BadLength = 4,
  BadCrc = 5,
  BadValue = 6,
}

export let lastStoredVersion: u32 = 0;
export let lastStoredLength: u32 = 0;
export let lastStoredCrc: u32 = 0;
export let lastComputedCrc: u32 = 0;
export let lastBadField: u32 = 0;

export function readU16(addr: u32): u32 {
  return eepromRead(addr) | (eepromRead(addr + 1) << 8);
}

function writeU16(addr: u32, v: u32): void {
  eepromWrite(addr, v & 0xff);
  eepromWrite(addr + 1, (v >> 8) & 0xff);
}

function storedMagic(): u32 {
  return readU16(0) | (readU16(2) << 16);
}

/** No settings record was ever written: the EEPROM's first word is still erased (0xFF bytes). */
export function eepromErased(): bool {
  return storedMagic() == 0xffffffff;
}

/** Reads and checks the EEPROM record; copies it into RAM only if every check passes. */
export function loadFromEeprom(): LoadResult {
  const magic = storedMagic();
  if (magic == 0xffffffff) return LoadResult.Erased;
  if (magic != MAGIC) return LoadResult.Foreign;
  lastStoredVersion = readU16(4);
  lastStoredLength = readU16(6);
  lastStoredCrc = readU16(8);
  if (lastStoredVersion != SETTINGS_VERSION) return LoadResult.OtherVersion;
  if (lastStoredLength != SIZE || HEADER_BYTES + lastStoredLength > eepromSize()) return LoadResult.BadLength;
  for (let i: u32 = 0; i < SIZE; i++) store<u8>(scratch + i, <u8>eepromRead(HEADER_BYTES + i));
  lastComputedCrc = crc16(scratch, SIZE);
  if (lastComputedCrc != lastStoredCrc) return LoadResult.BadCrc;
  lastBadField = validate(scratch);
  if (lastBadField != 0) return LoadResult.BadValue;
  memory.copy(block, scratch, SIZE);
  return LoadResult.Ok;
}

/** Writes the RAM block as a record and reads it back; false if the EEPROM did not keep it. */
export function saveToEeprom(): bool {
  const crc = crc16(block, SIZE);
  // Invalidate first, so that a power cut half-way leaves a record that is refused, not a mix.
  eepromWrite(0, 0);
  for (let i: u32 = 0; i < SIZE; i++) {
    eepromWrite(HEADER_BYTES + i, load<u8>(block + i));
    watchdogReset(); // ~3.4 ms per byte written on the chip
  }
  writeU16(4, SETTINGS_VERSION);
  writeU16(6, SIZE);
  writeU16(8, crc);
  eepromWrite(1, (MAGIC >> 8) & 0xff);
  eepromWrite(2, (MAGIC >> 16) & 0xff);
  eepromWrite(3, MAGIC >> 24);
  eepromWrite(0, MAGIC & 0xff);
  lastComputedCrc = crc;
  for (let i: u32 = 0; i < SIZE; i++) {
    if (<u8>eepromRead(HEADER_BYTES + i) != load<u8>(block + i)) return false;
  }
  return readU16(8) == crc && eepromRead(0) == (MAGIC & 0xff);
}

export function recordBytes(): u32 {
  return HEADER_BYTES + SIZE;
}
