// Where the firmware spends its cycles: turns a plumbsim --profile file into time per function,
// using the ELF's symbol table. npx tsx tools/sim/profile.ts build/<board>/firmware.elf profile.txt
import fs from "node:fs";
import { run } from "../build/exec.ts";

export interface FunctionTime {
  name: string;
  samples: number;
  percent: number;
}

export function profileByFunction(elf: string, profileFile: string): FunctionTime[] {
  const symbols = run("avr-nm", ["-S", "--defined-only", elf])
    .split("\n")
    .map((l) => /^([0-9a-f]+) ([0-9a-f]+) [tTwW] (\S+)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ start: parseInt(m[1], 16), end: parseInt(m[1], 16) + parseInt(m[2], 16), name: m[3] }))
    .sort((a, b) => a.start - b.start);
  const totals = new Map<string, number>();
  let all = 0;
  for (const line of fs.readFileSync(profileFile, "utf8").split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const [addr, n] = line.split(" ").map(Number);
    const sym = symbols.find((s) => addr >= s.start && addr < s.end);
    const name = sym ? sym.name.replace(/^w2c_assembly_/, "") : `?${addr.toString(16)}`;
    totals.set(name, (totals.get(name) ?? 0) + n);
    all += n;
  }
  return [...totals.entries()]
    .map(([name, samples]) => ({ name, samples, percent: (100 * samples) / all }))
    .sort((a, b) => b.samples - a.samples);
}

if (process.argv[1]?.endsWith("profile.ts")) {
  const [elf, file] = process.argv.slice(2);
  for (const f of profileByFunction(elf, file).slice(0, 30)) console.log(`${f.percent.toFixed(1).padStart(5)}%  ${f.name}`);
}
