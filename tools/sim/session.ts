// An interactive session with the simulated printer, for tests that must react to the firmware's
// replies (runSim in run.ts sends all its input up front).
//
//   const s = await SimSession.start();
//   await s.waitForLine(/^start$/);
//   await s.write("M115\n");
//   const name = await s.waitForLine((l) => l.startsWith("FIRMWARE_NAME:"));
//   const { report } = await s.close();
//
// Serial on stdin/stdout: the harness paces the bytes at 115200 baud in simulated time, keeps
// running while stdin is open, and exits once stdin is closed and every command line has had its
// "ok". With `pty` the serial port is a pty any host can open instead, and it behaves like a
// MiniRambo's USB port: each time a host opens it the board resets, so that host reads "start" and
// the banner; what the firmware prints while no host has it open is lost. close() then stops the
// harness with SIGTERM (or another signal); it still writes the EEPROM file and the report.

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { boardBuildDir, DEFAULT_BOARD, SIM_BINARY } from "../build/paths.ts";
import { harnessConfig, type Scenario } from "./config.ts";
import { addTruth, type SimReport } from "./run.ts";
import { loadBoard } from "../build/board.ts";


export interface SessionOptions {
  board?: string;
  scenario?: Scenario;
  /** Another image than build/<board>/firmware.hex. */
  hex?: string;
  /** EEPROM file (read at start, written at exit); default: a fresh erased EEPROM. */
  eeprom?: string;
  /**
   * Serial port on a pty: the harness makes PATH a symlink to it. Default: stdin/stdout. Opening
   * it resets the board (like DTR on a real MiniRambo); the firmware starts about
   * `resetHoldMs` later, once the host has finished opening the port.
   */
  pty?: string;
  /** pty mode: real-time milliseconds the board is held in reset after a host opens the port (default 100). */
  resetHoldMs?: number;
  /** Simulated seconds without output, after stdin closed, before the harness says "no answer". */
  timeoutSeconds?: number;
  /** Hard limit of simulated seconds. */
  maxSeconds?: number;
  /** Run no faster than real time (what a human or a host with real-time timeouts expects). */
  realtime?: boolean;
  extraArgs?: string[];
  /** Real-time limit for the harness to come up (pty mode: to announce its port). */
  startTimeoutMs?: number;
}

export interface SessionResult {
  exitCode: number;
  report: SimReport;
  /** Everything the harness wrote to stderr. */
  stderr: string;
}

export type LineMatch = RegExp | ((line: string) => boolean);

/** Real-time limits, generous: how fast the simulator runs depends on the machine and the image. */
export const DEFAULT_WAIT_MS = 10_000;
const DEFAULT_CLOSE_MS = 60_000;
const TAIL_LINES = 15;

// Sessions a test forgot to close must not outlive it: a harness with open stdin runs forever.
const live = new Set<SimSession>();
process.on("exit", () => {
  for (const s of live) s.disposeSync();
});

export class SimSession {
  /** The pty's path in pty mode, else undefined. */
  readonly ptyPath: string | undefined;

  private readonly child: ChildProcessWithoutNullStreams;
  private readonly dir: string;
  private readonly reportFile: string;
  private readonly boardName: string;
  private readonly output: string[] = [];
  private partial = "";
  private errText = "";
  /** Where waitForLine and nextLine continue: lines before it have been consumed. */
  private cursor = 0;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private readonly listeners = new Set<() => void>();
  private disposed = false;

