// CRC-16/CCITT-FALSE (poly 0x1021, init 0xffff, no reflection, no final xor), as the EEPROM
// settings record uses it.
import { crc16 } from "../../assembly/settings/crc";

/** Keeps the bytes of the last buffer alive while crc16 reads them. */
let held: ArrayBuffer = new ArrayBuffer(0);

function crcOfText(s: string): u32 {
  held = String.UTF8.encode(s);
  return crc16(changetype<usize>(held), <u32>held.byteLength);
}

function crcOfBytes(bytes: u8[]): u32 {
  held = new ArrayBuffer(bytes.length);
  const p = changetype<usize>(held);
  for (let i = 0; i < bytes.length; i++) store<u8>(p + <usize>i, bytes[i]);
  return crc16(p, <u32>bytes.length);
}

describe("crc16", () => {
  it("gives 0x29B1 for \"123456789\", the standard check value of CRC-16/CCITT-FALSE", () => {
    expect<u32>(crcOfText("123456789")).toBe(0x29b1);
  });

  it("gives the initial value 0xFFFF for no bytes", () => {
    expect<u32>(crcOfText("")).toBe(0xffff);
    // A zero length reads nothing, whatever the pointer.
    expect<u32>(crc16(changetype<usize>(held), 0)).toBe(0xffff);
  });

  it("gives the published values for single bytes", () => {
    expect<u32>(crcOfText("A")).toBe(0xb915);
    expect<u32>(crcOfBytes([0x00])).toBe(0xe1f0);
    expect<u32>(crcOfBytes([0xff])).toBe(0xff00);
  });

  it("reads only the given length, starting at the given address", () => {
    held = String.UTF8.encode("xx123456789yy");
    expect<u32>(crc16(changetype<usize>(held) + 2, 9)).toBe(0x29b1);
  });

  it("always stays within 16 bits, and a message followed by its CRC (high byte first) checks to 0", () => {
    const bytes: u8[] = [];
    for (let i = 0; i < 256; i++) bytes.push(<u8>(i * 37 + 11));
    const crc = crcOfBytes(bytes);
    expect<u32>(crc >> 16).toBe(0);
    bytes.push(<u8>(crc >> 8));
    bytes.push(<u8>(crc & 0xff));
    expect<u32>(crcOfBytes(bytes)).toBe(0);
  });

  it("changes when any single bit of an 88-byte block flips", () => {
    const bytes: u8[] = [];
    for (let i = 0; i < 88; i++) bytes.push(<u8>(i * 5 + 3));
    const good = crcOfBytes(bytes);
    let unchanged: i32 = 0;
    for (let i = 0; i < 88; i++) {
      for (let bit: u32 = 0; bit < 8; bit++) {
        const original: u8 = bytes[i];
        bytes[i] = original ^ <u8>((<u32>1) << bit);
        if (crcOfBytes(bytes) == good) unchanged++;
        bytes[i] = original;
      }
    }
    expect<i32>(unchanged).toBe(0);
  });
});
