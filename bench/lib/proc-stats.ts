// What a benchmark reads about a process from Linux /proc.
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far; Linux /proc, CLK_TCK 100. NaN elsewhere. */
export function cpuSecondsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime field 14, stime field 15 (1-based, man proc).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
