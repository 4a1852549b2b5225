// Serial bytes to command lines, with the line protocol hosts use (Marlin/Prusa):
//   N<n> <command> *<checksum>   checksum = XOR of every byte before '*', in decimal;
//   a numbered line must carry a checksum and be number last+1 (unless it is M110), and a
//   checksum needs a line number;
//   ';' starts a comment to the end of the line, "(...)" is a comment too.
// Lines are checked as they arrive, so the expected line number is always right even while a
// long command runs; what they owe the host (ok, or an error and a resend request) is queued
// in order (gcode/queue.ts). A line with nothing but blanks and comments gets no reply at all,
// exactly as hosts and the simulator count.
//
// Every poll() first moves all the bytes the HAL holds into this module's own ring (RING bytes),
// watching each for the emergency commands M112, M410 and M108, which
// are acted on as soon as their line ends (takeEmergency()), however full the command queue is;
// then lines are assembled from the ring while the queue has room. When the ring is full, bytes
// are dropped and remembered (where, and how many lines they ended), so each line they damaged
// gets its own "overflow" error and resend request, in order.
import { serialRead } from "../hal";
import * as queue from "../gcode/queue";
import { Entry, LINE_MAX } from "../gcode/queue";

/**
 * Bytes received and not yet assembled into lines. With the HAL's 128-byte interrupt ring in front
 * of it, a host streaming ahead of its "ok"s has 384 bytes of room (Marlin on the AVR: 128). A
 * power of two: the wrapping u32 counters below index it with `%`.
 */
const RING: u32 = 256;
const ring = memory.data(RING);
/** Bytes stored and taken so far (wrapping counters: their difference is the fill). */
let written: u32 = 0;
let taken: u32 = 0;

const line = memory.data(LINE_MAX);
let length: u32 = 0;
let inComment = false;
let inParen = false;
let hasContent = false;
let overflow = false;
let invalid = false;

/** Number of the last numbered line accepted (M110 sets it). */
export let lastLineNumber: i32 = 0;

/** Bytes dropped because the ring was full, since power-on (reported with each damaged line). */
export let droppedBytes: u32 = 0;

/** Emergency commands, acted on as their line arrives (Marlin's EMERGENCY_PARSER). */
export const enum Emergency {
  None = 0,
  Stop = 112, // M112: stop everything, halt until reset
  QuickStop = 410, // M410: stop motion at once, no fault
  BreakWait = 108, // M108: end the current wait
}

/**
 * Moves what the HAL received into the ring, through the emergency watch; assembles nothing and
 * prints nothing, so output that waits for the transmit ring calls it too (system/background.ts):
 * a long report does not leave the HAL's ring to overflow, nor an M112 unseen.
 */
export function receive(): void {
  while (true) {
    const c = serialRead();
    if (c < 0) return;
    arrive(<u32>c);
  }
}

/**
 * Reads what the serial port has into the ring (watching for emergency commands), then
 * assembles lines from it as long as the queue has room for a finished one.
 */
export function poll(): void {
  receive();
  while (queue.freeSlots() > 0) {
    if (owedAnswers > 0) {
      queue.push(Entry.ErrorOverflow, lastLineNumber, line, 0);
      owedAnswers--;
      continue;
    }
    if (recordCount > 0 && taken == load<u32>(records + recordHead * RECORD_BYTES)) {
      applyRecord();
      continue;
    }
    if (taken == written) {
      // Everything stored is assembled; a run still dropping bytes ends here (the next byte to
      // arrive has room), so the lines it ended are answered now, not when more input comes.
      if (!dropping) return;
      closeRun();
      continue;
    }
    const c = <u32>load<u8>(ring + (taken % RING));
    taken++;
    accept(c);
  }
}

// ---------------------------------------------------------------------------------------------
// Arrival: the emergency watch, the ring, and what overflow dropped.

let emergency: Emergency = Emergency.None;

/** The emergency command that arrived since the last call (the caller acts on it), or None. */
export function takeEmergency(): Emergency {
  const e = emergency;
  emergency = Emergency.None;
  return e;
}

/** Where the emergency watch is in the line arriving: see watch(). */
const enum Watch {
  Start = 0, // blanks before the command (or after a line number)
  Number = 1, // in "N<digits>"
  Code = 2, // after 'M', in its digits
  Matched = 3, // "M<digits>" ended by a blank, '*' or ';': the rest does not matter
  Other = 4, // not an emergency command: wait for the line's end
}
let watchState = Watch.Start;
let watchCode: u32 = 0;
let watchDigits: u32 = 0;

