// graphql-ws (with `ws` as Node's WebSocket) against the live server, anonymous read off: the
// token in connection_init, an event recorded through the API arriving on `eventRecorded`, and
// bad or missing tokens refused with close code 4403.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

import { EDITOR, HTTP_URL, READER, WS_URL, flightInput, uniqueKey } from './live.mjs';

function client(connectionParams, closed = () => {}) {
  return createClient({
    url: WS_URL,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    shouldRetry: () => false,
    on: { closed },
  });
}

async function recordFlight(key, name) {
  const response = await fetch(HTTP_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${EDITOR}` },
    body: JSON.stringify({
      query: 'mutation($input: EventInput!) { recordEvent(input: $input) { key } }',
      variables: { input: flightInput(key, '2025-11-07', name) },
    }),
  });
  const answer = await response.json();
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data.recordEvent.key;
}

test('an event recorded through the API reaches the subscriber, with time and __typename', async () => {
  const marker = uniqueKey('ws-flight'); // only our events pass the subscription's filter
  const ws = client({ Authorization: `Bearer ${READER}` });
  const events = ws.iterate({
    query: `subscription Recorded($filter: EventFilter) {
      eventRecorded(filter: $filter) {
        __typename id key name type time { __typename start end precision }
      }
    }`,
    variables: { filter: { types: ['flight'], text: marker } },
  });
  const arrived = events.next();
  // The server starts listening once it has the subscribe message; record until one arrives
  // (each a new event), so the test does not depend on how soon that is.
  const recorded = [];
  let result;
  for (let attempt = 1; attempt <= 15 && result === undefined; attempt += 1) {
    recorded.push(await recordFlight(`${marker}-${attempt}`, `Flight ${marker} ${attempt}`));
    result = await Promise.race([arrived, sleep(2000).then(() => undefined)]);
  }
  assert.ok(result, 'no event arrived within 30 s');
  assert.equal(result.done, false);
  const event = result.value.data.eventRecorded;
  assert.ok(recorded.includes(event.key), `${event.key} is not one of ${recorded}`);
  assert.equal(event.__typename, 'Event');
  assert.equal(event.type, 'flight');
  assert.equal(event.time.__typename, 'TimeSpan');
  assert.equal(event.time.precision, 'day');
  assert.ok(event.time.start.startsWith('2025-11-07'), event.time.start);
  await events.return();
  await ws.dispose();
});

async function closeCode(connectionParams) {
  let code;
  const ws = client(connectionParams, (event) => {
    code = event.code;
  });
  const events = ws.iterate({ query: 'subscription { eventRecorded { key } }' });
  await assert.rejects(events.next());
  await ws.dispose();
  return code;
}

test('a bad token, or none, is refused with close code 4403', async () => {
  assert.equal(await closeCode({ Authorization: 'Bearer eg_not_a_token' }), 4403);
  assert.equal(await closeCode({}), 4403);
});
