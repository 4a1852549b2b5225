// The firmware's own R-T tables for the MK2's thermistors, from their datasheets, and the
// conversion from a mean ADC reading to degrees with them.
//
// Each table holds ln(R / 1 ohm) at evenly spaced temperatures. Between two rows the conversion
// takes 1/T (kelvin) as linear in ln R, which is a local beta model: exact for an ideal NTC and
// the way a datasheet's table is meant to be read between its rows (a 10 C row spacing then
// errs by under 0.05 C). A beta model over the whole range cannot follow a real sensor: at
// printing temperature the 104GT-2 departs from its nominal beta (4267 K) by several degrees.
//
// Sources (numbers only):
// - Hotend, ATC Semitec 104GT-2: the manufacturer's R-T table for the 104GT (GT-2 glass
//   thermistors leaflet, atcsemitec.co.uk), 0 to 300 C every 10 C. Prusa's and Marlin's sensor
//   type 5 was computed from the same table ("manufacturer provided temp/resistance", 4.7 kOhm).
// - Bed, EPCOS B57560G104F (R/T 8016): Prusa's thermistor table 1 (built from that datasheet for
//   a 4.7 kOhm pull-up), 0 to 150 C every 5 C, each ADC count n turned back into a resistance,
//   4.7 kOhm * n / (1024 - n). Those counts were rounded, which leaves up to half a count (under
//   0.3 C from 20 to 130 C) in the table.
//
// The tables hold ln R in units of 1/4096 as u16, 31 rows each (124 bytes of static data, half
// of f32): the rounding moves ln R by at most 0.00012, under 0.01 C anywhere in the tables.

import { logf } from "../hal";

const HOTEND_FIRST_C: f32 = 0;
const HOTEND_STEP_C: f32 = 10;
const HOTEND_ROWS: i32 = 31;
const HOTEND_LN_OHMS = memory.data<u16>([
  52331, 50169, 48130, 46210, 44396, 42676, 41049, 39505, 38041, 36648, 35318, 34056, 32852, 31702, 30605, 29554,
  28548, 27587, 26662, 25776, 24925, 24106, 23320, 22563, 21833, 21132, 20455, 19803, 19174, 18568, 17982,
]);

const BED_FIRST_C: f32 = 0;
const BED_STEP_C: f32 = 5;
const BED_ROWS: i32 = 31;
const BED_LN_OHMS = memory.data<u16>([
  51603, 50673, 49739, 48833, 47859, 47062, 46154, 45332, 44472, 43651, 42866, 42080, 41332, 40587, 39871, 39176,
  38496, 37825, 37158, 36522, 35907, 35290, 34697, 34120, 33555, 32996, 32455, 31913, 31403, 30888, 30385,
]);

const KELVIN: f32 = 273.15;
const LN_UNITS_PER_NEPER: f32 = 4096;

function lnOhmsAt(table: usize, row: i32): f32 {
  return <f32>load<u16>(table + (<usize>row << 1)) / LN_UNITS_PER_NEPER;
}

/**
 * Degrees C of a thermistor of resistance `ohms`, from table `hotend` (else the bed's). Beyond
 * the table's ends the end rows' slope carries on (an open or shorted sensor is told apart by
 * its ADC reading, not by this).
 */
export function ohmsToCelsius(hotend: bool, ohms: f32): f32 {
  const table = hotend ? HOTEND_LN_OHMS : BED_LN_OHMS;
  const rows = hotend ? HOTEND_ROWS : BED_ROWS;
  const first = hotend ? HOTEND_FIRST_C : BED_FIRST_C;
  const step = hotend ? HOTEND_STEP_C : BED_STEP_C;
  const ln = logf(ohms);
  // ln R falls as T rises: the first row whose value is at or below ln R ends the segment.
  let i: i32 = 1;
  while (i < rows - 1 && lnOhmsAt(table, i) > ln) i++;
  const ln0 = lnOhmsAt(table, i - 1);
  const ln1 = lnOhmsAt(table, i);
  const t0 = first + step * <f32>(i - 1);
  const x0 = <f32>1 / (t0 + KELVIN);
  const x1 = <f32>1 / (t0 + step + KELVIN);
  const x = x0 + ((x1 - x0) * (ln - ln0)) / (ln1 - ln0);
  return <f32>1 / x - KELVIN;
}
