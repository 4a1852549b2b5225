// Heaters, fans and thermal protection on the host HAL: the firmware module drives the model's
// heaters (tools/sim/model/thermal.ts) through the same HAL calls as on the board; virtual time
// makes minutes of heating take a second or two.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter, type ThermalSample } from "../../hal/host/hal.ts";
import type { Scenario } from "../../tools/sim/config.ts";

const MINUTE = 60_000;

async function printer(scenario: Scenario = {}): Promise<HostPrinter> {
  const p = await HostPrinter.boot({ scenario });
  p.command("M105");
  p.takeOutput();
  return p;
}

/** Samples from `fromS` on. */
function after(trace: ThermalSample[], fromS: number): ThermalSample[] {
  return trace.filter((t) => t.s >= fromS);
}

test("M109 S215 from room temperature reaches 215 C, overshoots by at most 3 C, then holds within 1 C", async (t) => {
  const p = await printer();
  p.traceThermal();
  const startS = p.nowNs / 1e9;
  const reply = p.command("M109 S215", 5 * MINUTE);
  const doneS = p.nowNs / 1e9;
  // Marlin's wait lines, once a second, then the residency count-down.
  assert.match(reply, /^T:\d+\.\d E:0 W:\?$/m);
  assert.match(reply, /^T:21\d\.\d E:0 W:[1-9]$/m);
  assert.match(reply, /^ok$/m);
  assert.doesNotMatch(reply, /busy/);
  p.runFor(2 * MINUTE);
  const trace = after(p.thermalTrace, startS);
  const reached = trace.find((s) => s.hotendSensor >= 214)!;
  const peak = Math.max(...trace.map((s) => s.hotendSensor));
  assert.ok(peak <= 218, `overshoot: peak ${peak.toFixed(2)} C`);
  const hold = after(trace, reached.s + 30);
  const low = Math.min(...hold.map((s) => s.hotendSensor));
  const high = Math.max(...hold.map((s) => s.hotendSensor));
  assert.ok(low >= 214 && high <= 216, `hold ${low.toFixed(2)}..${high.toFixed(2)} C`);
  assert.ok(doneS - startS < 150, `M109 took ${(doneS - startS).toFixed(1)} s`);
  t.diagnostic(`hotend 22 -> 214 C in ${(reached.s - startS).toFixed(1)} s, M109 done after ${(doneS - startS).toFixed(1)} s, peak ${peak.toFixed(2)} C, hold ${low.toFixed(2)}..${high.toFixed(2)} C`);
});

test("M190 S60 reaches 60 C and holds within 1 C, with no overshoot past 61 C", async (t) => {
  const p = await printer();
  p.traceThermal();
  const startS = p.nowNs / 1e9;
  const reply = p.command("M190 S60", 10 * MINUTE);
  const doneS = p.nowNs / 1e9;
  assert.match(reply, /^T:2\d\.\d E:0 B:\d+\.\d W:\?$/m);
  p.runFor(3 * MINUTE);
  const trace = after(p.thermalTrace, startS);
  const reached = trace.find((s) => s.bedSensor >= 59)!;
  const peak = Math.max(...trace.map((s) => s.bedSensor));
  const hold = after(trace, reached.s + 30);
  const low = Math.min(...hold.map((s) => s.bedSensor));
  const high = Math.max(...hold.map((s) => s.bedSensor));
  assert.ok(peak <= 61, `peak ${peak.toFixed(2)} C`);
  assert.ok(low >= 59 && high <= 61, `hold ${low.toFixed(2)}..${high.toFixed(2)} C`);
  t.diagnostic(`bed 22 -> 59 C in ${(reached.s - startS).toFixed(1)} s, M190 done after ${(doneS - startS).toFixed(1)} s, peak ${peak.toFixed(2)} C, hold ${low.toFixed(2)}..${high.toFixed(2)} C`);
});

test("M105 reports the targets and the heaters' duty while heating", async () => {
  const p = await printer();
  p.command("M104 S200\nM140 S50");
  p.runFor(2000);
  const m = /^ok T:(\d+\.\d) \/200\.0 B:(\d+\.\d) \/50\.0 @:(\d+) B@:(\d+)$/m.exec(p.command("M105"));
  assert.ok(m, p.output);
  // Far below the targets both heaters run at full power (outside PID's functional range).
  assert.equal(Number(m[3]), 255);
  assert.equal(Number(m[4]), 255);
  assert.equal(p.thermal().outputs[0], 1);
  p.command("M104 S0\nM140 S0");
  p.runFor(500);
  assert.deepEqual(p.thermal().outputs.slice(0, 2), [0, 0]);
  assert.match(p.command("M105"), /^ok T:\d+\.\d \/0\.0 B:\d+\.\d \/0\.0 @:0 B@:0$/m);
});

