// How much faster than real time the host runner (hal/host + the printer model) probes:
//   npx tsx tools/sim/hostSpeed.ts [scenario.json ...]
// Homes once, then times five more G28 Z (lift, fast probe, back off, slow probe) on the wall
// clock against the simulated clock. A measurement for the report, not a test: wall time depends
// on the machine and its load.

import fs from "node:fs";
import path from "node:path";
import { HostPrinter } from "../../hal/host/hal.ts";
import type { Scenario } from "./config.ts";

async function main(files: string[]): Promise<void> {
  const list = files.length ? files : ["tests/scenarios/perfect.json", "tests/scenarios/sv06-warp.json", "tests/scenarios/location-bias.json"];
  for (const f of list) {
    const s = JSON.parse(fs.readFileSync(f, "utf8")) as Scenario;
    const p = await HostPrinter.boot({ scenario: s });
    p.command("G28");
    const wall0 = performance.now();
    const sim0 = p.nowNs;
    for (let i = 0; i < 5; i++) p.command("G28 Z");
    const wallMs = performance.now() - wall0;
    const simMs = (p.nowNs - sim0) / 1e6;
    console.log(`${path.basename(f)}: 5 x G28 Z, ${simMs.toFixed(0)} ms simulated in ${wallMs.toFixed(0)} ms: ${(simMs / wallMs).toFixed(1)} x real time`);
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exit(1);
});
