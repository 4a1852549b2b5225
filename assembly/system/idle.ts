// What blocking code calls while it waits: keep receiving lines (they queue up, nothing runs),
// keep motion fed, tell the host we are busy.

import { poll } from "../serial/receiver";
import { background } from "./background";
import * as keepalive from "./keepalive";

export function idle(): void {
  poll();
  background();
  keepalive.check();
}
