// The scrape server's bounds, on its own: a scraper that stops reading holds one of scrapesInFlightMax slots until
// its connection goes, the next request past the bound gets 503, and a page over responseBytesMax is a 500 naming it.
import { connect } from 'node:net';
import { pino } from 'pino';
import t from 'tap';
import { ResponseTooLargeError } from '../../runtime/integrations/metrics/exposition.js';
import { MetricsServer } from '../../runtime/integrations/metrics/metrics-server.js';
import { waitFor } from '../helpers/wait-for.js';

// larger than what loopback socket buffers on both ends take in, so the response cannot finish while nobody reads
const BIG_BYTES = 48 * 1048576;

t.test('busy past scrapesInFlightMax, free again when the slow scraper goes; too large is a 500', async (t) => {
  let page = 'x'.repeat(BIG_BYTES);
  let tooLarge = false;
  const server = new MetricsServer({
    host: '127.0.0.1',
    port: 0,
    path: '/metrics',
    scrapesInFlightMax: 1,
    render: () => {
      if (tooLarge) throw new ResponseTooLargeError(65536);
      return page;
    },
    logger: pino({ level: 'silent' }),
  });
  await server.listen();
  t.teardown(() => server.close());
  const port = server.port ?? 0;

  // a scraper that sends its request and never reads the answer
  const slow = connect(port, '127.0.0.1');
  t.teardown(() => slow.destroy());
  slow.pause();
  slow.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
  await waitFor(() => server.stats.scrapes === 1, 10000, 'the slow scrape to be answered');
  page = 'small 1\n';

  const busy = await fetch(`http://127.0.0.1:${port}/metrics`);
  t.equal(busy.status, 503);
  t.equal(busy.headers.get('retry-after'), '1');
  t.match(await busy.text(), /scrapesInFlightMax/);
  t.equal(server.stats.refusedBusy, 1);

  slow.destroy();
  const ok = await waitFor(
    async () => {
      const r = await fetch(`http://127.0.0.1:${port}/metrics`);
      return r.status === 200 ? r.text() : null;
    },
    10000,
    'the slot to be free once the slow scraper is gone',
  );
  t.equal(ok, 'small 1\n');

  tooLarge = true;
  const large = await fetch(`http://127.0.0.1:${port}/metrics`);
  t.equal(large.status, 500);
  t.match(await large.text(), /responseBytesMax/);
  t.equal(server.stats.refusedTooLarge, 1);

  await server.close();
  await server.close();
  t.equal(server.port, null, 'closed, twice');
});
