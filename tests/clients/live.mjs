// What the client tests share: the live server tests/test_clients.py (or the first of the two
// replicas tests/test_replicas.py) started, its tokens, the seed story's facts they check
// against, and a fetch that keeps what it sent.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

/** A variable the Python test running these files sets (they are not run alone). */
export function required(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run these through tests/test_clients.py`);
  return value;
}

export const HTTP_URL = required('EVENTGRAPH_HTTP_URL');
export const WS_URL = required('EVENTGRAPH_WS_URL');
export const READER = required('EVENTGRAPH_READER_TOKEN');
export const EDITOR = required('EVENTGRAPH_EDITOR_TOKEN');

/** A key no other run has used, so events recorded here never collide. */
export function uniqueKey(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The seed story's attack on the base and the place it is at (the tests check these). */
export const ATTACK_ID = 'Event:hmeimim-2025-attack';
export const HMEIMIM_ID = 'Location:hmeimim';
export const HMEIMIM_POINT = { latitude: 35.4011, longitude: 35.9486 };

/** A `fetch` that records each request (method, URL, JSON body, the document it carries in
 * either) before sending it. */
export function recordingFetch() {
  const sent = [];
  const fetchAndRecord = (input, init = {}) => {
    const url = new URL(typeof input === 'string' ? input : input.url);
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const document = body?.query ?? url.searchParams.get('query') ?? undefined;
    sent.push({ method: init.method ?? 'GET', url, body, document });
    return fetch(input, init);
  };
  return { fetch: fetchAndRecord, sent };
}

/** A flight as `recordEvent` takes it: the Russian air force to Hmeimim on one day. */
export function flightInput(key, day, name = `Flight ${key}`) {
  return {
    key,
    type: 'flight',
    name,
    time: { start: day, precision: 'day' },
    destination: 'hmeimim-air-base',
    participants: [{ role: 'operator', ref: 'russian-air-force' }],
    claims: [{ source: 'flightradar24', credibility: 2, paraphrase: 'Seen on the tracker.' }],
  };
}

/** Every event key the API lists, read with a plain POST (no client library, no cache). */
export async function allEventKeys() {
  const response = await fetch(HTTP_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${READER}` },
    body: JSON.stringify({ query: '{ events(first: 500) { totalCount nodes { key } } }' }),
  });
  const { data, errors } = await response.json();
  assert.equal(errors, undefined);
  assert.equal(data.events.nodes.length, data.events.totalCount);
  return data.events.nodes.map((event) => event.key);
}
