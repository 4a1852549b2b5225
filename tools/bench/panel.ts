// The front panel's cost to the rest of the firmware, in simavr cycles: what one display call
// costs while a menu shows (the display draws one row or sends one byte per call from the idle
// loop, ui/display.ts), and all the display's calls for the 300 ms after a click opens a menu
// (its whole redraw and the refreshes after it). Step-interrupt cycles inside a call are not
// counted (the harness stamps them with the markers).
import { runSim } from "../sim/run.ts";

const MARK = { commandStart: "16", displayStart: "20", displayEnd: "21" };

export interface PanelBench {
  /** Median and largest cycles of one display call that had work to do, while menus show. */
  displayCallCyclesMedian: number;
  displayCallCyclesMax: number;
  /** Display cycles in the 300 ms after the click that opens Settings: render and write the new screen. */
  menuRedrawCycles: number;
  /** Display calls in that window. */
  menuRedrawCalls: number;
}

export async function measurePanel(): Promise<PanelBench> {
  // M118 stamps the command marker just before each click: the first click opens the main menu
  // (on its release, 100 ms later: from 150 ms after the marker on, only menus show); the second
  // opens Settings, and the redraw window starts there.
  const script = ["@wait 300", "M118 E1 panel", "@click", "@wait 300", "@r 2", "@wait 300", "M118 E1 panel", "@click", "@wait 300"].join("\n") + "\n";
  const r = await runSim({ input: script, maxSeconds: 30 });
  if (r.report.exit !== "done") throw new Error(`panel bench: harness ${r.report.exit}\n${r.stderr}`);
  const m = r.report.markers;
  const a = m[MARK.displayStart];
  const b = m[MARK.displayEnd];
  const mark = m[MARK.commandStart];
  if (!a || !b || !mark || mark.cycles.length < 2) throw new Error("panel bench: markers missing");
  const menusFrom = mark.cycles[mark.cycles.length - 2] + 0.15 * r.report.fcpu;
  const windowStart = mark.cycles[mark.cycles.length - 1];
  const windowEnd = windowStart + 0.3 * r.report.fcpu;
  const n = Math.min(a.cycles.length, b.cycles.length);
  const calls: { at: number; cycles: number }[] = [];
  for (let i = 0; i < n; i++) calls.push({ at: a.cycles[i], cycles: b.cycles[i] - a.cycles[i] - (b.isrCycles[i] - a.isrCycles[i]) });
  const inMenus = calls.filter((c) => c.at >= menusFrom);
  const window = calls.filter((c) => c.at >= windowStart && c.at < windowEnd);
  const sorted = inMenus.map((c) => c.cycles).sort((x, y) => x - y);
  return {
    displayCallCyclesMedian: sorted[Math.floor(sorted.length / 2)],
    displayCallCyclesMax: sorted[sorted.length - 1],
    menuRedrawCycles: window.reduce((s, c) => s + c.cycles, 0),
    menuRedrawCalls: window.length,
  };
}
