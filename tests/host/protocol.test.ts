// The serial protocol, run on the host HAL: the same firmware module as the image, fast.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter, countOks } from "../../hal/host/hal.ts";

function checksum(line: string): number {
  let x = 0;
  for (let i = 0; i < line.length; i++) x ^= line.charCodeAt(i);
  return x;
}

function numbered(n: number, cmd: string): string {
  const l = `N${n} ${cmd}`;
  return `${l}*${checksum(l)}`;
}

async function boot(): Promise<HostPrinter> {
  const p = await HostPrinter.boot();
  p.takeOutput();
  return p;
}

test("each command gets exactly one ok, comments and blank lines none", async () => {
  const p = await boot();
  const out = p.command("M118 E1 one ; a comment\n\n   \n; only a comment\n(paren comment)\nM118 E1 two (inline) \nM118 E1 three");
  assert.equal(countOks(out), 3);
  assert.deepEqual(out.split("\n").filter((l) => l.startsWith("echo:")), ["echo:one", "echo:two (inline)", "echo:three"]);
});

test("a numbered line with a good checksum runs; M110 sets the line number", async () => {
  const p = await boot();
  const out = p.command([numbered(1, "M118 E1 first"), numbered(2, "M118 E1 second"), "M110 N100", numbered(101, "M118 E1 after")].join("\n"));
  assert.match(out, /echo:first\nok\necho:second\nok\nok\necho:after\nok/);
});

test("a checksum mismatch asks for the line again and runs nothing", async () => {
  const p = await boot();
  p.command(numbered(1, "M118 E1 one"));
  const bad = numbered(2, "M118 E1 two").replace(/\*\d+$/, (m) => `*${(Number(m.slice(1)) + 1) % 256}`);
  const out = p.command(bad);
  assert.equal(out, "Error:checksum mismatch, Last Line: 1\nResend: 2\nok\n");
  assert.match(p.command(numbered(2, "M118 E1 two")), /^echo:two\nok\n$/);
});

test("a numbered line without checksum, and a skipped number, are refused with a resend", async () => {
  const p = await boot();
  p.command(numbered(1, "M118 E1 one"));
  assert.equal(p.command("N2 M118 E1 two"), "Error:No Checksum with line number, Last Line: 1\nResend: 2\nok\n");
  assert.equal(p.command(numbered(3, "M118 E1 three")), "Error:Line Number is not Last Line Number+1, Last Line: 1\nResend: 2\nok\n");
  assert.equal(p.command(numbered(2, "M118 E1 two")), "echo:two\nok\n");
});

test("unknown commands and malformed parameters are reported and change nothing", async () => {
  const p = await boot();
  assert.equal(p.command("M9999 X1"), 'echo:Unknown command: "M9999 X1"\nok\n');
  assert.equal(p.command("hello"), 'echo:Unknown command: "hello"\nok\n');
  const before = p.command("M503");
  assert.equal(p.command("M92 X1.2.3"), 'Error:Malformed parameter in "M92 X1.2.3"; not executed\nok\n');
  assert.equal(p.command("M503"), before);
});

test("a line longer than the buffer is refused whole", async () => {
  const p = await boot();
  const out = p.command(`M118 E1 ${"x".repeat(120)}`);
  assert.equal(out, "Error:Line too long (more than 96 characters); not executed\nok\n");
  assert.equal(p.command("M118 E1 fine"), "echo:fine\nok\n");
});

test("bytes that are not printable ASCII make the line refused, not guessed at", async () => {
  const p = await boot();
  assert.equal(p.command("M118 E1 \u0001bad"), "Error:Line holds bytes that are not printable ASCII; not executed\nok\n");
});

test("M115 identifies the firmware in Marlin's format; M115 U (PrusaSlicer) is accepted silently", async () => {
  const p = await boot();
  const out = p.command("M115");
  assert.match(out, /^FIRMWARE_NAME:Plumb 0\.1\.0 \(MiniRambo 1\.3a\) PROTOCOL_VERSION:1\.0 MACHINE_TYPE:Prusa i3 MK2 KINEMATICS:Cartesian EXTRUDER_COUNT:1\n/);
  assert.match(out, /\nCap:EEPROM:1\n/);
  assert.equal(p.command("M115 U3.2.3"), "ok\n");
});

test("M862.1 and M862.3 answer queries and warn about a mismatch", async () => {
  const p = await boot();
  assert.equal(p.command("M862.1 Q"), "0.40\nok\n");
  assert.equal(p.command("M862.3 Q"), "MK2\nok\n");
  assert.equal(p.command("M862.1 P0.4"), "ok\n");
  assert.equal(p.command('M862.3 P "MK2S"'), "ok\n");
  assert.match(p.command("M862.1 P0.6"), /^echo:Warning: this G-code was sliced for a 0\.60 mm nozzle; this printer has a 0\.40 mm nozzle/);
  assert.match(p.command('M862.3 P "MK3S"'), /^echo:Warning: this G-code was sliced for a printer model "MK3S"/);
});

test("a long command keeps the host informed with busy messages at the M113 interval", async () => {
  const p = await boot();
  const busy = (out: string) => out.split("\n").filter((l) => l === "echo:busy: processing").length;
  // A 5 s dwell: one message every 2 s by default, every 1 s after M113 S1 (the last one may
  // fall on the dwell's end).
  assert.equal(busy(p.command("G4 S5")), 2);
  p.command("M113 S1");
  const n = busy(p.command("G4 S5"));
  assert.ok(n >= 4 && n <= 5, `${n} busy messages in 5 s`);
  p.command("M113 S0");
  assert.equal(busy(p.command("G4 S3")), 0);
  assert.equal(p.command("M113"), "echo:M113 S0\nok\n");
});

test("lines sent while a command runs wait their turn and lose nothing", async () => {
  const p = await boot();
  // The host streams ahead while G4 blocks: all four lines queue up and run in order.
  const out = p.stream("G4 P500\nM118 E1 a\nM118 E1 b\nM118 E1 c");
  assert.match(out, /^ok\necho:a\nok\necho:b\nok\necho:c\nok\n$/);
});