  private constructor(opts: SessionOptions) {
    const board = opts.board ?? DEFAULT_BOARD;
    this.boardName = board;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumbsim-session-"));
    const config = path.join(this.dir, "sim.cfg");
    fs.writeFileSync(config, harnessConfig(board, opts.scenario));
    this.reportFile = path.join(this.dir, "report.json");
    this.ptyPath = opts.pty;
    const hex = opts.hex ?? path.join(boardBuildDir(board), "firmware.hex");
    const args = ["--hex", hex, "--config", config, "--report", this.reportFile];
    if (opts.eeprom) args.push("--eeprom", opts.eeprom);
    if (opts.pty) args.push("--pty", opts.pty);
    if (opts.timeoutSeconds !== undefined) args.push("--timeout", String(opts.timeoutSeconds));
    if (opts.maxSeconds !== undefined) args.push("--max-seconds", String(opts.maxSeconds));
    if (opts.realtime) args.push("--realtime");
    if (opts.resetHoldMs !== undefined) args.push("--reset-hold-ms", String(opts.resetHoldMs));
    if (opts.extraArgs) args.push(...opts.extraArgs);

    this.child = spawn(SIM_BINARY, args, { stdio: ["pipe", "pipe", "pipe"] });
    live.add(this);
    // The harness may exit (halt, crash) while we still write; the exit is reported instead.
    this.child.stdin.on("error", () => {});
    // latin1: one char per byte, so binary replies survive and lengths match the wire.
    this.child.stdout.setEncoding("latin1");
    this.child.stdout.on("data", (chunk: string) => this.onOutput(chunk));
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.errText += chunk;
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.on("error", (e) => {
        this.errText += `spawn ${SIM_BINARY}: ${e.message}\n`;
        this.exit ??= { code: null, signal: null };
        this.notify();
        resolve();
      });
      this.child.on("close", (code, signal) => {
        if (this.partial) this.output.push(this.partial);
        this.partial = "";
        this.exit = { code, signal };
        this.notify();
        resolve();
      });
    });
  }

  /**
   * Spawns the harness; in pty mode resolves once the pty exists and can be opened (the harness
   * announces it on stderr after it has configured the pty and closed its own side of it).
   */
  static async start(opts: SessionOptions = {}): Promise<SimSession> {
    const hex = opts.hex ?? path.join(boardBuildDir(opts.board ?? DEFAULT_BOARD), "firmware.hex");
    for (const f of [SIM_BINARY, hex]) {
      if (!fs.existsSync(f)) throw new Error(`${f} does not exist: run npx tsx tools/build/cli.ts first`);
    }
    const s = new SimSession(opts);
    if (opts.pty) {
      const announce = `plumbsim: serial port on ${opts.pty}`;
      try {
        await s.waitFor(() => (s.errText.split("\n").some((l) => l.startsWith(announce)) ? true : undefined), opts.startTimeoutMs ?? DEFAULT_WAIT_MS, `"${announce}" on stderr`);
      } catch (e) {
        await s.dispose();
        throw e;
      }
    }
    return s;
  }

  /** Every complete output line so far (without "\r\n"). */
  get lines(): readonly string[] {
    return this.output;
  }

  get stderr(): string {
    return this.errText;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Sends bytes to the serial port (a string is sent as latin1: one byte per char). */
  async write(data: string | Uint8Array): Promise<void> {
    this.requireStdio("write");
    if (this.exit) throw new Error(`plumbsim has exited (${this.describeExit()}); cannot write\n${this.tail()}`);
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    return new Promise((resolve, reject) => {
      this.child.stdin.write(bytes, (e) => (e ? reject(new Error(`writing to plumbsim: ${e.message}`)) : resolve()));
    });
  }

  /**
   * Waits for the next line, from the read position on, that matches; consumes it and every line
   * before it (like expect), so consecutive calls see replies in order. `from` restarts the search
   * at a line index (0: from the first line of output).
   */
  async waitForLine(match: LineMatch, timeoutMs = DEFAULT_WAIT_MS, from?: number): Promise<string> {
    this.requireStdio("waitForLine");
    if (from !== undefined) this.cursor = from;
    const test = typeof match === "function" ? match : (l: string) => match.test(l);
    const what = typeof match === "function" ? `a line matching ${match.name || "the predicate"}` : `a line matching ${match}`;
    return this.waitFor(() => {
      for (let i = this.cursor; i < this.output.length; i++) {
        if (test(this.output[i])) {
          this.cursor = i + 1;
          return this.output[i];
        }
      }
      return undefined;
    }, timeoutMs, what);
  }

  /** The next unread line, waiting for it if need be. */
  async nextLine(timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    this.requireStdio("nextLine");
    return this.waitFor(() => (this.cursor < this.output.length ? this.output[this.cursor++] : undefined), timeoutMs, "the next line");
  }

  /** Index of the next unread line (= lines.length when everything has been read). */
  get readPosition(): number {
    return this.cursor;
  }

  /**
   * Ends the session and returns the harness's report. stdin mode: closes stdin, so the harness
   * finishes once every command has had its "ok" (or gives up after --timeout simulated seconds).
   * pty mode: `signal` (SIGTERM unless told; the harness handles SIGINT alike). Kills the harness
   * if it has not exited after timeoutMs.
   */
  async close(timeoutMs = DEFAULT_CLOSE_MS, signal: NodeJS.Signals = "SIGTERM"): Promise<SessionResult> {
    if (this.disposed) throw new Error("the session is already closed");
    try {
      if (!this.exit) {
        if (this.ptyPath) this.child.kill(signal);
        else this.child.stdin.end();
      }
      await this.waitFor(() => (this.exit ? true : undefined), timeoutMs, "plumbsim to exit", true);
      let report: SimReport;
      try {
        report = addTruth(JSON.parse(fs.readFileSync(this.reportFile, "utf8")), loadBoard(this.boardName)) as SimReport;
      } catch {
        throw new Error(`plumbsim exited (${this.describeExit()}) without a report\n${this.tail()}`);
      }
      return { exitCode: this.exit?.code ?? -1, report, stderr: this.errText };
    } finally {
      await this.dispose();
    }
  }

  /** Kills the harness if it still runs and removes the temporary files; for cleanup after a failure. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.exit) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  /** dispose() for process exit, where nothing asynchronous runs any more. */
  disposeSync(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.exit) this.child.kill("SIGKILL");
    fs.rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  /** The last output lines and stderr, for failure messages. */
  tail(n = TAIL_LINES): string {
    const last = [...this.output.slice(-n), ...(this.partial ? [`${this.partial} (no newline yet)`] : [])];
    const shown = last.map((l) => `  | ${JSON.stringify(l).slice(1, -1)}`).join("\n");
    const err = this.errText.trim() ? `\nstderr:\n${this.errText.trim().split("\n").slice(-n).map((l) => `  | ${l}`).join("\n")}` : "";
    return `last output lines (${this.output.length} in all):\n${shown || "  (none)"}${err}`;
  }

  private onOutput(chunk: string): void {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    for (const p of parts) this.output.push(p.endsWith("\r") ? p.slice(0, -1) : p);
    if (parts.length) this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private describeExit(): string {
    if (!this.exit) return "running";
    const code = this.exit.signal ? `signal ${this.exit.signal}` : `code ${this.exit.code}`;
    let reason = "";
    try {
      reason = `, exit "${(JSON.parse(fs.readFileSync(this.reportFile, "utf8")) as SimReport).exit}"`;
    } catch {
      // no report (yet): killed, or set-up error
    }
    return `${code}${reason}`;
  }

  private requireStdio(what: string): void {
    if (this.ptyPath) throw new Error(`${what}: in pty mode the serial port is ${this.ptyPath}, not this session's stdin/stdout`);
  }

  /** Resolves with check()'s first defined result, re-checked on every output line and at exit. */
  private waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string, evenAfterExit = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        this.listeners.delete(poll);
        if (timer) clearTimeout(timer);
      };
      const poll = (): void => {
        const v = check();
        if (v !== undefined) {
          done();
          resolve(v);
        } else if (this.exit && !evenAfterExit) {
          done();
          reject(new Error(`plumbsim exited (${this.describeExit()}) while waiting for ${what}\n${this.tail()}`));
        }
      };
      this.listeners.add(poll);
      timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms (real time) waiting for ${what}\n${this.tail()}`));
      }, timeoutMs);
      poll();
    });
  }
}
