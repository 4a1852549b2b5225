// From a command line to its handler. One switch per letter; the handlers live in files by
// topic (reports.ts, motionCommands.ts, settingsCommands.ts, temperatureCommands.ts).
// While a fault is latched (system/fault.ts) only commands that neither move nor heat run
// (allowedWhileHalted); the others are refused with the fault's reason. The emergency commands
// (M112, M410, M108) were acted on when their line arrived (serial/receiver.ts); here they act
// again only where that is harmless, so a line the receiver's watch did not recognise still works.

import * as babystepCommands from "./babystepCommands";
import * as parser from "./parser";
import * as out from "../serial/out";
import { rom } from "../rom";
import * as reports from "./reports";
import * as motionCommands from "./motionCommands";
import * as settingsCommands from "./settingsCommands";
import * as temperatureCommands from "./temperatureCommands";
import * as printJobCommands from "./printJobCommands";
import * as calibrationCommands from "./calibrationCommands";
import * as probeCommands from "./probeCommands";
import * as levelingCommands from "./levelingCommands";
import { Letter } from "./letters";
import { faultActive, faultNeedsReset, faultReason, clearFault } from "../system/fault";
import { emergencyStop } from "../system/emergency";
import { breakWait } from "../system/wait";
import { abortMotion } from "../motion/motion";
import { setStatusText } from "../ui/status";
import { Activity, setActivity } from "../system/state";

/** What the command's "ok" carries. */
export const enum Reply {
  Ok = 0,
  /** M105: the temperatures on the ok line. */
  OkWithTemperatures = 1,
}

let reply = Reply.Ok;

export function dispatch(text: usize, length: u32): Reply {
  reply = Reply.Ok;
  run(text, length);
  setActivity(Activity.Idle);
  return reply;
}

function run(text: usize, length: u32): void {
  if (length == 0) return; // a numbered line with no command: just "ok"
  if (!parser.parseCommand(text, length)) {
    // Klipper's command names for the probe tools (PROBE_ACCURACY SAMPLES=20 ...).
    const w = parser.parseWord(text, length) ? probeCommands.word() : probeCommands.WordResult.Unknown;
    if (w == probeCommands.WordResult.Halted) refuseWhileHalted(text, length);
    else if (w == probeCommands.WordResult.Unknown) unknown(text, length);
    return;
  }
  const letter = parser.letter;
  const code = parser.code;
  if (faultActive() && !allowedWhileHalted(letter, code)) {
    refuseWhileHalted(text, length);
    return;
  }
  setActivity(letter == Letter.G && code == 28 ? Activity.Homing : Activity.Busy);
  const M = <u32>Letter.M;
  const G = <u32>Letter.G;
  // Commands whose arguments are free text.
  if (letter == M) {
    // M110's arguments were checked and its number taken when the line arrived (the receiver
    // refuses anything but N<line number>, which may have ten digits: more than a parameter holds).
    if (code == 110 && parser.subcode < 0) return;
    if (code == 115) return reports.m115();
    if (code == 117) return reports.m117();
    if (code == 118) return reports.m118();
    if (code == 862) {
      if (!reports.m862()) unknown(text, length);
      return;
    }
  }
  if (parser.subcode >= 0) {
    unknown(text, length);
    return;
  }
  if (!parser.parseParams()) {
    out.text(rom("Error:Malformed parameter in \""));
    out.chars(text, length);
    out.line(rom("\"; not executed"));
    return;
  }
  if (letter == G) {
    switch (code) {
      case 0:
      case 1:
        return motionCommands.g1();
      case 4:
        return motionCommands.g4();
      case 20:
        return printJobCommands.g20();
      case 21:
        return printJobCommands.g21();
      case 28:
        return motionCommands.g28();
      case 30:
        return probeCommands.g30();
      case 80:
        return levelingCommands.g80();
      case 81:
        return levelingCommands.g81();
      case 90:
        return motionCommands.g90();
      case 91:
        return motionCommands.g91();
      case 92:
        return motionCommands.g92();
    }
  } else if (letter == M) {
    switch (code) {
      case 17:
        return motionCommands.m17();
      case 18:
      case 84:
        return motionCommands.m84();
      case 44:
        return calibrationCommands.m44();
      case 45:
        return calibrationCommands.m45();
      case 48:
        return probeCommands.m48();
      case 82:
        return motionCommands.m82();
      case 83:
        return motionCommands.m83();
      case 92:
        return settingsCommands.m92();
      case 73:
        return printJobCommands.m73();
      case 104:
        return temperatureCommands.m104();
      case 105:
        if (temperatureCommands.m105()) reply = Reply.OkWithTemperatures;
        return;
      case 108:
        return breakWait();
      case 112:
        return emergencyStop();
      case 410:
        return abortMotion();
      case 420:
        return levelingCommands.m420();
      case 421:
        return levelingCommands.m421();
      case 290:
        return babystepCommands.m290();
      case 999:
        return m999();
      case 106:
        return temperatureCommands.m106();
      case 107:
        return temperatureCommands.m107();
      case 109:
        return temperatureCommands.m109();
      case 140:
        return temperatureCommands.m140();
      case 155:
        return temperatureCommands.m155();
      case 190:
        return temperatureCommands.m190();
      case 301:
        return temperatureCommands.m301();
      case 303:
        return temperatureCommands.m303();
      case 304:
        return temperatureCommands.m304();
      case 900:
        return printJobCommands.m900();
      case 113:
        return reports.m113();
      case 114:
        return motionCommands.m114();
      case 119:
        return motionCommands.m119();
      case 201:
        return settingsCommands.m201();
      case 203:
        return settingsCommands.m203();
      case 204:
        return settingsCommands.m204();
      case 205:
        return settingsCommands.m205();
      case 220:
        return motionCommands.m220();
      case 221:
        return motionCommands.m221();
      case 302:
        return motionCommands.m302();
      case 400:
        return motionCommands.m400();
      case 500:
        return settingsCommands.m500();
      case 501:
        return settingsCommands.m501();
      case 502:
        return settingsCommands.m502();
      case 503:
        return settingsCommands.m503();
      case 851:
        return settingsCommands.m851();
    }
  }
  unknown(text, length);
}