test("targets outside a heater's range, and a second hotend, are refused with an error and change nothing", async () => {
  const p = await printer();
  assert.match(p.command("M104 S300"), /^Error:Target 300\.0 C is outside the hotend's 0-290 C; not changed$/m);
  assert.match(p.command("M140 S130"), /^Error:Target 130\.0 C is outside the bed's 0-110 C; not changed$/m);
  assert.match(p.command("M104 S-5"), /^Error:Target -5\.0 C is outside/m);
  assert.match(p.command("M104 T1 S200"), /^Error:This printer has one hotend \(T0\); not changed$/m);
  p.runFor(1000);
  assert.match(p.command("M105"), / \/0\.0 B:\d+\.\d \/0\.0 @:0 B@:0$/m);
});

test("the print fan follows M106 S and M107; the heatsink fan runs above 50 C only", async () => {
  const p = await printer();
  p.command("M106 S128");
  assert.equal(p.thermal().outputs[2], 128 / 255);
  p.command("M106");
  assert.equal(p.thermal().outputs[2], 1);
  p.command("M107");
  assert.equal(p.thermal().outputs[2], 0);
  assert.match(p.command("M106 S300"), /^Error:M106 S must be 0-255; not changed$/m);
  assert.equal(p.thermal().outputs[3], 0, "heatsink fan off when cold");
  p.setTemperature(0, 60);
  p.runFor(600);
  assert.equal(p.thermal().outputs[3], 1, "heatsink fan on at 60 C");
  p.setTemperature(0, 45);
  p.runFor(600);
  assert.equal(p.thermal().outputs[3], 0, "heatsink fan off at 45 C");
});

test("M155 S1 prints the temperatures every second without ok, and S0 stops it", async () => {
  const p = await printer();
  p.command("M155 S1");
  p.takeOutput();
  p.runFor(3500);
  const lines = p.takeOutput().split("\n").filter((l) => l.length);
  assert.equal(lines.length, 3, lines.join("\n"));
  for (const l of lines) assert.match(l, /^ T:\d+\.\d \/0\.0 B:\d+\.\d \/0\.0 @:0 B@:0$/);
  p.command("M155 S0");
  p.takeOutput();
  p.runFor(3000);
  assert.equal(p.takeOutput(), "");
});

test("M115 announces temperature auto-reports", async () => {
  const p = await printer();
  assert.match(p.command("M115"), /^Cap:AUTOREPORT_TEMP:1$/m);
});

test("M301 and M304 set and print the PID values", async () => {
  const p = await printer();
  assert.match(p.command("M301"), /^echo: p:40\.93 i:4\.88 d:86\.09$/m);
  assert.equal(p.command("M301 P30 I2.5 D90"), "ok\n");
  assert.match(p.command("M301"), /^echo: p:30(\.00?)? i:2\.5(0)? d:90(\.00?)?$/m);
  assert.match(p.command("M304"), /^echo: bed p:126\.13 i:4\.3(0)? d:924\.76$/m);
  assert.match(p.command("M301 P-1"), /^Error:PID values must be positive numbers; not changed$/m);
  assert.match(p.command("M301"), /^echo: p:30/m);
});

test("G21 is accepted, G20 refused, M900 accepted with one note, M73 accepted", async () => {
  const p = await printer();
  assert.match(p.command("G21"), /^ok$/m);
  assert.match(p.command("G20"), /^Error:G20 \(inches\) is not supported: Plumb works in millimetres \(G21\); not executed$/m);
  const first = p.command("M900 K0");
  assert.match(first, /^echo:M900: no linear advance in this firmware; K ignored \(said once\)$/m);
  assert.equal(p.command("M900 K0"), "ok\n");
  assert.equal(p.command("M73 P10 R5"), "ok\n");
  assert.match(p.command("M73 P120"), /^Error:M73 P must be 0-100; not changed$/m);
});

// ---------------------------------------------------------------------------------------------
// Protections: each scenario fault is caught by its protection, everything heats no more.

function faultLine(output: string): string | undefined {
  return output.split("\n").find((l) => l.startsWith("Error:") && l.includes("system stopped"));
}

function assertAllOff(p: HostPrinter): void {
  const t = p.thermal();
  assert.deepEqual([t.outputs[0], t.outputs[1], t.outputs[2]], [0, 0, 0], "heaters and print fan off");
  assert.match(p.command("M104 S200"), /^Error:Printer stopped: heating is refused until M999; not changed$/m);
  p.runFor(1000);
  assert.equal(p.thermal().outputs[0], 0);
}

test("a disconnected heater cartridge is caught by the heating watch within its 20 s, even with M109 sent before the first reading", async (t) => {
  // No M105 first: M109 arrives about 1 ms after reset, before the first round of readings (3.4 ms).
  const p = await HostPrinter.boot({ scenario: { faults: { hotendHeaterDisconnected: 0 } } });
  const start = p.nowNs;
  const reply = p.command("M109 S215", 2 * MINUTE);
  const afterS = (p.nowNs - start) / 1e9;
  assert.equal(faultLine(reply), "Error:Heating failed, system stopped! Heater_ID: 0");
  assert.match(reply, /^Error:Printer stopped due to errors\. Fix the error and use M999 to restart\.$/m);
  assert.ok(afterS >= 20 && afterS <= 20.6, `caught after ${afterS.toFixed(2)} s`);
  p.runFor(500); // the display's next refresh
  assert.deepEqual(p.lcdRows().slice(0, 2), ["Printer halted:".padEnd(20), "Heating failed".padEnd(20)], "the fault's notice");
  assertAllOff(p);
  t.diagnostic(`caught ${afterS.toFixed(2)} s after M109`);
});

test("a thermistor fallen out of the block at temperature is caught as thermal runaway within 40 s of leaving the band", async (t) => {
  const p = await printer();
  p.command("M109 S215", 5 * MINUTE);
  const fallS = p.nowNs / 1e9 + 5;
  const q = await printer({ faults: { hotendThermistorFallenOut: fallS } });
  // Same printer, fault scheduled: replay the heat-up, then wait.
  q.command("M109 S215", 5 * MINUTE);
  q.traceThermal();
  q.runFor(MINUTE);
  const line = faultLine(q.output);
  assert.equal(line, "Error:Thermal Runaway, system stopped! Heater_ID: 0");
  const left = q.thermalTrace.find((s) => s.hotendSensor < 211)!;
  const stopped = q.thermalTrace.find((s) => s.s > left.s && s.outputs[0] === 0 && s.hotend > 200)!;
  const delay = stopped.s - left.s;
  assert.ok(delay >= 39 && delay <= 41.5, `runaway raised ${delay.toFixed(2)} s after the reading left the band`);
  assert.deepEqual(q.lcdRows().slice(0, 2), ["Printer halted:".padEnd(20), "THERMAL RUNAWAY".padEnd(20)], "the fault's notice");
  assertAllOff(q);
  t.diagnostic(`thermal runaway ${delay.toFixed(2)} s after the reading fell 4 C below the target; block peaked at ${Math.max(...q.thermalTrace.map((s) => s.hotend)).toFixed(1)} C`);
});

test("a hotend thermistor that opens while M109 waits trips MINTEMP at the next reading and the heater is off at once", async (t) => {
  const p = await printer({ faults: { hotendThermistorOpen: 30 } });
  p.traceThermal();
  const reply = p.command("M109 S215", 2 * MINUTE);
  p.runFor(1000);
  assert.equal(faultLine(reply), "Error:MINTEMP triggered, system stopped! Heater_ID: 0");
  const off = p.thermalTrace.find((s) => s.s >= 30 && s.outputs[0] === 0)!;
  assert.ok(off.s - 30 <= 0.5, `heater off ${(off.s - 30).toFixed(3)} s after the thermistor opened`);
  assert.deepEqual(p.lcdRows().slice(0, 2), ["Printer halted:".padEnd(20), "Err: MINTEMP".padEnd(20)], "the fault's notice");
  assertAllOff(p);
  t.diagnostic(`heater off within ${((off.s - 30) * 1000).toFixed(0)} ms (one 250 ms reading, at most)`);
});

test("a bed thermistor that shorts while heating trips MAXTEMP", async () => {
  const p = await printer({ faults: { bedThermistorShorted: 20 } });
  const reply = p.command("M190 S60", 2 * MINUTE);
  assert.equal(faultLine(reply), "Error:MAXTEMP triggered, system stopped! Heater_ID: bed");
  p.runFor(500); // the display's next refresh
  assert.deepEqual(p.lcdRows().slice(0, 2), ["Printer halted:".padEnd(20), "Err: MAXTEMP BED".padEnd(20)], "the fault's notice");
  assertAllOff(p);
});

test("a weak supply heats the hotend more slowly but raises no alarm", async (t) => {
  const p = await printer({ faults: { weakSupply: 0 } });
  const start = p.nowNs;
  const reply = p.command("M109 S215", 10 * MINUTE);
  assert.equal(faultLine(reply), undefined, reply);
  assert.match(reply, /^ok$/m);
  t.diagnostic(`M109 S215 at half power took ${((p.nowNs - start) / 1e9).toFixed(1)} s`);
});

test("a weak supply that cannot reach a bed target is caught by the bed's heating watch", async () => {
  const p = await printer({ faults: { weakSupply: 0 } });
  const reply = p.command("M190 S110", 30 * MINUTE);
  assert.equal(faultLine(reply), "Error:Heating failed, system stopped! Heater_ID: bed");
  assertAllOff(p);
});

test("M303 E0 S215 C5 finds PID values, and with them the hotend holds within 0.5 C", async (t) => {
  const p = await printer();
  const reply = p.command("M303 E0 S215 C5 U1", 20 * MINUTE);
  assert.match(reply, /^PID Autotune start$/m);
  assert.match(reply, /^ bias: \d+ d: \d+ min: \d+\.\d+ max: \d+\.\d+$/m);
  assert.match(reply, /^ Ku: \d+\.\d+ Tu: \d+\.\d+$/m);
  assert.match(reply, /^ Classic PID $/m);
  assert.match(reply, /^PID Autotune finished! Put the last Kp, Ki and Kd constants from below into Configuration\.h$/m);
  const kp = Number(/^#define DEFAULT_Kp (\S+)$/m.exec(reply)![1]);
  const ki = Number(/^#define DEFAULT_Ki (\S+)$/m.exec(reply)![1]);
  const kd = Number(/^#define DEFAULT_Kd (\S+)$/m.exec(reply)![1]);
  assert.ok(kp > 0 && ki > 0 && kd > 0);
  // U1 applied them.
  assert.match(p.command("M301"), new RegExp(`^echo: p:${kp.toFixed(2).replace(/\.?0+$/, "")}`, "m"));
  assert.deepEqual(p.thermal().outputs[0], 0, "the heater is off after the autotune");
  // From cold again, then the hold from half a minute after M109 returned.
  p.runFor(10 * MINUTE);
  p.traceThermal();
  p.command("M109 S215", 5 * MINUTE);
  const startS = p.nowNs / 1e9 + 30;
  p.runFor(3 * MINUTE);
  const hold = after(p.thermalTrace, startS);
  const low = Math.min(...hold.map((s) => s.hotendSensor));
  const high = Math.max(...hold.map((s) => s.hotendSensor));
  assert.ok(low >= 214.5 && high <= 215.5, `hold ${low.toFixed(2)}..${high.toFixed(2)} C`);
  t.diagnostic(`autotune: Kp ${kp} Ki ${ki} Kd ${kd}; hold ${low.toFixed(2)}..${high.toFixed(2)} C`);
});

test("M500 saves the PID values with the settings: they survive a reset, M503 lists them, M502 restores Prusa's", async () => {
  const p = await printer();
  p.command("M301 P30 I2.5 D90\nM304 P100 I3 D800\nM500");
  const q = await HostPrinter.boot({ eeprom: p.eeprom });
  assert.match(q.command("M301"), /^echo: p:30/m);
  assert.match(q.command("M304"), /^echo: bed p:100/m);
  const listed = q.command("M503");
  assert.match(listed, /^echo: {2}M301 P30(\.00?)? I2\.5(0)? D90(\.00?)?$/m);
  assert.match(listed, /^echo: {2}M304 P100(\.00?)? I3(\.00?)? D800(\.00?)?$/m);
  q.command("M502");
  assert.match(q.command("M301"), /^echo: p:40\.93 i:4\.88 d:86\.09$/m);
});

test("the status screen shows the heaters' targets while either is set, and M73's progress and time left", async () => {
  const p = await printer();
  p.command("M104 S215\nM140 S60");
  p.runFor(600);
  assert.match(p.lcdRows()[0], /^H +\d+\/215C {2}B +\d+\/ 60C$/);
  p.command("M73 P45 R12");
  p.runFor(600);
  assert.equal(p.lcdRows()[2], " 45% 12m left FR100%");
  p.command("M104 S0\nM140 S0");
  p.runFor(600);
  assert.match(p.lcdRows()[0], /^Hotend +\d+C Bed +\d+C$/);
});
