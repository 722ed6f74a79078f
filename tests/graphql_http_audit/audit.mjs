// Runs graphql-http's GraphQL-over-HTTP audits against a server and prints the results as JSON:
// one {id, name, status, reason, response} per audit; status is ok, notice, warn or error.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = await auditServer({ url });
const report = await Promise.all(
  results.map(async (result) => {
    const entry = { id: result.id, name: result.name, status: result.status };
    if (result.status !== 'ok') {
      entry.reason = result.reason;
      const response = result.response;
      entry.response = {
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: await response.text().catch(() => '(body already read)'),
      };
    }
    return entry;
  }),
);
process.stdout.write(JSON.stringify(report));
