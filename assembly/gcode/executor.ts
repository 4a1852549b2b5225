// Runs queued lines in order and gives each its one reply: "ok" after the command ran, or the
// protocol error (with a resend request where the host can fix it by resending) and "ok".

import * as queue from "./queue";
import { Entry } from "./queue";
import { dispatch, Reply } from "./dispatch";
import * as out from "../serial/out";
import { rom } from "../rom";
import * as keepalive from "../system/keepalive";
import { marker } from "../hal";
import { droppedBytes } from "../serial/receiver";
import { printTemperatures } from "./temperatureCommands";

/** Simulator timestamps (GPIOR0 writes) around each command, for benchmarks. */
export const MARK_COMMAND_START: u32 = 16;
export const MARK_COMMAND_END: u32 = 17;

export function runNext(): void {
  if (queue.isEmpty()) return;
  const kind = queue.frontKind();
  // The temperatures go on the "ok" line of M105, as Marlin answers it.
  let reply = Reply.Ok;
  if (kind == Entry.Command || kind == Entry.Panel) {
    keepalive.begin();
    marker(MARK_COMMAND_START);
    reply = dispatch(queue.frontText(), queue.frontLength());
    marker(MARK_COMMAND_END);
    keepalive.end();
  } else {
    protocolError(kind, queue.frontAux());
  }
  if (kind == Entry.Panel) {
    // The host did not send it: no "ok" (the host counts its own).
  } else if (reply == Reply.OkWithTemperatures) {
    out.text(rom("ok"));
    printTemperatures();
    out.newline();
  } else {
    out.line(rom("ok"));
  }
  queue.pop();
}

function protocolError(kind: Entry, lastLine: i32): void {
  out.text(rom("Error:"));
  switch (kind) {
    case Entry.ErrorChecksum:
      out.text(rom("checksum mismatch, Last Line: "));
      break;
    case Entry.ErrorNoChecksum:
      out.text(rom("No Checksum with line number, Last Line: "));
      break;
    case Entry.ErrorLineNumber:
      out.text(rom("Line Number is not Last Line Number+1, Last Line: "));
      break;
    case Entry.ErrorNoLineNumber:
      out.text(rom("No Line Number with checksum, Last Line: "));
      break;
    case Entry.ErrorInvalidNumbered:
      out.text(rom("Line holds bytes that are not printable ASCII, Last Line: "));
      break;
    case Entry.ErrorOverflow:
      out.text(rom("Receive buffer overflow: part of this line was lost ("));
      out.uint(droppedBytes);
      out.text(rom(" bytes dropped so far); send fewer lines ahead of the ok replies, Last Line: "));
      break;
    case Entry.ErrorBadM110:
      out.line(rom("M110 takes only N<line number>; not executed"));
      return;
    case Entry.ErrorTooLong:
      out.line(rom("Line too long (more than 96 characters); not executed"));
      return;
    default:
      out.line(rom("Line holds bytes that are not printable ASCII; not executed"));
      return;
  }
  out.int(lastLine);
  out.newline();
  out.text(rom("Resend: "));
  out.int(lastLine + 1);
  out.newline();
}
