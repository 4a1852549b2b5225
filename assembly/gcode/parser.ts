// One command line: its code (G1, M862.3, ...) and its parameters (letter + number).
// Letters are case-insensitive; "(...)" comments are skipped. A parameter whose number does not
// parse is an error: the command is refused rather than run with a guess.

import { powerOfTen } from "../format";
import { romByte } from "../hal";
import { rom, RomText, romLength, romOffset } from "../rom";

const values = memory.data(26 * 4); // f32 per letter A..Z

export let text: usize = 0;
export let textLength: u32 = 0;
/** 'G', 'M', 'T', 'D' ... as an upper-case char code. */
export let letter: u32 = 0;
export let code: i32 = -1;
/** The part after a '.', e.g. 3 for M862.3; -1 when there is none. */
export let subcode: i32 = -1;
/** Where the arguments start (after the code and one blank), for commands that take text. */
export let argsStart: u32 = 0;
let seenMask: u32 = 0;
let valueMask: u32 = 0;
/** Index in the text of the first parameter that did not parse, or -1. */
export let badAt: i32 = -1;

function at(i: u32): u32 {
  return load<u8>(text + i);
}

function isDigit(c: u32): bool {
  return c - 48 < 10;
}

function upper(c: u32): u32 {
  return c - 97 < 26 ? c - 32 : c;
}

function isLetter(c: u32): bool {
  return upper(c) - 65 < 26;
}

function skipBlanksAndComments(i: u32): u32 {
  while (i < textLength) {
    const c = at(i);
    if (c == 32 || c == 9) {
      i++;
    } else if (c == 40) {
      while (i < textLength && at(i) != 41) i++;
      i++;
    } else {
      break;
    }
  }
  return i;
}


let numberEnd: u32 = 0;
let numberOk = false;

/** Parses [-+]digits[.digits] at `i`. Sets numberEnd and numberOk. */
function parseNumber(i: u32): f32 {
  let negative = false;
  const c0 = i < textLength ? at(i) : 0;
  if (c0 == 45 || c0 == 43) {
    negative = c0 == 45;
    i++;
  }
  let mantissa: u32 = 0;
  let digits: u32 = 0;
  let scale: u32 = 0;
  let any = false;
  while (i < textLength && isDigit(at(i))) {
    if (digits < 9) {
      mantissa = mantissa * 10 + at(i) - 48;
      if (mantissa != 0) digits++;
    } else {
      numberOk = false; // more than 9 significant integer digits: not a printer number
      numberEnd = i;
      return 0;
    }
    any = true;
    i++;
  }
  if (i < textLength && at(i) == 46) {
    i++;
    while (i < textLength && isDigit(at(i))) {
      if (digits < 9 && scale < 9) {
        mantissa = mantissa * 10 + at(i) - 48;
        if (mantissa != 0) digits++;
        scale++;
      }
      any = true;
      i++;
    }
  }
  numberEnd = i;
  numberOk = any;
  // An exponent ("1e1", "2.5E-3") is not G-code: Marlin's strtod would read X1e1 as 10, a parser
  // that stops at the 'e' as X1 plus E1 (an extrusion nobody asked for). Refused instead.
  if (i + 1 < textLength && upper(at(i)) == 69) {
    const next = at(i + 1);
    if (isDigit(next) || next == 43 || next == 45) numberOk = false;
  }
  const v = <f32>mantissa / <f32>powerOfTen(scale);
  return negative ? -v : v;
}

/** Reads the command code. False when the line does not start with a letter and a number. */
export function parseCommand(line: usize, length: u32): bool {
  text = line;
  textLength = length;
  seenMask = 0;
  valueMask = 0;
  badAt = -1;
  code = -1;
  subcode = -1;
  let i = skipBlanksAndComments(0);
  if (i >= textLength || !isLetter(at(i))) return false;
  letter = upper(at(i));
  i++;
  if (i >= textLength || !isDigit(at(i))) return false;
  let n: i32 = 0;
  while (i < textLength && isDigit(at(i))) {
    if (n < 100000) n = n * 10 + <i32>(at(i) - 48);
    i++;
  }
  code = n;
  if (i + 1 < textLength && at(i) == 46 && isDigit(at(i + 1))) {
    i++;
    let s: i32 = 0;
    while (i < textLength && isDigit(at(i))) {
      if (s < 1000) s = s * 10 + <i32>(at(i) - 48);
      i++;
    }
    subcode = s;
  }
  if (i < textLength && (at(i) == 32 || at(i) == 9)) i++;
  argsStart = i;
  return true;
}

/** Reads letter-number parameters after the code. False (badAt set) if one does not parse. */
export function parseParams(): bool {
  let i = skipBlanksAndComments(argsStart);
  while (i < textLength) {
    const c = at(i);
    if (!isLetter(c)) {
      badAt = <i32>i;
      return false;
    }
    const bit: u32 = 1 << (upper(c) - 65);
    i++;
    const next = i < textLength ? at(i) : 32;
    if (next == 32 || next == 9 || next == 40 || isLetter(next)) {
      seenMask |= bit; // a flag, e.g. "G28 X"
    } else {
      const v = parseNumber(i);
      if (!numberOk || (numberEnd < textLength && !isLetter(at(numberEnd)) && at(numberEnd) != 32 && at(numberEnd) != 9 && at(numberEnd) != 40)) {
        badAt = <i32>(i - 1);
        return false;
      }
      store<f32>(values + ((upper(c) - 65) << 2), v);
      seenMask |= bit;
      valueMask |= bit;
      i = numberEnd;
    }
    i = skipBlanksAndComments(i);
  }
  return true;
}

