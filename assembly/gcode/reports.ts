// Identification and messages: M115, M117, M118, M113, M862.x.

import * as parser from "./parser";
import { Letter } from "./letters";
import * as out from "../serial/out";
import { rom } from "../rom";
import { BoardKey, boardText, boardF32 } from "../board";
import { printNameAndVersion } from "../version";
import { romByte } from "../hal";
import { romLength, romOffset } from "../rom";
import * as keepalive from "../system/keepalive";
import { setStatusText } from "../ui/status";

function at(i: u32): u32 {
  return load<u8>(parser.text + i);
}

/** M115: firmware identification and capabilities, in Marlin's format. M115 U<version> (sent by
 * PrusaSlicer to announce the newest Prusa firmware it knows) is accepted and needs no reply. */
export function m115(): void {
  const i = argText();
  if (i < parser.textLength && (at(i) & 0xdf) == 85) return; // 'U'
  out.text(rom("FIRMWARE_NAME:"));
  printNameAndVersion();
  out.text(rom(" ("));
  out.text(boardText(BoardKey.Title));
  out.text(rom(") PROTOCOL_VERSION:1.0 MACHINE_TYPE:"));
  out.text(boardText(BoardKey.Machine));
  out.line(rom(" KINEMATICS:Cartesian EXTRUDER_COUNT:1"));
  capability(rom("Cap:SERIAL_XON_XOFF:0"));
  capability(rom("Cap:EEPROM:1"));
  capability(rom("Cap:AUTOREPORT_TEMP:1"));
  capability(rom("Cap:AUTOREPORT_POS:0"));
  capability(rom("Cap:PROGRESS:0"));
  capability(rom("Cap:PRINT_JOB:0"));
  capability(rom("Cap:AUTOLEVEL:0"));
  capability(rom("Cap:Z_PROBE:1"));
  capability(rom("Cap:LEVELING_DATA:0"));
  capability(rom("Cap:BUILD_PERCENT:0"));
  capability(rom("Cap:SOFTWARE_POWER:0"));
  capability(rom("Cap:TOGGLE_LIGHTS:0"));
  capability(rom("Cap:EMERGENCY_PARSER:1"));
  capability(rom("Cap:HOST_ACTION_COMMANDS:0"));
  capability(rom("Cap:PROMPT_SUPPORT:0"));
  capability(rom("Cap:SDCARD:0"));
  capability(rom("Cap:ARCS:0"));
  capability(rom("Cap:BABYSTEPPING:0"));
}

function capability(t: u32): void {
  out.line(t);
}

/** The free text after the code, without leading blanks. */
function argText(): u32 {
  let i = parser.argsStart;
  while (i < parser.textLength && (at(i) == 32 || at(i) == 9)) i++;
  return i;
}

/** M117 <message>: show a message on the display. */
export function m117(): void {
  const i = argText();
  setStatusText(parser.text + i, parser.textLength - i);
}

/** Is there a flag like "E1" (letter, one digit, then a blank or the end) at i? */
function isFlag(i: u32): bool {
  if (i + 1 >= parser.textLength || at(i + 1) - 48 >= 10) return false;
  const l = at(i) & 0xdf;
  return (l == 65 || l == 69 || l == 80) && (i + 2 == parser.textLength || at(i + 2) == 32);
}

/** M118 [A1] [E1] [Pn] <text>: print text to the host ("echo:" with E1, "//" with A1). */
export function m118(): void {
  let i = argText();
  let echo = false;
  let action = false;
  while (isFlag(i)) {
    const l = at(i) & 0xdf;
    if (l == 69) echo = at(i + 1) != 48;
    if (l == 65) action = at(i + 1) != 48;
    i += 2;
    while (i < parser.textLength && at(i) == 32) i++;
  }
  if (action) out.text(rom("//"));
  if (echo) out.text(rom("echo:"));
  out.chars(parser.text + i, parser.textLength - i);
  out.newline();
}

/** M113 [S<seconds>]: interval of the "busy" keepalive; 0 turns it off. */
export function m113(): void {
  if (parser.hasValue(Letter.S)) {
    const s = parser.value(Letter.S);
    if (!(s >= 0 && s <= 60)) {
      out.line(rom("Error:M113 S must be 0 to 60 seconds; nothing changed"));
      return;
    }
    keepalive.setInterval(<u32>s);
  } else {
    out.text(rom("echo:M113 S"));
    out.uint(keepalive.intervalS);
    out.newline();
  }
}

/**
 * M862.1 nozzle diameter and M862.3 printer model: PrusaSlicer puts "M862.1 P0.4" and
 * M862.3 P "MK2S" at the start of its G-code; a mismatch is reported (the print goes on, as
 * Prusa's default "warn" mode does). With Q the printer reports its own value.
 * Returns false for the M862 variants this firmware does not know.
 */
export function m862(): bool {
  const sub = parser.subcode;
  if (sub != 1 && sub != 3) return false;
  let i = argText();
  const query = i < parser.textLength && (at(i) & 0xdf) == Letter.Q;
  const given = i < parser.textLength && (at(i) & 0xdf) == Letter.P;
  if (sub == 1) {
    const diameter = boardF32(BoardKey.NozzleDiameter);
    if (query) {
      out.fixed(diameter, 2);
      out.newline();
    } else if (given) {
      if (!parser.parseParams() || !parser.hasValue(Letter.P)) {
        out.line(rom("Error:M862.1 needs P<diameter in mm> or Q"));
        return true;
      }
      const wanted = parser.value(Letter.P);
      if (Mathf.abs(wanted - diameter) > <f32>0.005) {
        out.text(rom("echo:Warning: this G-code was sliced for a "));
        out.fixed(wanted, 2);
        out.text(rom(" mm nozzle; this printer has a "));
        out.fixed(diameter, 2);
        out.line(rom(" mm nozzle. Check the slicer's printer settings."));
      }
    }
    return true;
  }
  // M862.3: the model name is a quoted string.
  if (query) {
    const models = boardText(BoardKey.Models);
    // The first model of the list is this printer's own.
    const offset = romOffset(models);
    const length = romLength(models);
    for (let k: u32 = 0; k < length && romByte(offset + k) != 32; k++) out.char(romByte(offset + k));
    out.newline();
    return true;
  }
  if (!given) {
    out.line(rom("Error:M862.3 needs P\"<model>\" or Q"));
    return true;
  }
  i++;
  while (i < parser.textLength && (at(i) == 32 || at(i) == 34)) i++;
  const start = i;
  while (i < parser.textLength && at(i) != 34 && at(i) != 32) i++;
  if (!isKnownModel(start, i - start)) {
    out.text(rom("echo:Warning: this G-code was sliced for a printer model \""));
    out.chars(parser.text + start, i - start);
    out.text(rom("\"; this printer is a "));
    out.text(boardText(BoardKey.Machine));
    out.text(rom(" ("));
    out.text(boardText(BoardKey.Models));
    out.line(rom("). Check the slicer's printer profile."));
  }
  return true;
}

/** Is the text at parser.text+start one of the board's model names (space separated)? */
function isKnownModel(start: u32, length: u32): bool {
  const models = boardText(BoardKey.Models);
  const offset = romOffset(models);
  const total = romLength(models);
  let k: u32 = 0;
  while (k < total) {
    let end = k;
    while (end < total && romByte(offset + end) != 32) end++;
    if (end - k == length) {
      let same = true;
      for (let j: u32 = 0; j < length; j++) {
        if ((romByte(offset + k + j) & 0xdf) != (at(start + j) & 0xdf)) same = false;
      }
      if (same) return true;
    }
    k = end + 1;
  }
  return false;
}
