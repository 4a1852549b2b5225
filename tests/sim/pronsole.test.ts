// A real host on the simulated printer's pty: pronsole, the console host of printrun
// (Pronterface's printcore underneath), as installed by tools/install-debian-packages.sh.
//
// How pronsole is driven, from reading printrun 2.0's pronsole.py and printcore.py:
// - `-e` commands run before pronsole sets up its logging, so printer lines arriving during them
//   are not printed (the banner would be lost), and `-e` skips the hook that marks an M114 as typed
//   by the user (without it the position report is not printed). So everything is typed on stdin
//   like at the prompt: `connect`, then M115 and M114 once the printer is online (printcore sends
//   M105 until a line starts with "ok" or "start"), and "exit" once both replies have been printed.
// - Opening the port resets the simulated board, as DTR does a real MiniRambo's, so the banner
//   arrives after pronsole has connected and it prints it like any printer line: "\r" + the line,
//   with an "echo:" prefix removed (pronsole.py recvcb).
// - HOME and the XDG directories point into a temporary directory: `connect` saves the port in
//   the rc file and the console keeps a history file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SimSession } from "../../tools/sim/session.ts";

const PRONSOLE = "pronsole";
/** The firmware's banner line, as the printer sends it after "start" (tests/sim/boot.test.ts). */
const BANNER = "echo:Plumb 0.1.0 on MiniRambo 1.3a (Prusa i3 MK2)";

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** pronsole as a child process whose stdout can be waited on. */
class Pronsole {
  output = "";
  private exitCode: number | null | undefined;
  private readonly changed = new Set<() => void>();

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    const collect = (b: Buffer): void => {
      this.output += b.toString("utf8");
      for (const f of [...this.changed]) f();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.stdin.on("error", () => {});
    child.on("close", (code) => {
      this.exitCode = code;
      for (const f of [...this.changed]) f();
    });
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Resolves with the first match of re in pronsole's output (stdout and stderr). */
  waitFor(re: RegExp, timeoutMs: number, what: string, explain: () => string): Promise<string> {
    return new Promise((resolve, reject) => {
      const poll = (): void => {
        const m = re.exec(this.output);
        if (m) {
          finish();
          resolve(m[0]);
        } else if (this.exitCode !== undefined) {
          finish();
          reject(new Error(`pronsole exited (code ${this.exitCode}) before ${what}\n${explain()}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${explain()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.changed.delete(poll);
      };
      this.changed.add(poll);
      poll();
    });
  }

  /** Waits for the exit; kills pronsole if it does not go within timeoutMs. */
  async exit(timeoutMs: number): Promise<number | null> {
    if (this.exitCode === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.child.kill("SIGKILL");
        }, timeoutMs);
        const done = (): void => {
          if (this.exitCode === undefined) return;
          clearTimeout(timer);
          this.changed.delete(done);
          resolve();
        };
        this.changed.add(done);
      });
    }
    return this.exitCode ?? null;
  }
}

test("pronsole (Debian package printrun) connects to the --pty, shows the firmware's banner and runs M115 and M114", { timeout: 180_000 }, async () => {
  const found = spawnSync(PRONSOLE, ["--version"], { encoding: "utf8" });
  assert.ok(!found.error && found.status === 0, `${PRONSOLE} does not run (Debian package printrun, see tools/install-debian-packages.sh): ${found.error?.message ?? found.stderr}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-pronsole-"));
  const pty = path.join(dir, "ttyPlumb");
  const rc = path.join(dir, "pronsolerc");
  fs.writeFileSync(rc, "");
  const session = await SimSession.start({ pty });
  let pronsole: Pronsole | undefined;
  try {
    const env = {
      ...process.env,
      HOME: dir,
      XDG_CONFIG_HOME: path.join(dir, "config"),
      XDG_CACHE_HOME: path.join(dir, "cache"),
      XDG_DATA_HOME: path.join(dir, "data"),
      PYTHONUNBUFFERED: "1",
      TERM: "dumb",
    };
    pronsole = new Pronsole(spawn(PRONSOLE, ["-c", rc], { env, stdio: ["pipe", "pipe", "pipe"] }));
    const p = pronsole;
    const explain = (): string => `pronsole output:\n${p.output.replace(/^/gm, "  | ")}\nharness: ${session.stderr.trim()}`;

    await p.waitFor(/Welcome to the printer console/, 60_000, "pronsole's console", explain);
    p.type(`connect ${pty} 115200`);
    await p.waitFor(/Printer is now online/, 60_000, "pronsole to see the printer online (its \"start\")", explain);
    // Opening the port reset the board: "start", the banner and the reset cause, in that order
    // (pronsole shows the banner without its "echo:").
    const banner = `(?:echo:)?${escapeRegExp(BANNER.slice("echo:".length))}`;
    const boot = await p.waitFor(
      new RegExp(`\\rstart\\s[^]*?\\r${banner}\\s[^]*?\\r(?:echo:)?reset by reset button or host`),
      30_000,
      `the banner ${JSON.stringify(BANNER)} after "start", then the reset cause`,
      explain,
    );
    assert.match(boot, new RegExp(`\\r${banner}\\s`), "pronsole shows the banner line");
    p.type("M115");
    p.type("M114");
    const name = await p.waitFor(/FIRMWARE_NAME:Plumb [^\r\n]*/, 30_000, "the M115 reply", explain);
    const position = await p.waitFor(/X:-?\d+\.\d+ Y:-?\d+\.\d+ Z:-?\d+\.\d+ E:-?\d+\.\d+ Count X:-?\d+ Y:-?\d+ Z:-?\d+/, 30_000, "the M114 reply", explain);
    assert.match(name, /PROTOCOL_VERSION:1\.0/);
    assert.match(position, / Count /);
    p.type("exit");
    assert.equal(await p.exit(30_000), 0, explain());

    const { report } = await session.close();
    assert.equal(report.exit, "stopped");
    const { hostConnects } = report.serial as { hostConnects?: number };
    assert.ok(hostConnects !== undefined && hostConnects >= 1, `the harness saw ${hostConnects} host connections`);
    // At least M105 (printcore's online check), M115 and M114 crossed the pty.
    assert.ok(report.serial.bytesIn >= "M105\nM115\nM114\n".length, `harness received ${report.serial.bytesIn} bytes`);
  } catch (e) {
    // What crossed the pty tells a host that sent nothing from a firmware that answered nothing.
    if (e instanceof Error && session.running) {
      const closed = await session.close().catch((c: Error) => c);
      e.message += closed instanceof Error ? `\n${closed.message}` : `\nharness report: serial ${JSON.stringify(closed.report.serial)}, exit "${closed.report.exit}"`;
    }
    throw e;
  } finally {
    if (pronsole) await pronsole.exit(0);
    await session.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
