// Settings in EEPROM on the real image in simavr: the harness keeps the EEPROM in a file, so a
// "reboot" is a second run on the same file. A record that fails a check is refused at boot with
// its reason, the firmware runs on factory defaults, and the record on the chip stays as it was.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runSim } from "../../tools/sim/run.ts";

/** EEPROM record layout (assembly/settings/store.ts). */
const HEADER = 10;
const PAYLOAD = 172;
const EEPROM_BYTES = 4096;

/** Changes every setting there is (all 28 numbers of the payload) away from its factory value. */
const CHANGE_ALL = [
  "M92 X101 Y102 Z403 E165.5",
  "M203 X400 Y401 Z11 E100",
  "M201 X8000 Y8100 Z400 E9000",
  "M204 P1200 R1300 T1400",
  "M205 B15000 S1.5 T2.25 J0.02",
  "M851 X20.5 Y10.25 Z-0.75",
  "M301 P30.5 I2.25 D90.5",
  "M304 P100.5 I3.25 D800.5",
];

const DEFAULT_STEPS = /echo: {2}M92 X100\.00 Y100\.00 Z400\.00 E161\.30\n/;
const STORED = /^echo:Settings stored \(182 bytes, crc (\d+)\)\n$/;

interface Boot {
  /** Everything printed before the first command's reply. */
  boot: string;
  /** Per command, what it printed before its "ok". */
  replies: string[];
}

/** A temp dir for this test, removed when it ends; returns the path of an EEPROM file in it (absent). */
function eepromFile(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-settings-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "eeprom.bin");
}

/**
 * Boots the image on `eeprom`, sends the commands one at a time (each after the previous "ok")
 * and powers off, which writes the EEPROM back to the file. A first "G90" (no output) separates
 * what the boot printed from the first command's reply.
 */
async function boot(eeprom: string, commands: string[]): Promise<Boot> {
  const r = await runSim({ input: ["G90", ...commands].map((c) => c + "\n").join(""), paceByOk: true, eeprom, timeoutSeconds: 5, maxSeconds: 30 });
  assert.equal(r.report.exit, "done", `harness exit ${r.report.exit}\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.exitCode, 0, r.stderr);
  const parts = r.stdout.split(/^ok\n/m);
  assert.equal(parts.length, commands.length + 2, `one ok per command:\n${r.stdout}`);
  assert.equal(parts.at(-1), "", `nothing after the last ok:\n${r.stdout}`);
  assert.match(parts[0], /^start\n/);
  return { boot: parts[0], replies: parts.slice(1, -1) };
}

/** Reply of the command at index `i` (G90 excluded). */
function reply(b: Boot, i: number): string {
  return b.replies[i];
}

function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The parameter values of an M503 report ("echo:  M92 X100.00 ..."), in order. */
function numbers(report: string): number[] {
  return [...report.matchAll(/^echo: {2}M\d+((?: [A-Z]-?\d+(?:\.\d+)?)+)$/gm)].flatMap((m) =>
    m[1].trim().split(" ").map((p) => Number(p.slice(1))),
  );
}

/**
 * Boots on a fresh (erased) EEPROM, changes every setting and saves: returns the factory M503, the
 * changed M503 and the CRC M500 reported.
 */
async function saveChangedSettings(eeprom: string): Promise<{ defaults: string; changed: string; crc: number }> {
  const b = await boot(eeprom, ["M503", ...CHANGE_ALL, "M503", "M500"]);
  assert.match(b.boot, /echo:No settings saved in EEPROM yet: using factory defaults\n/);
  const defaults = reply(b, 0);
  assert.match(defaults, DEFAULT_STEPS);
  // Setting a value prints nothing, except M205 B/S/T: stored, but the planner does not use them yet.
  const note = (cmd: string) => (/^M205 .*[BST]/.test(cmd) ? "echo:M205 B/S/T stored but not used by the planner yet (no minimum segment time or feedrate)\n" : "");
  for (let i = 0; i < CHANGE_ALL.length; i++) assert.equal(reply(b, 1 + i), note(CHANGE_ALL[i]), `${CHANGE_ALL[i]} prints nothing but that note`);
  const changed = reply(b, CHANGE_ALL.length + 1);
  const stored = reply(b, CHANGE_ALL.length + 2).match(STORED);
  assert.ok(stored, `M500 reply: ${JSON.stringify(reply(b, CHANGE_ALL.length + 2))}`);
  return { defaults, changed, crc: Number(stored[1]) };
}

/**
 * Boots on a damaged record: it must be refused with `reason`, defaults used, the EEPROM untouched
 * (`before`: its content, when the file is shorter than the chip).
 */
async function expectRefusedAtBoot(eeprom: string, reason: string, defaults: string, before = fs.readFileSync(eeprom)): Promise<void> {
  const b = await boot(eeprom, ["M503", "M501", "M503"]);
  assert.ok(
    b.boot.includes(`echo:EEPROM settings not used: ${reason}. Using factory defaults; check them and save with M500\n`),
    `boot output:\n${b.boot}`,
  );
  assert.equal(reply(b, 0), defaults, "M503 shows the factory defaults");
  // M501 refuses the same record for the same reason, and changes nothing.
  assert.equal(reply(b, 1), `Error:EEPROM settings not loaded: ${reason}; nothing changed\n`);
  assert.equal(reply(b, 2), defaults);
  // Neither the refusing boot nor M501 wrote anything over the record.
  assert.ok(before.equals(fs.readFileSync(eeprom)), "the EEPROM file is unchanged");
}

test("a settings block with one flipped byte is refused on boot with the reason printed, and defaults are used", async (t) => {
  const eeprom = eepromFile(t);
  const { defaults, changed, crc } = await saveChangedSettings(eeprom);
  assert.match(changed, /echo: {2}M92 X101\.00 Y102\.00 Z403\.00 E165\.50\n/);

  // The record as the layout says: magic, version 2, 172 payload bytes, the CRC M500 reported.
  const saved = fs.readFileSync(eeprom);
  assert.equal(saved.length, EEPROM_BYTES);
  assert.equal(saved.subarray(0, 4).toString("latin1"), "PLMB");
  assert.equal(saved.readUInt16LE(4), 2);
  assert.equal(saved.readUInt16LE(6), PAYLOAD);
  assert.equal(saved.readUInt16LE(8), crc);
  assert.equal(crc16(saved.subarray(HEADER, HEADER + PAYLOAD)), crc);
  assert.ok(saved.subarray(HEADER + PAYLOAD).every((b) => b === 0xff), "nothing written past the record");

  // A second boot uses them, silently.
  const second = await boot(eeprom, ["M503"]);
  assert.doesNotMatch(second.boot, /EEPROM|factory/);
  assert.equal(reply(second, 0), changed);
  assert.ok(saved.equals(fs.readFileSync(eeprom)), "a boot that used the record left it as it was");

  // One byte of the payload flipped (a bit of M92 Y's float).
  const damaged = Buffer.from(saved);
  damaged[HEADER + 5] ^= 0x04;
  fs.writeFileSync(eeprom, damaged);
  const calculated = crc16(damaged.subarray(HEADER, HEADER + PAYLOAD));
  assert.notEqual(calculated, crc);
  await expectRefusedAtBoot(eeprom, `checksum mismatch (stored ${crc}, calculated ${calculated}): corrupted`, defaults);
  assert.match(defaults, DEFAULT_STEPS);
});

test("M500 then M501 round-trips every setting", async (t) => {
  const eeprom = eepromFile(t);
  const b = await boot(eeprom, ["M503", ...CHANGE_ALL, "M503", "M500", "M502", "M503", "M501", "M503"]);
  const n = CHANGE_ALL.length;
  const defaults = reply(b, 0);
  const changed = reply(b, n + 1);
  // Every one of the 28 numbers differs from its factory value, so each one is round-tripped.
  const d = numbers(defaults);
  const c = numbers(changed);
  assert.equal(d.length, 28, defaults);
  assert.equal(c.length, 28, changed);
  for (let i = 0; i < d.length; i++) assert.notEqual(c[i], d[i], `setting #${i + 1} changed:\n${changed}`);

  const stored = reply(b, n + 2).match(STORED);
  assert.ok(stored, reply(b, n + 2));
  assert.equal(reply(b, n + 3), "echo:Factory defaults loaded (not saved: M500 saves them)\n");
  assert.equal(reply(b, n + 4), defaults, "M502 brought the factory defaults back in RAM");
  assert.equal(reply(b, n + 5), `echo:Settings loaded (182 bytes, crc ${stored[1]})\n`);
  assert.equal(reply(b, n + 6), changed, "M501 brought back every saved setting");
});

