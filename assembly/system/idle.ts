// The main loop's work, and what blocking code calls while it waits: keep receiving lines (they
// queue up, nothing runs), act on emergency commands and faults at once (system/emergency.ts),
// retire finished moves and keep the stepper fed (motion.service), tell the host we are busy,
// keep the display up to date, keep reading the thermistors.

import { poll } from "../serial/receiver";
import { watchdogReset } from "../hal";
import { service } from "../motion/motion";
import * as babystep from "../motion/babystep";
import { serviceEmergencies } from "./emergency";
import * as keepalive from "./keepalive";
import * as display from "../ui/display";
import * as panel from "../ui/panel";
import * as sensors from "../temperature/sensors";
import * as heaters from "../temperature/heaters";
import { autoreport } from "../temperature/report";

export function idle(): void {
  poll();
  serviceEmergencies();
  service();
  babystep.service();
  watchdogReset();
  keepalive.check();
  panel.poll();
  display.refresh();
  sensors.poll();
  heaters.manage();
  autoreport();
}
