// npm run sim -- [--board B] [--pty PATH] [--realtime] [--eeprom FILE] [--scenario FILE]
//                [--report FILE] [--trace-steps FILE] [--trace-isr FILE] [--pace-by-ok]
//                [--profile FILE [--profile-marker ID]] [--reset-hold-ms MS] [--console]
//
// Runs the real build/<board>/firmware.hex in the simulated printer. Without --pty the serial
// port is stdin/stdout: `printf 'M115\nM114\n' | npm run --silent sim` prints the replies and
// exits once stdin is closed and every command has had its "ok"; --pace-by-ok sends each line
// only once the previous one had its ok, as a printing host does. With --pty PATH any serial
// host (Pronterface, OctoPrint, pronsole) can connect to PATH; opening the port resets the
// board, as on a real MiniRambo. --console is for typing G-code by hand: real time, until
// Ctrl-D. EEPROM persists in build/<board>/eeprom.bin unless --eeprom says.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { boardBuildDir, DEFAULT_BOARD, SIM_BINARY } from "../build/paths.ts";
import { harnessConfig, loadScenario } from "./config.ts";
import { loadBoard } from "../build/board.ts";
import { addTruth } from "./run.ts";

function main(): void {
  const argv = process.argv.slice(2);
  let board = DEFAULT_BOARD;
  let scenarioFile: string | undefined;
  let eeprom: string | undefined;
  let console_ = false;
  let reportFile: string | undefined;
  const pass: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--board") board = value();
    else if (a === "--scenario") scenarioFile = value();
    else if (a === "--eeprom") eeprom = value();
    else if (a === "--console") console_ = true;
    else if (a === "--realtime" || a === "--keep-running" || a === "--pace-by-ok" || a === "--show-lcd") pass.push(a);
    else if (a === "--report") pass.push(a, (reportFile = value()));
    else if (["--pty", "--trace-steps", "--trace-isr", "--timeout", "--max-seconds", "--settle-ms", "--profile", "--profile-marker", "--reset-hold-ms"].includes(a)) {
      pass.push(a, value());
    }
    else if (a === "--help" || a === "-h") {
      console.log(
        "usage: npm run sim -- [--board B] [--pty PATH] [--realtime] [--eeprom FILE] [--scenario FILE] [--report FILE]\n" +
          "                      [--trace-steps FILE] [--trace-isr FILE] [--pace-by-ok] [--profile FILE [--profile-marker ID]]\n" +
          "                      [--reset-hold-ms MS] [--console]",
      );
      return;
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  const hex = path.join(boardBuildDir(board), "firmware.hex");
  if (!fs.existsSync(hex)) throw new Error(`${hex} does not exist: run npm run build -- --board ${board} first`);
  if (!fs.existsSync(SIM_BINARY)) throw new Error(`${SIM_BINARY} does not exist: run npm run build first`);
  const cfg = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plumbsim-")), "sim.cfg");
  fs.writeFileSync(cfg, harnessConfig(board, loadScenario(scenarioFile)));
  const args = ["--hex", hex, "--config", cfg, "--eeprom", eeprom ?? path.join(boardBuildDir(board), "eeprom.bin"), ...pass];
  if (console_) {
    args.push("--realtime", "--timeout", "3600", "--show-lcd");
    process.stderr.write(
      "plumbsim: simulated printer running; type G-code (e.g. M115, G28, G1 X50 F3000), Ctrl-D to quit\n" +
        "plumbsim: the knob: @r [N] / @l [N] turn right / left, @c click, @p long press, @lcd the screen\n",
    );
  }
  const child = spawn(SIM_BINARY, args, { stdio: "inherit" });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  child.on("close", (code) => {
    fs.rmSync(path.dirname(cfg), { recursive: true, force: true });
    // The harness writes the model's truth as a raw list; name it (tools/sim/truth.ts).
    if (reportFile && fs.existsSync(reportFile)) {
      const report = JSON.parse(fs.readFileSync(reportFile, "utf8"));
      fs.writeFileSync(reportFile, JSON.stringify(addTruth(report, loadBoard(board)), null, 2) + "\n");
    }
    process.exit(code ?? 1);
  });
}

try {
  main();
} catch (e) {
  console.error(`plumb sim: ${(e as Error).message}`);
  process.exit(1);
}
