// Just enough of an HD44780 character LCD for runs of the firmware in Node (hal/host/hal.ts) and
// the unit tests (tests/unit/testHal.ts): whole bytes as hal.lcdWrite sends them (the 4-bit
// pulses are the C HAL's business), DDRAM addresses and characters, clear and home, and the
// address counter's wrap in 2-line mode (0x27 -> 0x40, 0x67 -> 0x00). A 20x4 shows DDRAM
// 0x00, 0x40, 0x14 and 0x54 onwards as its rows 0 to 3.

export const ROW_ADDRESSES = [0x00, 0x40, 0x14, 0x54];

export class Hd44780 {
  readonly ddram = new Uint8Array(0x80).fill(0x20);
  address = 0;
  /** Bytes received: instructions and characters. */
  writes = 0;

  constructor(
    readonly cols = 20,
    readonly rows = 4,
  ) {}

  write(isData: number, byte: number): void {
    byte &= 0xff;
    this.writes++;
    if (isData) {
      this.ddram[this.address] = byte;
      this.address = this.address === 0x27 ? 0x40 : this.address === 0x67 ? 0x00 : this.address + 1;
    } else if (byte & 0x80) {
      const a = byte & 0x7f;
      this.address = a >= 0x28 && a < 0x40 ? 0x40 : a >= 0x68 ? 0x00 : a;
    } else if (byte === 0x01) {
      this.ddram.fill(0x20);
      this.address = 0;
    } else if (byte === 0x02 || byte === 0x03) {
      this.address = 0;
    }
    // Function set, entry mode, display control: the firmware's own settings are assumed.
  }

  /** The text of each row. */
  lines(): string[] {
    return ROW_ADDRESSES.slice(0, this.rows).map((a) => String.fromCharCode(...this.ddram.subarray(a, a + this.cols)));
  }
}