for (const [what, damage, reason] of [
  ["a truncated record (length field 40)", (e: Buffer) => e.writeUInt16LE(40, 6), "the record is 40 bytes, expected 172 (truncated or corrupted)"],
  ["a record longer than this firmware's (length field 200)", (e: Buffer) => e.writeUInt16LE(200, 6), "the record is 200 bytes, expected 172 (truncated or corrupted)"],
  ["a record from settings version 7", (e: Buffer) => e.writeUInt16LE(7, 4), "they are settings version 7, this firmware reads version 2"],
  ["a record from settings version 0", (e: Buffer) => e.writeUInt16LE(0, 4), "they are settings version 0, this firmware reads version 2"],
  ["another firmware's EEPROM (no PLMB magic)", (e: Buffer) => e.write("MARL", 0, "latin1"), "the EEPROM holds no Plumb settings (another firmware's, or corrupted)"],
] as const) {
  test(`${what} is refused at boot with its reason, defaults are used and the record is left alone`, async (t) => {
    const eeprom = eepromFile(t);
    const { defaults } = await saveChangedSettings(eeprom);
    const e = fs.readFileSync(eeprom);
    damage(e);
    fs.writeFileSync(eeprom, e);
    await expectRefusedAtBoot(eeprom, reason, defaults);
  });
}

test("an EEPROM image cut short inside the payload is refused at boot as corrupted, and defaults are used", async (t) => {
  const eeprom = eepromFile(t);
  const { defaults, crc } = await saveChangedSettings(eeprom);
  // Only the header and 40 payload bytes survive; the harness reads the rest as erased (0xff).
  fs.writeFileSync(eeprom, fs.readFileSync(eeprom).subarray(0, HEADER + 40));
  const chip = Buffer.alloc(EEPROM_BYTES, 0xff);
  fs.readFileSync(eeprom).copy(chip);
  const calculated = crc16(chip.subarray(HEADER, HEADER + PAYLOAD));
  await expectRefusedAtBoot(eeprom, `checksum mismatch (stored ${crc}, calculated ${calculated}): corrupted`, defaults, chip);
});
