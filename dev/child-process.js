import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
const running = new Set();
// Children must not outlive a test run that crashed or was interrupted.
process.once('exit', () => {
    for (const child of running)
        child.kill('SIGKILL');
});
/** Starts a long-running peer with its output in a log file, tracked for clean-up. */
export function startProcess(name, command, args, logFile, env) {
    const log = createWriteStream(logFile);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    running.add(child);
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const exited = new Promise((resolve) => {
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
        async stop(signal = 'SIGTERM') {
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
export async function waitUntil(started, what, check, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void started.exited.then(() => (exited = true));
    let lastError = '';
    while (Date.now() < deadline) {
        if (exited)
            throw new Error(`${started.name} exited before ${what}; see ${started.logFile}`);
        try {
            if (await check())
                return;
        }
        catch (err) {
            lastError = err.message;
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${started.name}: timed out after ${timeoutMs} ms waiting for ${what} (${lastError}); see ${started.logFile}`);
}
