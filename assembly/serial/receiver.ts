// Serial bytes to command lines, with the line protocol hosts use (Marlin/Prusa):
//   N<n> <command> *<checksum>   checksum = XOR of every byte before '*', in decimal;
//   a numbered line must carry a checksum and be number last+1 (unless it is M110), and a
//   checksum needs a line number;
//   ';' starts a comment to the end of the line, "(...)" is a comment too.
// Lines are checked as they arrive, so the expected line number is always right even while a
// long command runs; what they owe the host (ok, or an error and a resend request) is queued
// in order (gcode/queue.ts). A line with nothing but blanks and comments gets no reply at all,
// exactly as hosts and the simulator count.

import { serialRead } from "../hal";
import * as queue from "../gcode/queue";
import { Entry, LINE_MAX } from "../gcode/queue";

const line = memory.data(LINE_MAX);
let length: u32 = 0;
let inComment = false;
let inParen = false;
let hasContent = false;
let overflow = false;
let invalid = false;

/** Number of the last numbered line accepted (M110 sets it). */
export let lastLineNumber: i32 = 0;

/** Reads what the serial port has, as long as the queue has room for a finished line. */
export function poll(): void {
  while (queue.freeSlots() > 0) {
    const c = serialRead();
    if (c < 0) return;
    accept(<u32>c);
  }
}

function accept(c: u32): void {
  if (c == 10 || c == 13) {
    endLine();
    return;
  }
  if (inComment) return;
  if (c == 59) {
    inComment = true; // ';'
    return;
  }
  if (inParen) {
    if (c == 41) inParen = false;
  } else if (c == 40) {
    inParen = true;
  } else if (c != 32 && c != 9) {
    hasContent = true;
  }
  if ((c < 32 && c != 9) || c > 126) invalid = true;
  if (length >= LINE_MAX) {
    overflow = true;
    return;
  }
  store<u8>(line + length, <u8>c);
  length++;
}

function reset(): void {
  length = 0;
  inComment = false;
  inParen = false;
  hasContent = false;
  overflow = false;
  invalid = false;
}

function isDigit(c: u32): bool {
  return c - 48 < 10;
}

function upper(c: u32): u32 {
  return c - 97 < 26 ? c - 32 : c;
}

function at(i: u32): u32 {
  return load<u8>(line + i);
}

function skipBlanks(i: u32, end: u32): u32 {
  while (i < end && (at(i) == 32 || at(i) == 9)) i++;
  return i;
}

/** Parses a decimal integer at `i` (optional '-'); returns the index after it, value in parsedValue. */
let parsedValue: i32 = 0;
function parseInt(i: u32, end: u32): u32 {
  let negative = false;
  if (i < end && at(i) == 45) {
    negative = true;
    i++;
  }
  let v: i32 = 0;
  while (i < end && isDigit(at(i))) {
    if (v < 100000000) v = v * 10 + <i32>(at(i) - 48);
    i++;
  }
  parsedValue = negative ? -v : v;
  return i;
}

/** Is the command at [i, end) M110 (and not M1100)? */
function isM110(i: u32, end: u32): bool {
  return (
    end - i >= 4 &&
    upper(at(i)) == 77 &&
    at(i + 1) == 49 &&
    at(i + 2) == 49 &&
    at(i + 3) == 48 &&
    (i + 4 == end || !isDigit(at(i + 4)))
  );
}

/** M110 N<n>: the next line must be numbered n+1. Applied on arrival, before any later line. */
function applyM110(i: u32, end: u32): void {
  for (let j = i + 4; j < end; j++) {
    if (upper(at(j)) == 78 && j + 1 < end && (isDigit(at(j + 1)) || at(j + 1) == 45)) {
      parseInt(j + 1, end);
      lastLineNumber = parsedValue;
      return;
    }
  }
}

function endLine(): void {
  if (!hasContent) {
    reset();
    return;
  }
  if (overflow) {
    queue.push(Entry.ErrorTooLong, lastLineNumber, line, 0);
    reset();
    return;
  }
  let start = skipBlanks(0, length);
  let numbered = false;
  let number: i32 = 0;
  if (start + 1 < length && upper(at(start)) == 78 && (isDigit(at(start + 1)) || at(start + 1) == 45)) {
    start = parseInt(start + 1, length);
    number = parsedValue;
    numbered = true;
    start = skipBlanks(start, length);
  }
  // The checksum follows the last '*'.
  let star: i32 = -1;
  for (let i: i32 = <i32>length - 1; i >= 0; i--) {
    if (at(<u32>i) == 42) {
      star = i;
      break;
    }
  }
  let end = length;
  let checksumOk = true;
  if (star >= 0) {
    end = <u32>star;
    let sum: u32 = 0;
    for (let i: u32 = 0; i < end; i++) sum ^= at(i);
    let j = <u32>star + 1;
    const digitsStart = j;
    let given: u32 = 0;
    while (j < length && isDigit(at(j)) && j - digitsStart < 4) {
      given = given * 10 + at(j) - 48;
      j++;
    }
    const digits = j - digitsStart;
    j = skipBlanks(j, length);
    checksumOk = digits > 0 && j == length && given == sum;
  }
  while (end > start && (at(end - 1) == 32 || at(end - 1) == 9)) end--;

  if (numbered) {
    if (star < 0) {
      queue.push(Entry.ErrorNoChecksum, lastLineNumber, line, 0);
    } else if (!checksumOk) {
      queue.push(Entry.ErrorChecksum, lastLineNumber, line, 0);
    } else if (isM110(start, end)) {
      lastLineNumber = number;
      applyM110(start, end);
      pushCommand(start, end);
    } else if (number != lastLineNumber + 1) {
      queue.push(Entry.ErrorLineNumber, lastLineNumber, line, 0);
    } else {
      lastLineNumber = number;
      pushCommand(start, end);
    }
  } else if (star >= 0) {
    // A checksum belongs to a numbered line (as Marlin and Prusa insist): without the number
    // there is no way to ask for this line again.
    queue.push(Entry.ErrorNoLineNumber, lastLineNumber, line, 0);
  } else {
    if (isM110(start, end)) applyM110(start, end);
    pushCommand(start, end);
  }
  reset();
}

function pushCommand(start: u32, end: u32): void {
  if (invalid) queue.push(Entry.ErrorInvalidCharacters, lastLineNumber, line, 0);
  else queue.push(Entry.Command, lastLineNumber, line + start, end - start);
}
