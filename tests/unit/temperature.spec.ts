import * as sensors from "../../assembly/temperature/sensors";
import { Reading, Sensor } from "../../assembly/temperature/sensors";
import { adcStarts, setAdc, setMillis, takeOutput } from "./helpers";

// The MiniRambo's values (boards/minirambo/board.json): 4.7 kOhm pull-ups, 100 kOhm thermistors.
const PULLUP: f64 = 4700;
const HOTEND_CHANNEL: u32 = 0;
const BED_CHANNEL: u32 = 2;

// The datasheets, as the test's own data (the firmware's tables are ln R values in
// assembly/temperature/thermistorTables.ts):
// ATC Semitec 104GT-2 R-T table, kOhm, 20 C to 300 C every 10 C (GT-2 leaflet, atcsemitec.co.uk).
const SEMITEC_20_TO_300_KOHM: f64[] = [
  126.8, 79.36, 50.96, 33.49, 22.51, 15.44, 10.8, 7.686, 5.556, 4.082, 3.043, 2.298, 1.758, 1.36, 1.064, 0.8414, 0.6714, 0.5408,
  0.4393, 0.3597, 0.2969, 0.2468, 0.2065, 0.174, 0.1475, 0.1258, 0.1079, 0.09305, 0.08065,
];
// EPCOS B57560G104F as Prusa's table 1 gives it: 10-bit counts at a 4.7 kOhm pull-up, 20 C to 130 C every 5 C.
const EPCOS_20_TO_130_COUNTS: f64[] = [985, 977, 966, 954, 939, 922, 903, 881, 857, 830, 801, 770, 737, 702, 665, 628, 591, 553, 516, 480, 445, 411, 379];

function countsOfOhms(r: f64): f64 {
  return (1024 * r) / (r + PULLUP);
}

/** The datasheet's 104GT-2 resistance at `celsius` (a row, or between rows ln R linear in 1/T). */
function semitecOhms(celsius: f64): f64 {
  const i = <i32>Math.min(27, Math.floor((celsius - 20) / 10));
  const t0 = 20 + 10 * <f64>i;
  const x = 1 / (celsius + 273.15), x0 = 1 / (t0 + 273.15), x1 = 1 / (t0 + 10 + 273.15);
  const l0 = Math.log(SEMITEC_20_TO_300_KOHM[i] * 1000), l1 = Math.log(SEMITEC_20_TO_300_KOHM[i + 1] * 1000);
  return Math.exp(l0 + ((l1 - l0) * (x - x0)) / (x1 - x0));
}

/** One reading round: READ_PERIOD_MS later, enough polls for every conversion (the test HAL's finish at once). */
let now: u32 = 0;
function round(): void {
  now += sensors.READ_PERIOD_MS;
  setMillis(now);
  for (let i = 0; i < 100; i++) sensors.poll();
}

describe("thermistors", () => {
  it("reads the hotend's 104GT-2 within 1 C of its datasheet from 20 to 300 C", () => {
    let worst: f64 = 0;
    for (let c: f64 = 20; c <= 300; c += 1) {
      const read = <f64>sensors.countsToCelsius(Sensor.Hotend, <f32>countsOfOhms(semitecOhms(c)));
      worst = Math.max(worst, Math.abs(read - c));
    }
    // The table's own interpolation matches the datasheet's; what is left is f32 rounding.
    expect(worst).toBeLessThan(0.05);
  });

  it("reads the bed's EPCOS 100k within 1 C of its datasheet from 20 to 130 C", () => {
    for (let i = 0; i < EPCOS_20_TO_130_COUNTS.length; i++) {
      const read = <f64>sensors.countsToCelsius(Sensor.Bed, <f32>EPCOS_20_TO_130_COUNTS[i]);
      expect(Math.abs(read - (20 + 5 * <f64>i))).toBeLessThan(0.05);
    }
  });

  it("no longer reads a 104GT-2 through a beta model: at 210 C the beta model (4267 K) would read 218 C", () => {
    const counts = <f32>countsOfOhms(semitecOhms(210));
    const read = <f64>sensors.countsToCelsius(Sensor.Hotend, counts);
    const r: f64 = 359.7;
    const betaC = 1 / (1 / 298.15 + Math.log(r / 100000) / 4267) - 273.15;
    expect(Math.abs(read - 210)).toBeLessThan(0.05);
    expect(Math.abs(betaC - 210)).toBeGreaterThan(7);
  });

  it("reads each sensor 16 times per round, one round every 250 ms, and averages", () => {
    // 210 C and 60 C as a 10-bit ADC truncates them.
    setAdc(HOTEND_CHANNEL, <u32>Math.floor(countsOfOhms(semitecOhms(210))));
    setAdc(BED_CHANNEL, 857);
    expect(sensors.readingOf(Sensor.Hotend)).toBe(Reading.None);
    const startsBefore = adcStarts();
    const roundsBefore = sensors.rounds;
    round();
    expect(adcStarts() - startsBefore).toBe(32);
    expect(sensors.rounds - roundsBefore).toBe(1);
    expect(sensors.readingOf(Sensor.Hotend)).toBe(Reading.Ok);
    expect(sensors.readingOf(Sensor.Bed)).toBe(Reading.Ok);
    // At 210 C one count is about 0.8 C; at 60 C about 0.2 C (the half count added back).
    expect(Math.abs(sensors.temperature(Sensor.Hotend) - 210)).toBeLessThan(0.5);
    expect(Math.abs(sensors.temperature(Sensor.Bed) - 60)).toBeLessThan(0.2);
    // Nothing more until the period has passed.
    setMillis(now + sensors.READ_PERIOD_MS - 1);
    for (let i = 0; i < 100; i++) sensors.poll();
    expect(adcStarts() - startsBefore).toBe(32);
    expect(takeOutput()).toBe("", "normal readings print nothing");
  });

  it("reports an unplugged thermistor once, a shorted one, and the recovery", () => {
    setAdc(HOTEND_CHANNEL, 1023);
    round();
    expect(sensors.readingOf(Sensor.Hotend)).toBe(Reading.Open);
    expect(takeOutput()).toBe("echo:Warning: the hotend thermistor reads an open circuit: is it plugged in? (its temperature is not known)\n");
    round();
    expect(takeOutput()).toBe("", "said once");
    setAdc(BED_CHANNEL, 2);
    round();
    expect(sensors.readingOf(Sensor.Bed)).toBe(Reading.Shorted);
    expect(takeOutput()).toBe("echo:Warning: the bed thermistor reads a short circuit: check its wires (its temperature is not known)\n");
    setAdc(HOTEND_CHANNEL, <u32>Math.floor(countsOfOhms(semitecOhms(30))));
    setAdc(BED_CHANNEL, 966);
    round();
    expect(sensors.readingOf(Sensor.Hotend)).toBe(Reading.Ok);
    expect(takeOutput()).toBe("echo:The hotend thermistor reads normally again\necho:The bed thermistor reads normally again\n");
  });

  it("tells open from shorted at the limits of the 10-bit range", () => {
    expect(sensors.countsToCelsius(Sensor.Hotend, 1016)).toBeLessThan(-5);
    expect(sensors.countsToCelsius(Sensor.Hotend, 5)).toBeGreaterThan(350);
  });
});
