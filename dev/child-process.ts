import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const running = new Set<ChildProcess>();

// Children must not outlive a test run that crashed or was interrupted.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Started {
  readonly name: string;
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM (SIGKILL after 5 s), or the given signal; resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a long-running peer with its output in a log file, tracked for clean-up. */
export function startProcess(name: string, command: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): Started {
  const log = createWriteStream(logFile);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  running.add(child);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
    child.once('error', (err) => {
      log.write(`failed to start ${command}: ${err.message}\n`);
      running.delete(child);
      resolve(-1);
    });
  });
  return {
    name,
    logFile,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

/** Polls `check` until it resolves true; fails early if the process exits. */
export async function waitUntil(started: Started, what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void started.exited.then(() => (exited = true));
  let lastError = '';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${started.name} exited before ${what}; see ${started.logFile}`);
    try {
      if (await check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${started.name}: timed out after ${timeoutMs} ms waiting for ${what} (${lastError}); see ${started.logFile}`);
}
