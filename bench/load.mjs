// The load generator, run as a second process so it does not share the
// server's event loop: one autocannon run, result as one JSON line on stdout.
import autocannon from 'autocannon';

const [url, body, duration, connections] = process.argv.slice(2);
const result = await autocannon({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
  duration: Number(duration),
  connections: Number(connections),
});
console.log(
  JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    rateLimited: result.statusCodeStats?.['429']?.count ?? 0,
    total: result.requests.total,
  }),
);
