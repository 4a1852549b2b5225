// npm run build [-- --board NAME] [--no-sim]
// Builds build/<board>/firmware.hex (default board: minirambo), size.json, and the simulator.

import path from "node:path";
import { DEFAULT_BOARD, ROOT } from "./paths.ts";
import { compileFirmwareModule, buildBoardImage } from "./firmware.ts";
import { formatSize } from "./avr.ts";
import { buildSimulator } from "../sim/build.ts";

function parseArgs(argv: string[]): { board: string; sim: boolean } {
  let board = DEFAULT_BOARD;
  let sim = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--board") board = argv[++i] ?? "";
    else if (a.startsWith("--board=")) board = a.slice(8);
    else if (a === "--no-sim") sim = false;
    else if (a === "--help" || a === "-h") {
      console.log("usage: npm run build [-- --board NAME] [--no-sim]");
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  if (!board) throw new Error("--board needs a board name");
  return { board, sim };
}

async function main(): Promise<void> {
  const { board, sim } = parseArgs(process.argv.slice(2));
  const compiled = await compileFirmwareModule();
  const build = buildBoardImage(board, compiled);
  console.log(`plumb: ${path.relative(ROOT, build.hex)}`);
  console.log(formatSize(build.size));
  if (sim) {
    const bin = await buildSimulator();
    console.log(`plumb: simulator ${path.relative(ROOT, bin)}`);
  }
}

main().catch((e: Error) => {
  console.error(`plumb build: ${e.message}`);
  process.exit(1);
});
