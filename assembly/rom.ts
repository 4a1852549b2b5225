// Text that lives in flash, not in SRAM.
//
// The ATmega2560 has 8 KiB of SRAM; AssemblyScript stores string literals in linear memory as
// UTF-16, so the firmware's messages would not fit. Instead every message is written as
// `rom("text")`. At compile time the build's transform (tools/build/romText.ts) replaces each
// such call by a RomText handle: the text's offset in a table the HAL keeps in flash, shifted
// left 8 bits, or'ed with its length. Nothing of the text reaches linear memory.

/** Offset << 8 | length of a text in the flash text table. */
export type RomText = u32;

/**
 * A flash text. Only ever called with a string literal; the build replaces the call. Reaching
 * this body means the transform did not run, which is a build error, so it traps.
 */
export function rom(text: string): RomText {
  unreachable();
  return 0;
}

export function romLength(t: RomText): u32 {
  return t & 0xff;
}

export function romOffset(t: RomText): u32 {
  return t >>> 8;
}
