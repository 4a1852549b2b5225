// The display on the host HAL: the same module, an emulated HD44780 (hal/host/hd44780.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter } from "../../hal/host/hal.ts";

/** The four rows, as 20 characters each. */
function screen(...rows: string[]): string[] {
  return rows.map((r) => r.padEnd(20));
}

/** Several screen refreshes (100 ms each) of virtual time. */
const SETTLE_MS = 400;

async function boot(opts: Parameters<typeof HostPrinter.boot>[0] = {}): Promise<HostPrinter> {
  const p = await HostPrinter.boot(opts);
  p.runFor(SETTLE_MS);
  return p;
}

test("after boot the display shows the temperatures, unknown positions, the state and the machine", async () => {
  const p = await boot();
  assert.deepEqual(p.lcdRows(), screen("Hotend  22C Bed  22C", "X    ? Y    ? Z    ?", "Idle          FR100%", "Prusa i3 MK2 ready"));
  // Every cell once, with one address instruction per row.
  assert.equal(p.lcd.writes, 4 + 80);
});

test("a settings record with one flipped payload byte shows EEPROM bad on the display, as a notice until a click, and the reason on the serial port", async () => {
  const first = await boot();
  assert.match(first.command("M500"), /^echo:Settings stored/);
  const eeprom = Uint8Array.from(first.eeprom);
  eeprom[20] ^= 0x04;
  const p = await boot({ eeprom });
  assert.match(p.output, /echo:EEPROM settings not used: checksum mismatch \(stored \d+, calculated \d+\): corrupted\. Using factory defaults/);
  assert.deepEqual(p.lcdRows(), ["Attention:          ", "EEPROM bad: defaults", "                    ", "Click to continue   "]);
  p.click();
  assert.equal(p.lcdRows()[3], "EEPROM bad: defaults");
  assert.equal(p.lcdRows()[0], "Hotend  22C Bed  22C");
});

test("after G28 the position row shows the homed position, as M114 does", async () => {
  const p = await boot();
  p.command("G28");
  assert.match(p.command("M114"), /^X:114\.00 Y:-2\.00 Z:0\.40 E:0\.00/);
  p.runFor(SETTLE_MS);
  assert.deepEqual(p.lcdRows().slice(1, 3), screen("X114.0 Y-2.00 Z 0.40", "Idle          FR100%"));
});

test("while G28 runs, the state row says Homing and an axis shows its position once it is homed", async () => {
  const p = await boot();
  // G28 runs inside one pass of the main loop: watch the display byte by byte meanwhile.
  const screens: string[] = [];
  const write = p.lcd.write.bind(p.lcd);
  p.lcd.write = (isData: number, byte: number) => {
    write(isData, byte);
    const rows = p.lcdRows().slice(1, 3).join("|");
    if (screens.at(-1) !== rows) screens.push(rows);
  };
  p.command("G28");
  p.runFor(SETTLE_MS);
  const homing = screens.filter((s) => s.endsWith("|Homing        FR100%"));
  assert.ok(homing.length > 0, screens.join("\n"));
  assert.ok(homing.includes("X    ? Y    ? Z    ?|Homing        FR100%"), "nothing homed yet");
  assert.ok(homing.includes("X114.0 Y-2.00 Z    ?|Homing        FR100%"), "X and Y homed, Z being probed at the safe point");
  assert.equal(screens.at(-1), "X114.0 Y-2.00 Z 0.40|Idle          FR100%");
});

test("positions take up to two decimals, fewer when the number needs the room", async () => {
  const p = await boot();
  p.command("G28\nG92 X255 Y-4 Z-0.004");
  p.runFor(SETTLE_MS);
  assert.equal(p.lcdRows()[1], "X255.0 Y-4.00 Z 0.00");
  p.command("G92 X-1234.5 Y99.996 Z123456");
  p.runFor(SETTLE_MS);
  assert.equal(p.lcdRows()[1], "X-1235 Y100.0 Z#####");
});

test("M117 shows its text on the status row, cut to the row's 20 characters; M117 alone clears it", async () => {
  const p = await boot();
  p.command("M117 Hello");
  p.runFor(SETTLE_MS);
  assert.equal(p.lcdRows()[3], "Hello".padEnd(20));
  p.command("M117 This message is longer than the row");
  p.runFor(SETTLE_MS);
  assert.equal(p.lcdRows()[3], "This message is long");
  p.command("M117");
  p.runFor(SETTLE_MS);
  assert.equal(p.lcdRows()[3], "Prusa i3 MK2 ready".padEnd(20));
});

test("a changed character costs the controller two bytes: its address and the character", async () => {
  const p = await boot();
  p.command("M117 Hello");
  p.runFor(SETTLE_MS);
  const before = p.lcd.writes;
  p.command("M117 Hellp");
  p.runFor(SETTLE_MS);
  assert.equal(p.lcdRows()[3], "Hellp".padEnd(20));
  assert.equal(p.lcd.writes - before, 2);
});
