/**
 * `make chaos`: the fault scenarios of the suite at full size, one after another, each with its own
 * control plane and moto. Each scenario prints a `CHAOS {json}` line; this prints them together
 * against the targets of issue #7. CHAOS_ONLY=name[,name] runs some of them.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const scenarios = ['apiserver-outage', 'stalled-connection', 'hostile-input', 'aws-faults', 'operator-kill'];
const only = process.env.CHAOS_ONLY?.split(',');
const results: Array<Record<string, any>> = [];
let failed = 0;

for (const name of scenarios.filter((s) => !only || only.includes(s))) {
  console.log(`\n== ${name}`);
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, `${name}.ts`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('CHAOS ')) continue;
        try {
          results.push(JSON.parse(line.slice('CHAOS '.length)));
        } catch {
          results.push({ scenario: name, unreadable: line });
        }
      }
    });
    child.once('exit', resolve);
  });
  if (code !== 0) {
    failed++;
    console.log(`== ${name} failed (exit ${code}) after ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

console.log('\n== figures');
for (const r of results) {
  const { scenario, ...figures } = r;
  console.log(`${String(scenario).padEnd(20)} ${JSON.stringify(figures)}`);
}
process.exitCode = failed ? 1 : 0;