/**
 * One arriving byte through the emergency watch: a line whose command is M112, M410 or M108 (after
 * an optional line number; its checksum is not needed, as in Marlin: a stop must not wait for a
 * resend) sets `emergency` when the line ends.
 */
function watch(c: u32): void {
  if (c == 10 || c == 13) {
    if (watchState == Watch.Matched || (watchState == Watch.Code && watchDigits > 0)) {
      if (watchCode == 112) emergency = Emergency.Stop;
      else if (watchCode == 410 && emergency != Emergency.Stop) emergency = Emergency.QuickStop;
      else if (watchCode == 108 && emergency == Emergency.None) emergency = Emergency.BreakWait;
    }
    watchState = Watch.Start;
    return;
  }
  const blank = c == 32 || c == 9;
  switch (watchState) {
    case Watch.Start:
      if (blank) return;
      if (upper(c) == 78) watchState = Watch.Number;
      else if (upper(c) == 77) {
        watchState = Watch.Code;
        watchCode = 0;
        watchDigits = 0;
      } else watchState = Watch.Other;
      return;
    case Watch.Number:
      if (blank) watchState = Watch.Start;
      else if (upper(c) == 77) {
        watchState = Watch.Code;
        watchCode = 0;
        watchDigits = 0;
      } else if (!isDigit(c)) watchState = Watch.Other;
      return;
    case Watch.Code:
      if (isDigit(c) && watchDigits < 4) {
        watchCode = watchCode * 10 + c - 48;
        watchDigits++;
      } else if (watchDigits > 0 && (blank || c == 42 || c == 59)) {
        watchState = Watch.Matched;
      } else {
        watchState = Watch.Other;
      }
      return;
  }
}

// Overflow bookkeeping. A run of dropped bytes is a record: where in the byte stream it happened
// (the count of bytes written before it), how many lines with a command it ended (dropped line
// ends), and whether the line it leaves unfinished had a command in the dropped part. Records wait
// in a small FIFO until the assembly reaches their place; while the FIFO is full a run goes on
// (more bytes dropped) rather than lose track.
const RECORDS: u32 = 8;
const RECORD_BYTES: u32 = 12; // u32 position, u32 lines with a command ended, u32 RUN_* flags
/** The run dropped a line end (the line being assembled ends inside it). */
const RUN_ENDED: u32 = 1;
/** The run dropped a non-blank byte of the line it leaves open (that line is damaged). */
const RUN_OPEN_LOST: u32 = 2;
const records = memory.data(RECORDS * RECORD_BYTES);
let recordHead: u32 = 0;
let recordCount: u32 = 0;
let dropping = false;
let runLines: u32 = 0;
let runFlags: u32 = 0;
/** The arriving line (stored or dropped part) has a command: not blanks or comments only. */
let arrivingContent = false;
let arrivingComment = false;
let arrivingParen = false;

function arrive(c: u32): void {
  watch(c);
  const lineEnd = c == 10 || c == 13;
  const hadContent = arrivingContent;
  // What the assembly will make of it: does this line have a command?
  if (lineEnd) {
    arrivingContent = arrivingComment = arrivingParen = false;
  } else if (!arrivingComment) {
    if (c == 59) arrivingComment = true;
    else if (arrivingParen) arrivingParen = c != 41;
    else if (c == 40) arrivingParen = true;
    else if (c != 32 && c != 9) arrivingContent = true;
  }
  if (dropping && recordCount < RECORDS && written - taken < RING) closeRun();
  if (!dropping && written - taken < RING) {
    store<u8>(ring + (written % RING), <u8>c);
    written++;
    return;
  }
  // The ring is full: drop the byte, remembering what it did to the lines.
  droppedBytes++;
  if (!dropping) {
    dropping = true;
    runLines = 0;
    runFlags = 0;
  }
  if (lineEnd) {
    if (hadContent) runLines++;
    runFlags = RUN_ENDED;
  } else if (c != 32 && c != 9) {
    runFlags |= RUN_OPEN_LOST;
  }
}

/** The run of dropped bytes ends: it becomes a record at the current write position. */
function closeRun(): void {
  const r = records + ((recordHead + recordCount) % RECORDS) * RECORD_BYTES;
  store<u32>(r, written);
  store<u32>(r + 4, runLines);
  store<u32>(r + 8, runFlags);
  recordCount++;
  dropping = false;
}

/** Answers still owed for lines whose ends were dropped. */
let owedAnswers: u32 = 0;
/** The line being assembled lost bytes: it is refused with an overflow error. */
let damaged = false;

