// Settings in EEPROM: one versioned record with a CRC; a bad record is never used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter } from "../../hal/host/hal.ts";

const CHANGES = "M92 X101 Y102 Z403 E165.5\nM203 X400 Y401 Z11 E100\nM201 X8000 Y8100 Z400 E9000\nM204 P1200 R1300 T1400\nM205 B15000 S1 T2 J0.02\nM851 X20 Y10 Z-0.5";

async function savedEeprom(): Promise<Uint8Array> {
  const p = await HostPrinter.boot();
  p.command(CHANGES);
  assert.match(p.command("M500"), /^echo:Settings stored \(182 bytes, crc \d+\)\nok\n$/);
  return p.eeprom;
}

test("a fresh EEPROM boots on factory defaults and says so", async () => {
  const p = await HostPrinter.boot();
  assert.match(p.output, /echo:No settings saved in EEPROM yet: using factory defaults/);
  assert.match(p.command("M503"), /M92 X100\.00 Y100\.00 Z400\.00 E161\.30/);
});

test("M500 then M501 round-trips every setting", async () => {
  const p = await HostPrinter.boot();
  p.command(CHANGES);
  const changed = p.command("M503");
  p.command("M500");
  p.command("M502");
  assert.notEqual(p.command("M503"), changed, "M502 restored the defaults");
  assert.match(p.command("M501"), /^echo:Settings loaded \(182 bytes, crc \d+\)\nok\n$/);
  assert.equal(p.command("M503"), changed);
});

test("saved settings are used after a restart", async () => {
  const eeprom = await savedEeprom();
  const p = await HostPrinter.boot({ eeprom });
  assert.doesNotMatch(p.output, /EEPROM|factory/);
  assert.match(p.command("M503"), /M92 X101\.00 Y102\.00 Z403\.00 E165\.50/);
});

for (const [what, corrupt, reason] of [
  ["one flipped payload byte", (e: Uint8Array) => (e[20] ^= 0x04), /checksum mismatch \(stored \d+, calculated \d+\): corrupted/],
  ["another settings version", (e: Uint8Array) => (e[4] = 7), /they are settings version 7, this firmware reads version 2/],
  ["a truncated record", (e: Uint8Array) => (e[6] = 40), /the record is 40 bytes, expected 172 \(truncated or corrupted\)/],
  ["another firmware's EEPROM", (e: Uint8Array) => (e[0] = 0x4d), /the EEPROM holds no Plumb settings \(another firmware's, or corrupted\)/],
] as const) {
  test(`a record with ${what} is refused at boot with the reason, and defaults are used`, async () => {
    const eeprom = await savedEeprom();
    corrupt(eeprom);
    const p = await HostPrinter.boot({ eeprom });
    assert.match(p.output, new RegExp(`echo:EEPROM settings not used: ${reason.source}\\. Using factory defaults; check them and save with M500`));
    assert.match(p.command("M503"), /M92 X100\.00 Y100\.00 Z400\.00 E161\.30/);
    // M501 refuses it too, and changes nothing.
    p.command("M92 X90");
    assert.match(p.command("M501"), /^Error:EEPROM settings not loaded: .*; nothing changed\nok\n$/);
    assert.match(p.command("M503"), /M92 X90\.00/);
  });
}

test("a record whose CRC matches but holds an impossible value is refused", async () => {
  // Forge a consistent record with steps/mm = 0 by saving through the firmware, then patching
  // the value and its CRC as a bad writer would.
  const eeprom = await savedEeprom();
  const payload = eeprom.subarray(10, 10 + 172);
  new DataView(payload.buffer, payload.byteOffset).setFloat32(0, 0, true);
  let crc = 0xffff;
  for (const b of payload) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  eeprom[8] = crc & 0xff;
  eeprom[9] = crc >> 8;
  const p = await HostPrinter.boot({ eeprom });
  assert.match(p.output, /echo:EEPROM settings not used: a value is out of range \(byte 0 of the record\): corrupted/);
});

test("out-of-range settings are refused whole and change nothing", async () => {
  const p = await HostPrinter.boot();
  const before = p.command("M503");
  assert.match(p.command("M92 X200 Y-5"), /^Error:M92 Y-5\.000: steps per mm must be 0\.001 to 10000\.000; nothing changed\nok\n$/);
  assert.match(p.command("M205 J5"), /^Error:M205 J5\.000: junction deviation \(mm\) must be/);
  assert.match(p.command("M204 P0"), /^Error:M204 P0\.000: acceleration/);
  assert.equal(p.command("M503"), before);
});
