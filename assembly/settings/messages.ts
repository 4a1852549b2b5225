// Why a settings record was not used, in words an owner can act on (serial and display).

import * as out from "../serial/out";
import { rom } from "../rom";
import * as settings from "./store";
import { LoadResult, SETTINGS_VERSION } from "./store";
import { setStatusNotice } from "../ui/status";

/** atBoot: the firmware now runs on factory defaults; otherwise nothing was changed. */
export function reportLoadFailure(r: LoadResult, atBoot: bool): void {
  if (r == LoadResult.Erased) {
    if (atBoot) out.line(rom("echo:No settings saved in EEPROM yet: using factory defaults"));
    else out.line(rom("Error:No settings saved in EEPROM; nothing changed"));
    return;
  }
  out.text(atBoot ? rom("echo:EEPROM settings not used: ") : rom("Error:EEPROM settings not loaded: "));
  switch (r) {
    case LoadResult.Foreign:
      out.text(rom("the EEPROM holds no Plumb settings (another firmware's, or corrupted)"));
      break;
    case LoadResult.OtherVersion:
      out.text(rom("they are settings version "));
      out.uint(settings.lastStoredVersion);
      out.text(rom(", this firmware reads version "));
      out.uint(SETTINGS_VERSION);
      break;
    case LoadResult.BadLength:
      out.text(rom("the record is "));
      out.uint(settings.lastStoredLength);
      out.text(rom(" bytes, expected "));
      out.uint(settings.recordBytes() - 10);
      out.text(rom(" (truncated or corrupted)"));
      break;
    case LoadResult.BadCrc:
      out.text(rom("checksum mismatch (stored "));
      out.uint(settings.lastStoredCrc);
      out.text(rom(", calculated "));
      out.uint(settings.lastComputedCrc);
      out.text(rom("): corrupted"));
      break;
    default:
      out.text(rom("a value is out of range (byte "));
      out.uint(settings.lastBadField - 1);
      out.text(rom(" of the record): corrupted"));
      break;
  }
  if (atBoot) {
    out.line(rom(". Using factory defaults; check them and save with M500"));
    setStatusNotice(rom("EEPROM bad: defaults")); // on the display until the owner clicks
  } else {
    out.line(rom("; nothing changed"));
  }
}
