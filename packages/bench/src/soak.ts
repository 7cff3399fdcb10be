/**
 * The soak on loopback: the production build under a normal load (8 clients) alone, beside two
 * ordinary extra clients, and beside two hostile ones, in alternating rounds so that drift in the
 * machine falls on all three alike; bounded in count. The extra clients run in a process of their
 * own (soak-client.ts) and wait alike between requests, so the comparison is of what each request
 * costs the server. Every normal answer is checked right and every hostile one refused as it must
 * be; the server's memory is read before, at its peak and after settling.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Section } from './sections.ts';
import { percentile } from './measure.ts';
import { freePort, loadOnce, startWebApp } from './sections.ts';
import { normalKinds, PACE_MS, type ClientReport } from './soak-client.ts';

/** The resident memory of a process and all its descendants, in MB (Linux /proc). */
export function treeRss(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    try {
      kb += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      for (const child of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(child));
    } catch {
      // the process ended while it was read
    }
  };
  visit(pid);
  return kb / 1024;
}

/** Starts the extra clients' process; resolves once they are warm, with the function that stops them and gives their report. */
async function extraClients(config: Record<string, unknown>): Promise<() => Promise<ClientReport>> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./soak-client.ts', import.meta.url)), JSON.stringify(config)], {
    // tsx resolves from the bench package, whatever directory the bench was started in.
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done || first.value !== 'ready') throw new Error(`the soak's clients did not start: ${String(first.value)}`);
  return async () => {
    child.kill('SIGTERM');
    const last = await it.next();
    if (last.done) throw new Error("the soak's clients ended without a report");
    return JSON.parse(last.value) as ClientReport;
  };
}

export async function soakSection(o: { repoRoot: string; rounds: number; requests: number }): Promise<Section> {
  const server = await startWebApp(o.repoRoot, await freePort());
  try {
    const signIn = async (email: string, password: string) => {
      const r = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
      if (!r.ok || !cookie) throw new Error(`sign-in of ${email} failed: ${r.status}`);
      return cookie;
    };
    const viewer = await signIn('viewer@creditbook.local', 'creditbook-viewer');
    const editor = await signIn('editor@creditbook.local', 'creditbook-editor');
    const config = { url: server.url, viewer, editor, clients: 2, repoRoot: o.repoRoot };

    // The measured load: the normal requests in turn, each answer checked.
    const normal = normalKinds(server.url, viewer);
    const wrong: string[] = [];
    let turn = 0;
    const call = async () => {
      const kind = normal[turn++ % normal.length]!;
      const r = await kind.send(0);
      if (!kind.expect.includes(r.status) || (kind.contains !== undefined && !kind.contains.test(r.body))) wrong.push(`${kind.name}: ${r.status}`);
      return new Response(null, { status: r.status === 200 ? 200 : 500 });
    };
    const clients = 8;
    const per = Math.ceil(o.requests / o.rounds);
    const hostileSeen: ClientReport[] = [];
    const beside = async (kind: 'hostile' | 'ordinary') => {
      const stop = await extraClients({ ...config, kind });
      const load = await loadOnce(clients, per, call);
      const report = await stop();
      wrong.push(...report.wrong);
      if (kind === 'hostile') hostileSeen.push(report);
      return load.latencies;
    };

    // Warm up at full load, then let the server settle: that is the baseline.
    await beside('ordinary');
    await beside('hostile');
    await new Promise((r) => setTimeout(r, 2_000));
    const baseline = treeRss(server.pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, treeRss(server.pid))), 200);
    const alone: number[] = [];
    const ordinary: number[] = [];
    const hostile: number[] = [];
    hostileSeen.length = 0;
    try {
      for (let r = 0; r < o.rounds; r++) {
        alone.push(...(await loadOnce(clients, per, call)).latencies);
        ordinary.push(...(await beside('ordinary')));
        hostile.push(...(await beside('hostile')));
      }
    } finally {
      clearInterval(sampler);
    }
    // Memory settles back once the attack stops: sampled for up to 30 s.
    let after = treeRss(server.pid);
    for (let t = 0; t < 60 && after > baseline * 1.25; t++) {
      await new Promise((r) => setTimeout(r, 500));
      after = treeRss(server.pid);
    }
    if (wrong.length > 0) throw new Error(`the soak saw wrong answers:\n${[...new Set(wrong)].slice(0, 20).join('\n')}`);
    const statuses: Record<string, Record<string, number>> = {};
    for (const rep of hostileSeen)
      for (const [name, byStatus] of Object.entries(rep.statuses))
        for (const [status, n] of Object.entries(byStatus)) (statuses[name] ??= {})[status] = (statuses[name][status] ?? 0) + n;
    const sent = hostileSeen.reduce((a, r) => a + r.sent, 0);
    const a95 = percentile(alone, 95);
    const q95 = percentile(ordinary, 95);
    const h95 = percentile(hostile, 95);
    const ms = (x: number) => x / 1e3;
    return {
      id: 'soak',
      title: `soak: ${o.requests} normal requests from ${clients} clients, alone, beside 2 ordinary clients and beside 2 hostile clients (next start, loopback)`,
      contenders: [
        { name: 'p50, normal requests alone', median: ms(percentile(alone, 50)), unit: 's', samples: [] },
        { name: 'p95, normal requests alone', median: ms(a95), unit: 's', samples: [] },
        { name: 'p50, normal requests beside 2 ordinary clients', median: ms(percentile(ordinary, 50)), unit: 's', samples: [] },
        { name: 'p95, normal requests beside 2 ordinary clients', median: ms(q95), unit: 's', samples: [] },
        { name: 'p50, normal requests beside 2 hostile clients', median: ms(percentile(hostile, 50)), unit: 's', samples: [] },
        { name: 'p95, normal requests beside 2 hostile clients', median: ms(h95), unit: 's', samples: [] },
        { name: 'server RSS, baseline', median: baseline, unit: 'MB', samples: [] },
        { name: 'server RSS, peak', median: peak, unit: 'MB', samples: [] },
        { name: 'server RSS, after settling', median: after, unit: 'MB', samples: [] },
      ],
      ratios: [
        { name: 'p95 of normal requests beside 2 hostile clients / beside 2 ordinary ones', value: h95 / q95, goal: '<= 1.25x', met: h95 / q95 <= 1.25 },
        { name: 'server RSS after settling / baseline', value: after / baseline, goal: '<= 1.25x', met: after / baseline <= 1.25 },
      ],
      notes: [
        `${sent} hostile requests, every one refused as expected: ${Object.entries(statuses)
          .map(
            ([name, byStatus]) =>
              `${name} ${Object.entries(byStatus)
                .map(([s, n]) => `${n}×${s}`)
                .join(' ')}`,
          )
          .join('; ')}`,
        `every normal answer was 200 and the quote its card's 105 credits; ${o.rounds} rounds alternate the three loads`,
        `the extra clients run in a process of their own and wait ${PACE_MS} ms between requests, hostile or ordinary alike: the ratio is what the hostile requests cost the normal ones against what two more ordinary users cost (a flood of requests is the proxy's to limit)`,
        'the load generator, the extra clients and the server share the same 2 cores',
      ],
    };
  } finally {
    server.stop();
  }
}
