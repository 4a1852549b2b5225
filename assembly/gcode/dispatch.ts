// From a command line to its handler. One switch per letter; the handlers live in files by
// topic (reports.ts, motionCommands.ts, settingsCommands.ts, temperatureCommands.ts).

import * as parser from "./parser";
import * as out from "../serial/out";
import { rom } from "../rom";
import * as reports from "./reports";
import * as motionCommands from "./motionCommands";
import * as settingsCommands from "./settingsCommands";
import * as temperatureCommands from "./temperatureCommands";
import * as printJobCommands from "./printJobCommands";

const G: u32 = 71;
const M: u32 = 77;

export function dispatch(text: usize, length: u32): void {
  if (length == 0) return; // a numbered line with no command: just "ok"
  if (!parser.parseCommand(text, length)) {
    unknown(text, length);
    return;
  }
  const letter = parser.letter;
  const code = parser.code;
  // Commands whose arguments are free text.
  if (letter == M) {
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
        return temperatureCommands.m105();
      case 106:
        return temperatureCommands.m106();
      case 107:
        return temperatureCommands.m107();
      case 108:
        return temperatureCommands.m108();
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
      case 110:
        return; // the line number was taken when the line arrived (serial/receiver.ts)
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
