// armorlake through node-postgres (npm pg). Prints one line per fact;
// test/clients_test.go checks them. Usage: node clients.js URL
const { Client } = require('pg');

(async () => {
  const c = new Client({ connectionString: process.argv[2] });
  await c.connect();
  let r = await c.query('SELECT namespace_name, count(*)::int AS n FROM alerts WHERE severity >= $1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 2', [5]);
  console.log('params', r.rows.length, typeof r.rows[0].n);
  r = await c.query('SELECT ts, event_data, atags FROM alerts ORDER BY ts LIMIT 1');
  console.log('types', r.rows[0].ts instanceof Date, typeof r.rows[0].event_data, Array.isArray(r.rows[0].atags));
  for (const level of ['Info', 'Error']) {
    r = await c.query({ name: 'by-level', text: 'SELECT count(*) FROM messages WHERE level = $1', values: [level] });
  }
  console.log('named', r.rows.length);
  try {
    await c.query('SELECT * FROM no_such_table');
  } catch (e) {
    console.log('error', e.code);
  }
  r = await c.query('SELECT 1 AS one; SELECT 2 AS two');
  console.log('multi', r.length);
  await c.end();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
