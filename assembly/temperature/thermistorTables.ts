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
// The tables are 31 f32 each (248 bytes of static data).

import { logf } from "../hal";

const HOTEND_FIRST_C: f32 = 0;
const HOTEND_STEP_C: f32 = 10;
const HOTEND_ROWS: i32 = 31;
const HOTEND_LN_OHMS = memory.data<f32>([
  12.7762, 12.24817, 11.75037, 11.28175, 10.8388, 10.419, 10.02171, 9.64472, 9.2873, 8.94716, 8.62263, 8.31434, 8.0206, 7.73979,
  7.47193, 7.21524, 6.96979, 6.73507, 6.50937, 6.29305, 6.08518, 5.88527, 5.6934, 5.50858, 5.3303, 5.15906, 4.99383, 4.83469,
  4.6812, 4.53314, 4.39012,
]);

const BED_FIRST_C: f32 = 0;
const BED_STEP_C: f32 = 5;
const BED_ROWS: i32 = 31;
const BED_LN_OHMS = memory.data<f32>([
  12.59845, 12.37133, 12.1432, 11.92206, 11.6844, 11.48966, 11.26804, 11.06749, 10.85748, 10.65689, 10.46525, 10.27353, 10.09076,
  9.90889, 9.73401, 9.56437, 9.39842, 9.2347, 9.07178, 8.91644, 8.7664, 8.61582, 8.47094, 8.33015, 8.19209, 8.05555, 7.9236,
  7.79133, 7.66686, 7.54108, 7.41826,
]);

const KELVIN: f32 = 273.15;

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
  while (i < rows - 1 && load<f32>(table + (<usize>i << 2)) > ln) i++;
  const ln0 = load<f32>(table + (<usize>(i - 1) << 2));
  const ln1 = load<f32>(table + (<usize>i << 2));
  const t0 = first + step * <f32>(i - 1);
  const x0 = <f32>1 / (t0 + KELVIN);
  const x1 = <f32>1 / (t0 + step + KELVIN);
  const x = x0 + ((x1 - x0) * (ln - ln0)) / (ln1 - ln0);
  return <f32>1 / x - KELVIN;
}