function unknown(text: usize, length: u32): void {
  out.text(rom("echo:Unknown command: \""));
  out.chars(text, length);
  out.line(rom("\""));
}

/**
 * Commands that neither move nor heat: reports, modes, settings, and the ways out of the fault.
 * A list of what is allowed, so that a command added later is refused while halted until it is
 * put here.
 */
function allowedWhileHalted(letter: u32, code: i32): bool {
  // G81: the mesh report, no motion.
  if (letter == Letter.G) return code == 81 || code == 90 || code == 91 || code == 92;
  if (letter != Letter.M) return false;
  switch (code) {
    case 18: // drivers off
    case 73: // progress
    case 104: // targets: the heater commands themselves refuse anything but 0 while halted
    case 140:
    case 106: // fans
    case 107:
    case 155:
    case 301:
    case 304:
    case 900:
    case 82:
    case 83:
    case 84:
    case 92:
    case 105:
    case 108:
    case 110:
    case 112:
    case 113:
    case 114:
    case 115:
    case 117:
    case 118:
    case 119:
    case 201:
    case 203:
    case 204:
    case 205:
    case 220:
    case 221:
    case 410:
    case 500:
    case 501:
    case 502:
    case 503:
    case 851:
    case 862:
    case 999:
      return true;
    case 420: // M420 V, the report; S and Z would change the leveling state: refused
      return parser.parseParams() && !parser.has(Letter.S) && !parser.has(Letter.Z);
  }
  return false;
}

function refuseWhileHalted(text: usize, length: u32): void {
  out.text(rom("Error:Printer halted by a fault ("));
  out.text(faultReason());
  out.text(rom("); not executed: \""));
  out.chars(text, length);
  if (faultNeedsReset()) out.line(rom("\". Reset the printer to continue."));
  else out.line(rom("\". M999 clears the fault."));
}

/** M999: clear a fault that allows it; M112's stays until a reset, as in Marlin. */
function m999(): void {
  if (!faultActive()) {
    out.line(rom("echo:No fault to clear"));
    return;
  }
  if (!clearFault()) {
    out.text(rom("Error:M999 cannot clear this fault ("));
    out.text(faultReason());
    out.line(rom("); reset the printer to continue"));
    return;
  }
  setStatusText(0, 0); // the status line shows the machine's name again
  out.line(rom("echo:Fault cleared; home the axes before moving (G28)"));
}
