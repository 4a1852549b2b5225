// The flash text table: every rom("...") text of the firmware once, then the board's texts.
// A text is addressed by a RomText handle, offset << 8 | length (see assembly/rom.ts).
// Kept apart from the transform (romText.ts) so runtime code need not load the compiler.

export const MAX_TEXT_LENGTH = 255;

export interface RomTexts {
  /** Each distinct text once, in first-seen order. */
  texts: string[];
  /** Byte offset of each text in the table. */
  offsets: number[];
  /** Table size in bytes. */
  size: number;
}

export function handleOf(offset: number, length: number): number {
  return ((offset << 8) | length) >>> 0;
}

/** Packs the module's texts followed by `extra` ones; returns the table and the extra handles. */
export function packRomTable(module: RomTexts, extra: string[]): { bytes: Uint8Array; extraHandles: number[] } {
  const chunks: number[] = [];
  for (const t of module.texts) for (const ch of t) chunks.push(ch.charCodeAt(0));
  const extraHandles: number[] = [];
  for (const t of extra) {
    checkText(t, "board text");
    extraHandles.push(handleOf(chunks.length, t.length));
    for (const ch of t) chunks.push(ch.charCodeAt(0));
  }
  return { bytes: Uint8Array.from(chunks), extraHandles };
}

export function checkText(text: string, where: string): void {
  if (text.length > MAX_TEXT_LENGTH) {
    throw new Error(`${where}: rom() text is ${text.length} characters; the limit is ${MAX_TEXT_LENGTH}`);
  }
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c > 0x7e) {
      throw new Error(`${where}: rom() text ${JSON.stringify(text)} has character code ${c}; only printable ASCII goes to the serial port and the HD44780`);
    }
  }
}

