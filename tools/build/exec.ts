// Run an external tool; on failure throw with its output so the build stops with the reason.
import { spawnSync } from "node:child_process";

export class ToolError extends Error {}

export function run(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.error) {
    const hint = (r.error as NodeJS.ErrnoException).code === "ENOENT" ? ` (is ${cmd} installed? .ci/run installs it)` : "";
    throw new ToolError(`${cmd}: ${r.error.message}${hint}`);
  }
  if (r.status !== 0) {
    throw new ToolError(`${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}
