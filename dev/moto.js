import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetch } from 'undici';
import { startProcess, waitUntil } from './child-process.js';
import { freePort } from './free-port.js';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** moto in server mode on a random loopback port: a real AWS API over HTTP. */
export async function startMoto() {
    const bin = execFileSync(join(repoRoot, 'scripts/moto.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    const dir = mkdtempSync(join(tmpdir(), 'aws-secrets-operator-moto-'));
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const moto = startProcess('moto', bin, ['-H', '127.0.0.1', '-p', String(port)], join(dir, 'moto.log'));
    const stop = async () => {
        await moto.stop();
        rmSync(dir, { recursive: true, force: true });
    };
    try {
        await waitUntil(moto, 'its API', async () => (await fetch(`${endpoint}/moto-api/`)).ok, 60_000);
    }
    catch (err) {
        await stop();
        throw err;
    }
    return {
        endpoint,
        async reset() {
            const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
            if (!res.ok)
                throw new Error(`moto reset failed: ${res.status}`);
        },
        stop,
    };
}
