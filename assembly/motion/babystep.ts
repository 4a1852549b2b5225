// Babystepping ("Live adjust Z", M290 Z): moving the nozzle up or down by single Z steps while
// it prints, without the planner or the G-code position knowing, so the first layer's squish is
// set by eye while the layer goes down.
//
// The adjustment is folded into the probe's Z offset (settings S.ProbeOffset Z) as it is made: Z
// homing sets the nozzle's height from that offset (motion/homing.ts: the nozzle is at -offset
// when the probe switches): a nozzle moved by b mm (b < 0: down) under an unchanged G-code Z is
// the same correction as homing with offset' = offset + b, which then believes the nozzle b
// higher at the switching point and so sends it b lower for any G-code Z. After the next
// G28 the same G-code Z gives the adjusted gap, and M500 (or leaving the panel's Live adjust Z
// screen, as Prusa's firmware writes EEPROM_BABYSTEP_Z only then) keeps it.
//
// One detent of the panel is one Z microstep, as in Prusa's _lcd_babystep: 1/400 mm = 0.0025 mm
// on the MK2 (reference-heaters-lcd-mesh.md 3). Steps owed are handed to the step interrupt in
// batches of up to 255, one way at a time (motion/stepper.ts makes them, 400 a second while
// printing).

import * as settings from "../settings/store";
import { S } from "../settings/store";
import { crc16Update } from "../settings/crc";
import { eepromRead, eepromWrite } from "../hal";
import * as stepper from "./stepper";
import * as motion from "./motion";
import { faultActive } from "../system/fault";
import { Z, dirBit, dirInvertMask } from "./axes";

/**
 * The Z offset stays within these, mm. At most 0: above that homing would put the switching point
 * below the nozzle (homing.ts clamps its height to 0), and the fold above would no longer hold.
 * At least -9.99: Prusa's Z_BABYSTEP_MIN, -3999 steps.
 */
export const Z_OFFSET_HIGHEST_MM: f32 = 0;
export const Z_OFFSET_LOWEST_MM: f32 = -9.99;

/** Steps not yet handed to the interrupt; > 0 up. */
let owedSteps: i32 = 0;

export function stepsPerMm(): f32 {
  return settings.axisF32(S.StepsPerMm, Z);
}

export function zOffset(): f32 {
  return settings.axisF32(S.ProbeOffset, Z);
}

/**
 * Moves the nozzle `steps` Z steps (> 0 up) and the Z offset with it. An adjustment that would take
 * the offset out of its range is cut short at the range's end. Returns the steps taken (0 with Z
 * not homed or a fault latched).
 */
export function babystep(steps: i32): i32 {
  // Only where Z is known and driven: M84 or a fault (drivers off) would leave steps and offset apart.
  if (faultActive() || !motion.isHomed(Z)) return 0;
  const perMm = stepsPerMm();
  const now = zOffset();
  // Whole steps only: the offset moves by exactly what the nozzle moves.
  const highest = <i32>Mathf.floor((Z_OFFSET_HIGHEST_MM - now) * perMm + <f32>0.001);
  const lowest = <i32>Mathf.ceil((Z_OFFSET_LOWEST_MM - now) * perMm - <f32>0.001);
  if (steps > highest) steps = highest > 0 ? highest : 0;
  if (steps < lowest) steps = lowest < 0 ? lowest : 0;
  if (steps == 0) return 0;
  settings.setAxisF32(S.ProbeOffset, Z, now + <f32>steps / perMm);
  owedSteps += steps;
  return steps;
}

/** Steps still to make (owed or with the interrupt). */
export function pending(): bool {
  return owedSteps != 0 || !stepper.babystepsDone();
}

/** Every idle pass: the next batch to the interrupt once it has made the last. */
export function service(): void {
  if (owedSteps == 0 || !stepper.babystepsDone()) return;
  const up = owedSteps > 0;
  let n: i32 = up ? owedSteps : -owedSteps;
  if (n > 255) n = 255;
  const bit = dirBit(Z);
  stepper.queueBabysteps(<u32>n, ((up ? bit : 0) ^ dirInvertMask()) & bit);
  owedSteps += up ? -n : n;
}

/**
 * Writes the Z offset into the EEPROM's settings record, and only it (with the record's CRC), as
 * Prusa's firmware writes its live adjust value alone. True when written; false (nothing written)
 * when the EEPROM holds no usable record of this version: M500 then saves all the settings.
 * Six bytes at most (eeprom_update_byte skips unchanged ones), about 20 ms on the chip.
 */
export function saveZOffset(): bool {
  const size = <u32>S.Size;
  const magic = settings.readU16(0) | (settings.readU16(2) << 16);
  if (magic != settings.MAGIC || settings.readU16(4) != settings.SETTINGS_VERSION || settings.readU16(6) != size) return false;
  const field = <u32>S.ProbeOffset + (<u32>Z << 2);
  const value = settings.block + field;
  let crc: u32 = 0xffff;
  let stored: u32 = 0xffff;
  for (let i: u32 = 0; i < size; i++) {
    const b = eepromRead(settings.HEADER_BYTES + i);
    stored = crc16Update(stored, b);
    crc = crc16Update(crc, i >= field && i < field + 4 ? <u32>load<u8>(value + i - field) : b);
  }
  // A damaged record stays refused: patching it would make its CRC look right.
  if (stored != settings.readU16(8)) return false;
  // The CRC is invalidated first, so a power cut half-way leaves a record that is refused.
  eepromWrite(8, ~settings.readU16(8) & 0xff);
  for (let i: u32 = 0; i < 4; i++) eepromWrite(settings.HEADER_BYTES + field + i, load<u8>(value + i));
  eepromWrite(9, (crc >> 8) & 0xff);
  eepromWrite(8, crc & 0xff);
  return settings.readU16(8) == crc;
}