/** Was letter `l` ('X' etc.) given, with or without a number? */
export function has(l: u32): bool {
  return (seenMask & (1 << (l - 65))) != 0;
}

/** Was letter `l` given with a number? */
export function hasValue(l: u32): bool {
  return (valueMask & (1 << (l - 65))) != 0;
}

export function value(l: u32): f32 {
  return hasValue(l) ? load<f32>(values + ((l - 65) << 2)) : 0;
}

/** Any of the letters in `mask` (bit 0 = A) given? */
export function anyOf(mask: u32): bool {
  return (seenMask & mask) != 0;
}

export function letterBit(l: u32): u32 {
  return 1 << (l - 65);
}

// Word commands: Klipper's command names, accepted beside the G-codes they stand for
// (`PROBE_ACCURACY SAMPLES=20`, `TESTZ Z=-0.1`, `TESTZ Z=+`). The word is letters, digits and
// '_' (it starts with a letter and has at least two characters, so "G1" stays a G-code); its
// parameters are KEY=VALUE pairs. A key is one letter (X=, Y=, Z=), SAMPLES (stored as S),
// PAPER (P) or BED (B);
// any other key is refused, as is a value that is not a number or one of Klipper's bisection
// steps + ++ - -- (bisectStep()).

function isWordChar(c: u32): bool {
  return isLetter(c) || isDigit(c) || c == 95;
}

/** Reads a word command. False when the line does not start with a word of two or more characters. */
export function parseWord(line: usize, length: u32): bool {
  text = line;
  textLength = length;
  seenMask = 0;
  valueMask = 0;
  badAt = -1;
  letter = 0;
  code = -1;
  subcode = -1;
  const start = skipBlanksAndComments(0);
  if (start >= textLength || !isLetter(at(start))) return false;
  let i = start;
  while (i < textLength && isWordChar(at(i))) i++;
  if (i - start < 2) return false;
  if (i < textLength && at(i) != 32 && at(i) != 9 && at(i) != 40) return false;
  argsStart = i; // right after the word: the word is the text before it (wordIs)
  return true;
}

/** Is the word command `name` (upper-case in flash)? Case-insensitive, as Klipper is. */
export function wordIs(name: RomText): bool {
  return textIs(skipBlanksAndComments(0), argsStart, name);
}

function textIs(start: u32, end: u32, name: RomText): bool {
  if (end - start != romLength(name)) return false;
  for (let k: u32 = 0; k < end - start; k++) {
    if (upper(at(start + k)) != romByte(romOffset(name) + k)) return false;
  }
  return true;
}

/** The letter a word parameter's key stands for, or 0 for a key this firmware does not know. */
function keyLetter(start: u32, end: u32): u32 {
  if (end - start == 1) return isLetter(at(start)) ? upper(at(start)) : 0;
  if (textIs(start, end, rom("SAMPLES"))) return 83; // 'S'
  if (textIs(start, end, rom("PAPER"))) return 80; // 'P'
  if (textIs(start, end, rom("BED"))) return 66; // 'B'
  if (textIs(start, end, rom("POINTS"))) return 78; // 'N' (PROBE_BIAS_CHECK POINTS=9)
  return 0;
}

/** Reads KEY=VALUE parameters after a word command. False (badAt set) if one does not parse. */
export function parseWordParams(): bool {
  let i = skipBlanksAndComments(argsStart);
  while (i < textLength) {
    const keyStart = i;
    while (i < textLength && isWordChar(at(i))) i++;
    const l = i > keyStart && i < textLength && at(i) == 61 ? keyLetter(keyStart, i) : 0;
    if (l == 0) {
      badAt = <i32>keyStart;
      return false;
    }
    i++; // '='
    const bit: u32 = 1 << (l - 65);
    const slot = values + ((l - 65) << 2);
    // Klipper's bisection steps: + ++ - -- (TESTZ Z=+).
    let signs: i32 = 0;
    let j = i;
    while (j < textLength && (at(j) == 43 || at(j) == 45) && signs > -3 && signs < 3) {
      signs += at(j) == 43 ? 1 : -1;
      j++;
    }
    const endsThere = j >= textLength || at(j) == 32 || at(j) == 9 || at(j) == 40;
    if (signs != 0 && abs(signs) <= 2 && endsThere && j - i == <u32>abs(signs)) {
      store<f32>(slot, <f32>signs);
      seenMask |= bit;
      i = j;
    } else {
      const v = parseNumber(i);
      if (!numberOk || (numberEnd < textLength && at(numberEnd) != 32 && at(numberEnd) != 9 && at(numberEnd) != 40)) {
        badAt = <i32>keyStart;
        return false;
      }
      store<f32>(slot, v);
      seenMask |= bit;
      valueMask |= bit;
      i = numberEnd;
    }
    i = skipBlanksAndComments(i);
  }
  return true;
}

/** A word parameter given as a bisection step: +1 (+), +2 (++), -1 (-), -2 (--); 0 when it was not. */
export function bisectStep(l: u32): i32 {
  if (!has(l) || hasValue(l)) return 0;
  return <i32>load<f32>(values + ((l - 65) << 2));
}