/** The assembly reached a run of dropped bytes: settle the lines it damaged. */
function applyRecord(): void {
  const r = records + recordHead * RECORD_BYTES;
  const lines = load<u32>(r + 4);
  const flags = load<u32>(r + 8);
  recordHead = (recordHead + 1) % RECORDS;
  recordCount--;
  if (flags & RUN_ENDED) {
    // The line being assembled ended inside the run: it and every other line with a command that
    // ended there are owed an overflow answer.
    owedAnswers += lines;
    reset();
  }
  // The line the run leaves open lost part of its text: refused when it ends.
  if (flags & RUN_OPEN_LOST) damaged = true;
}

// ---------------------------------------------------------------------------------------------
// Assembly.

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
  damaged = false;
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

/**
 * Parses a decimal integer at `i` (optional '-'); returns the index after it, the value in
 * parsedValue; parsedOk is false when there are no digits or the value does not fit an i32 (a
 * line number of ten digits or more is refused, never cut short).
 */
let parsedValue: i32 = 0;
let parsedOk = false;
function parseInt(i: u32, end: u32): u32 {
  let negative = false;
  if (i < end && at(i) == 45) {
    negative = true;
    i++;
  }
  let v: u32 = 0;
  let digits: u32 = 0;
  let fits = true;
  while (i < end && isDigit(at(i))) {
    const d = at(i) - 48;
    // 2147483647 = 214748364 * 10 + 7
    if (v > 214748364 || (v == 214748364 && d > 7)) fits = false;
    else v = v * 10 + d;
    digits++;
    i++;
  }
  parsedOk = digits > 0 && fits;
  parsedValue = negative ? -<i32>v : <i32>v;
  return i;
}

/** Is the command at [i, end) M110, ended by a blank or the line's end (not M1100, M110.5)? */
function isM110(i: u32, end: u32): bool {
  return (
    end - i >= 4 &&
    upper(at(i)) == 77 &&
    at(i + 1) == 49 &&
    at(i + 2) == 49 &&
    at(i + 3) == 48 &&
    (i + 4 == end || at(i + 4) == 32 || at(i + 4) == 9)
  );
}

/**
 * The arguments of M110 at [i + 4, end): blanks, "(...)" comments and at most one N<number>.
 * Returns false for anything else (the line is refused and changes nothing); m110HasNumber and
 * parsedValue tell the number.
 */
let m110HasNumber = false;
function checkM110(i: u32, end: u32): bool {
  m110HasNumber = false;
  let j = i + 4;
  while (j < end) {
    const c = at(j);
    if (c == 32 || c == 9) {
      j++;
    } else if (c == 40) {
      while (j < end && at(j) != 41) j++;
      if (j == end) return false;
      j++;
    } else if (upper(c) == 78 && !m110HasNumber) {
      j = parseInt(j + 1, end);
      if (!parsedOk) return false;
      m110HasNumber = true;
    } else {
      return false;
    }
  }
  return true;
}

function endLine(): void {
  if (!hasContent && !damaged) {
    reset();
    return;
  }
  if (damaged) {
    // Bytes of this line were dropped (the ring was full): ask for it again.
    queue.push(Entry.ErrorOverflow, lastLineNumber, line, 0);
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
  let numberOk = true;
  let number: i32 = 0;
  if (start + 1 < length && upper(at(start)) == 78 && (isDigit(at(start + 1)) || at(start + 1) == 45)) {
    start = parseInt(start + 1, length);
    number = parsedValue;
    numberOk = parsedOk;
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
    } else if (invalid) {
      // A NUL, or two equal bytes, leave the XOR unchanged: the checksum cannot see them. Refused
      // before the number counts, with a resend request, so the line is not lost.
      queue.push(Entry.ErrorInvalidNumbered, lastLineNumber, line, 0);
    } else if (!numberOk) {
      queue.push(Entry.ErrorLineNumber, lastLineNumber, line, 0);
    } else if (isM110(start, end)) {
      if (!checkM110(start, end)) {
        queue.push(Entry.ErrorBadM110, lastLineNumber, line, 0);
      } else {
        lastLineNumber = m110HasNumber ? parsedValue : number;
        pushCommand(start, end);
      }
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
  } else if (invalid) {
    queue.push(Entry.ErrorInvalidCharacters, lastLineNumber, line, 0);
  } else if (isM110(start, end)) {
    if (!checkM110(start, end)) {
      queue.push(Entry.ErrorBadM110, lastLineNumber, line, 0);
    } else {
      if (m110HasNumber) lastLineNumber = parsedValue;
      pushCommand(start, end);
    }
  } else {
    pushCommand(start, end);
  }
  reset();
}

function pushCommand(start: u32, end: u32): void {
  queue.push(Entry.Command, lastLineNumber, line + start, end - start);
}
