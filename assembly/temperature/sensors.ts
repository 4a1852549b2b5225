// The hotend and bed thermistors: NTC resistors on a pull-up to the ADC's 5 V reference, read
// without ever waiting. (The heaters are not driven yet: this is what M105 and the display show.)
//
// Every READ_PERIOD_MS a round reads both sensors: SAMPLES conversions of one, back to back, then
// the other (each 104 us, started and collected from the main loop through poll()). The mean of
// the samples gives the thermistor's resistance, and the sensor's datasheet table
// (thermistorTables.ts) its temperature:
//
//   counts / 1024 = R / (R + Rpullup)        R = Rpullup * counts / (1024 - counts)
//
// A mean above OPEN_COUNTS is an open circuit (a thermistor unplugged or a broken wire: the input
// sits at the pull-up), below SHORT_COUNTS a short; the board's values say which temperatures
// those are (for the MK2's sensors: below about -8 C, above about 400 C). The first time a sensor
// goes bad the firmware says so on the serial port and the display, and again once it recovers.
// A bad sensor's temperature is still the table's extrapolation but readingOf() tells, and M105
// and the display mark it; the thermal protection (protection.ts) takes an open sensor for
// MINTEMP and a shorted one for MAXTEMP, as Marlin does.

import { adcResult, adcStart, millis } from "../hal";
import { BoardKey, boardF32, boardI32 } from "../board";
import { ohmsToCelsius } from "./thermistorTables";
import * as out from "../serial/out";
import { RomText, rom } from "../rom";
import { setStatus } from "../ui/status";

export const enum Sensor {
  Hotend = 0,
  Bed = 1,
  Count = 2,
}

export const enum Reading {
  /** No round has finished yet (the first takes about 4 ms after boot). */
  None = 0,
  Ok = 1,
  Open = 2,
  Shorted = 3,
}

export const READ_PERIOD_MS: u32 = 250;
const SAMPLES: u32 = 16;
const OPEN_COUNTS: f32 = 1016;
const SHORT_COUNTS: f32 = 5;

const celsius = memory.data(<i32>Sensor.Count * 4);
const reading = memory.data(<i32>Sensor.Count);

/** The sensor being sampled, or -1 between rounds. */
let current: i32 = -1;
let sampleSum: u32 = 0;
let samplesTaken: u32 = 0;
let roundStartMs: u32 = 0;
let started = false;
/** Rounds finished since boot (M105 waits for the first). */
export let rounds: u32 = 0;

export function temperature(sensor: Sensor): f32 {
  return load<f32>(celsius + (<usize>sensor << 2));
}

export function readingOf(sensor: Sensor): Reading {
  return <Reading>load<u8>(reading + <usize>sensor);
}

function channelOf(sensor: Sensor): u32 {
  return <u32>boardI32(sensor == Sensor.Hotend ? BoardKey.HotendAdcChannel : BoardKey.BedAdcChannel);
}

/** Called from the idle loop: collects a finished conversion and starts the next. */
export function poll(): void {
  if (current < 0) {
    const now = millis();
    if (started && now - roundStartMs < READ_PERIOD_MS) return;
    started = true;
    roundStartMs = now;
    begin(Sensor.Hotend);
    return;
  }
  const r = adcResult();
  if (r < 0) return;
  sampleSum += <u32>r;
  if (++samplesTaken < SAMPLES) {
    adcStart(channelOf(<Sensor>current));
    return;
  }
  finish(<Sensor>current);
  if (current + 1 < <i32>Sensor.Count) {
    begin(<Sensor>(current + 1));
  } else {
    current = -1;
    rounds++;
  }
}

function begin(sensor: Sensor): void {
  current = <i32>sensor;
  sampleSum = 0;
  samplesTaken = 0;
  adcStart(channelOf(sensor));
}

function finish(sensor: Sensor): void {
  // A conversion reads floor(1024 V / Vref): the mean of the samples, plus half a count, is the
  // best estimate of 1024 V / Vref.
  const counts = <f32>sampleSum / <f32>SAMPLES + <f32>0.5;
  let state = Reading.Ok;
  if (counts > OPEN_COUNTS) state = Reading.Open;
  else if (counts < SHORT_COUNTS) state = Reading.Shorted;
  store<f32>(celsius + (<usize>sensor << 2), countsToCelsius(sensor, counts));
  const before = readingOf(sensor);
  store<u8>(reading + <usize>sensor, <u8>state);
  if (state != before && (state != Reading.Ok || before != Reading.None)) reportChange(sensor, state);
}

/** Degrees C from a mean ADC reading (0-1024), through the sensor's datasheet table. */
export function countsToCelsius(sensor: Sensor, counts: f32): f32 {
  const pullup = boardF32(BoardKey.ThermistorPullup);
  if (counts > 1023.5) counts = 1023.5;
  if (counts < 0.5) counts = 0.5;
  const ohms = (pullup * counts) / (<f32>1024 - counts);
  return ohmsToCelsius(sensor == Sensor.Hotend, ohms);
}

export function sensorName(sensor: Sensor): RomText {
  return sensor == Sensor.Hotend ? rom("hotend") : rom("bed");
}

function reportChange(sensor: Sensor, state: Reading): void {
  if (state == Reading.Ok) {
    out.text(rom("echo:The "));
    out.text(sensorName(sensor));
    out.line(rom(" thermistor reads normally again"));
    setStatus(sensor == Sensor.Hotend ? rom("Hotend sensor OK") : rom("Bed sensor OK"));
    return;
  }
  // A warning, not "Error:" (hosts such as OctoPrint disconnect on that): nothing heats yet.
  out.text(rom("echo:Warning: the "));
  out.text(sensorName(sensor));
  if (state == Reading.Open) {
    out.line(rom(" thermistor reads an open circuit: is it plugged in? (its temperature is not known)"));
    setStatus(sensor == Sensor.Hotend ? rom("Hotend sensor open") : rom("Bed sensor open"));
  } else {
    out.line(rom(" thermistor reads a short circuit: check its wires (its temperature is not known)"));
    setStatus(sensor == Sensor.Hotend ? rom("Hotend sensor short") : rom("Bed sensor short"));
  }
}
