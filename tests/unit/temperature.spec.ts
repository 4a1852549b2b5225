import * as sensors from "../../assembly/temperature/sensors";
import { Reading, Sensor } from "../../assembly/temperature/sensors";
import { adcStarts, setAdc, setMillis, takeOutput } from "./helpers";

// The MiniRambo's values (boards/minirambo/board.json): 4.7 kOhm pull-ups, 100 kOhm thermistors.
const PULLUP: f64 = 4700;
const HOTEND_CHANNEL: u32 = 0;
const BED_CHANNEL: u32 = 2;

/** The exact 1024 * V / Vref of a beta-model thermistor at `celsius` (what an ideal ADC would read). */
function idealCounts(beta: f64, celsius: f64): f64 {
  const r = 100000 * Math.exp(beta * (1 / (celsius + 273.15) - 1 / 298.15));
  return (1024 * r) / (r + PULLUP);
}

/** One reading round: READ_PERIOD_MS later, enough polls for every conversion (the test HAL's finish at once). */
let now: u32 = 0;
function round(): void {
  now += sensors.READ_PERIOD_MS;
  setMillis(now);
  for (let i = 0; i < 100; i++) sensors.poll();
}

describe("thermistors", () => {
  it("turns a mean ADC reading into the beta model's temperature", () => {
    const temps: f64[] = [20, 60, 110, 215, 280];
    for (let i = 0; i < temps.length; i++) {
      const hot = sensors.countsToCelsius(Sensor.Hotend, <f32>idealCounts(4267, temps[i]));
      expect(Math.abs(hot - temps[i])).toBeLessThan(0.05, "hotend");
      const bed = sensors.countsToCelsius(Sensor.Bed, <f32>idealCounts(4092, temps[i]));
      expect(Math.abs(bed - temps[i])).toBeLessThan(0.05, "bed");
    }
  });

  it("reads each sensor 16 times per round, one round every 250 ms, and averages", () => {
    // 215 C and 60 C as a 10-bit ADC truncates them.
    setAdc(HOTEND_CHANNEL, <u32>Math.floor(idealCounts(4267, 215)));
    setAdc(BED_CHANNEL, <u32>Math.floor(idealCounts(4092, 60)));
    expect(sensors.readingOf(Sensor.Hotend)).toBe(Reading.None);
    const startsBefore = adcStarts();
    const roundsBefore = sensors.rounds;
    round();
    expect(adcStarts() - startsBefore).toBe(32);
    expect(sensors.rounds - roundsBefore).toBe(1);
    expect(sensors.readingOf(Sensor.Hotend)).toBe(Reading.Ok);
    expect(sensors.readingOf(Sensor.Bed)).toBe(Reading.Ok);
    // At 215 C one count is about 1 C; at 60 C about 0.2 C.
    expect(Math.abs(sensors.temperature(Sensor.Hotend) - 215)).toBeLessThan(0.6);
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
    setAdc(HOTEND_CHANNEL, <u32>Math.floor(idealCounts(4267, 30)));
    setAdc(BED_CHANNEL, <u32>Math.floor(idealCounts(4092, 30)));
    round();
    expect(sensors.readingOf(Sensor.Hotend)).toBe(Reading.Ok);
    expect(takeOutput()).toBe("echo:The hotend thermistor reads normally again\necho:The bed thermistor reads normally again\n");
  });

  it("tells open from shorted at the limits of the 10-bit range", () => {
    expect(sensors.countsToCelsius(Sensor.Hotend, 1016)).toBeLessThan(-5);
    expect(sensors.countsToCelsius(Sensor.Hotend, 5)).toBeGreaterThan(350);
  });
});
