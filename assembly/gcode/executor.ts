// Runs queued lines in order and gives each its one reply: "ok" after the command ran, or the
// protocol error (with a resend request where the host can fix it by resending) and "ok".

import * as queue from "./queue";
import { Entry } from "./queue";
import { dispatch } from "./dispatch";
import * as out from "../serial/out";
import { rom } from "../rom";
import * as keepalive from "../system/keepalive";
import { marker } from "../hal";
import { printTemperatures } from "./temperatureCommands";

/** The command asked for the temperatures on its "ok" line (M105, as Marlin answers it). */
let temperaturesOnOk = false;

export function replyWithTemperatures(): void {
  temperaturesOnOk = true;
}

/** Simulator timestamps (GPIOR0 writes) around each command, for benchmarks. */
export const MARK_COMMAND_START: u32 = 16;
export const MARK_COMMAND_END: u32 = 17;

export function runNext(): void {
  if (queue.isEmpty()) return;
  const kind = queue.frontKind();
  if (kind == Entry.Command || kind == Entry.Panel) {
    keepalive.begin();
    marker(MARK_COMMAND_START);
    dispatch(queue.frontText(), queue.frontLength());
    marker(MARK_COMMAND_END);
    keepalive.end();
  } else {
    protocolError(kind, queue.frontAux());
  }
  if (kind == Entry.Panel) {
    // The host did not send it: no "ok" (the host counts its own).
    temperaturesOnOk = false;
  } else if (temperaturesOnOk) {
    temperaturesOnOk = false;
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
