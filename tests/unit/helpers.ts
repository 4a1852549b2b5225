// Spec helpers: read what the firmware printed, feed it serial input.
@external("testHal", "outputLength") declare function outputLength(): i32;
@external("testHal", "outputByte") declare function outputByte(i: i32): i32;
@external("testHal", "clearOutput") export declare function clearOutput(): void;
@external("testHal", "pushInput") declare function pushInput(b: i32): void;
@external("testHal", "setMillis") export declare function setMillis(ms: u32): void;
@external("testHal", "setInputs") export declare function setInputs(v: u32): void;
@external("testHal", "eepromByte") export declare function eepromByte(addr: u32): u32;
@external("testHal", "setEepromByte") export declare function setEepromByte(addr: u32, v: u32): void;
@external("testHal", "wakeCount") export declare function wakeCount(): i32;
@external("testHal", "enabledMask") export declare function enabledMask(): u32;
@external("testHal", "lcdWrites") export declare function lcdWrites(): u32;
@external("testHal", "lcdChar") export declare function lcdChar(row: u32, col: u32): u32;
@external("testHal", "setAdc") export declare function setAdc(channel: u32, counts: u32): void;
@external("testHal", "adcStarts") export declare function adcStarts(): u32;
@external("testHal", "turnEncoder") export declare function turnEncoder(detents: i32): void;
@external("testHal", "setButton") export declare function setButton(down: u32): void;
@external("testHal", "beepCount") export declare function beepCount(): u32;

/** Everything printed since the last call. */
export function takeOutput(): string {
  let s = "";
  const n = outputLength();
  for (let i = 0; i < n; i++) s += String.fromCharCode(outputByte(i));
  clearOutput();
  return s;
}

export function sendText(s: string): void {
  for (let i = 0; i < s.length; i++) pushInput(s.charCodeAt(i));
}

/** Row `row` of the display (20 characters). */
export function lcdRow(row: u32): string {
  let s = "";
  for (let col: u32 = 0; col < 20; col++) s += String.fromCharCode(lcdChar(row, col));
  return s;
}
