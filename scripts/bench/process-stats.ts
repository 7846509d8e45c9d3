import { readFileSync } from 'node:fs';

/**
 * CPU milliseconds (user and system) a process has used since it started: steadier than wall
 * time on a shared machine, where the apiserver and moto compete for the same cores.
 */
export function cpuMs(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // In clock ticks of USER_HZ, which Linux fixes at 100 for /proc on every architecture Node runs on.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

