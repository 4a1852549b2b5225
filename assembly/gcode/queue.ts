// Received lines waiting to run, in order. Each slot is a command, or a protocol error that
// still owes the host its reply, so every line gets its answer in the order it was sent.

export const LINE_MAX: u32 = 96; // characters of a command line, terminator excluded, as Prusa's MAX_CMD_SIZE
const SLOTS: u32 = 4;
const SLOT_BYTES: u32 = 8 + LINE_MAX; // kind u8, length u8, 2 spare, aux i32, text

export const enum Entry {
  Command = 0,
  ErrorChecksum = 1,
  ErrorNoChecksum = 2,
  ErrorLineNumber = 3,
  ErrorTooLong = 4,
  ErrorInvalidCharacters = 5,
  ErrorNoLineNumber = 6,
  /** A numbered line with bytes outside printable ASCII (asked for again). */
  ErrorInvalidNumbered = 7,
  /** Bytes of the line were dropped: the receive ring was full (asked for again). */
  ErrorOverflow = 8,
  /** M110 with arguments other than N<line number>. */
  ErrorBadM110 = 9,
  /** A command from the front panel (ui/commands.ts): runs like the host's, owes the host no reply. */
  Panel = 10,
}

const slots = memory.data(SLOTS * SLOT_BYTES);
let head: u32 = 0;
let count: u32 = 0;

export function freeSlots(): u32 {
  return SLOTS - count;
}

export function isEmpty(): bool {
  return count == 0;
}

/** Appends an entry; `aux` is the last good line number for errors. The caller checks room. */
export function push(kind: Entry, aux: i32, text: usize, length: u32): void {
  const slot = slots + ((head + count) % SLOTS) * SLOT_BYTES;
  store<u8>(slot, <u8>kind);
  store<u8>(slot + 1, <u8>length);
  store<i32>(slot + 4, aux);
  memory.copy(slot + 8, text, length);
  count++;
}

function front(): usize {
  return slots + head * SLOT_BYTES;
}

export function frontKind(): Entry {
  return <Entry>load<u8>(front());
}

export function frontAux(): i32 {
  return load<i32>(front() + 4);
}

export function frontText(): usize {
  return front() + 8;
}

export function frontLength(): u32 {
  return load<u8>(front() + 1);
}

export function pop(): void {
  head = (head + 1) % SLOTS;
  count--;
}
