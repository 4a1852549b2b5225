// M105: the temperatures, in the form hosts parse (Marlin's), on the "ok" line:
//   ok T:21.8 /0.0 B:22.1 /0.0 @:0 B@:0
// T is the hotend, B the bed, each followed by its target; @ and B@ are the heaters' power. Nothing
// heats yet, so targets and powers are 0.

import * as out from "../serial/out";
import { rom } from "../rom";
import { millis } from "../hal";
import { idle } from "../system/idle";
import * as sensors from "../temperature/sensors";
import { Sensor } from "../temperature/sensors";

/** How long M105 waits for the first readings after boot (they take about 4 ms). */
const FIRST_READING_WAIT_MS: u32 = 100;

/**
 * M105: the report goes on the ok line (executor.ts prints it with printTemperatures()); here only
 * the wait for readings. Returns true: the reply carries the temperatures.
 */
export function m105(): bool {
  const start = millis();
  while (sensors.rounds == 0 && millis() - start < FIRST_READING_WAIT_MS) idle();
  return true;
}

/** " T:21.8 /0.0 B:22.1 /0.0 @:0 B@:0", printed after "ok". */
export function printTemperatures(): void {
  out.text(rom(" T:"));
  sensor(Sensor.Hotend);
  out.text(rom(" B:"));
  sensor(Sensor.Bed);
  out.text(rom(" @:0 B@:0"));
}

function sensor(s: Sensor): void {
  if (sensors.readingOf(s) == sensors.Reading.None) out.text(rom("0.0"));
  else out.fixed(sensors.temperature(s), 1);
  out.text(rom(" /0.0"));
}
