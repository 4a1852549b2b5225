// Texts for the display, checked at build time against its 20 columns (tools/build/romText.ts
// refuses a longer literal and names it), as Prusa's language files are checked. Both are
// flash texts (RomText) like rom(); the build replaces each call by its handle.

import { RomText } from "../rom";

/** A text that must fit one row of the display: at most 20 characters. */
export function lcdText(text: string): RomText {
  unreachable(); // replaced at build time, like rom()
  return 0;
}

/**
 * A menu line's label: at most 18 characters, between the cursor column (0) and the submenu
 * mark (column 19).
 */
export function menuLabel(text: string): RomText {
  unreachable();
  return 0;
}
