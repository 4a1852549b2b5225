// What blocking code calls while it waits: keep receiving lines (they queue up, nothing runs),
// keep motion fed, tell the host we are busy, keep the display up to date, keep reading the
// thermistors. The main loop calls it on every pass too.

import { poll } from "../serial/receiver";
import { background } from "./background";
import * as keepalive from "./keepalive";
import * as display from "../ui/display";
import * as panel from "../ui/panel";
import * as sensors from "../temperature/sensors";

export function idle(): void {
  poll();
  background();
  keepalive.check();
  panel.poll();
  display.refresh();
  sensors.poll();
}
