// Shared by the benchmarks: the median of samples and a child process's CPU time.
import { readFileSync } from "node:fs";

/** The median (the mean of the two middle samples for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** utime + stime of a process (all its threads) so far, in seconds (Linux /proc; USER_HZ = 100). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // fields 14 and 15, in clock ticks
}
