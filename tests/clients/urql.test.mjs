// urql (@urql/core with its document cache) against the live server: `time` and `point` with
// the __typename urql adds, a repeat answered from the cache, and a mutation that invalidates it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Client, cacheExchange, fetchExchange, gql } from '@urql/core';

import {
  ATTACK_ID,
  EDITOR,
  HMEIMIM_ID,
  HMEIMIM_POINT,
  HTTP_URL,
  READER,
  flightInput,
  recordingFetch,
  uniqueKey,
} from './live.mjs';

function client(token, fetch) {
  return new Client({
    url: HTTP_URL,
    exchanges: [cacheExchange, fetchExchange],
    fetch,
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
  });
}

const TIME_AND_POINT = gql`
  query TimeAndPoint($place: ID!) {
    events(filter: {types: [attack]}) { nodes { id time { start end precision } } }
    place: node(id: $place) { id ... on Location { point { latitude longitude precision } } }
  }
`;

const RECORD = gql`
  mutation Record($input: EventInput!) {
    recordEvent(input: $input) { id key time { start precision } }
  }
`;

test('a query with time and point, repeated from the cache, refetched after a mutation', async () => {
  const recorder = recordingFetch();
  const urql = client(EDITOR, recorder.fetch);
  const variables = { place: HMEIMIM_ID };

  const first = await urql.query(TIME_AND_POINT, variables).toPromise();
  assert.equal(first.error, undefined, first.error?.message);
  assert.equal(first.operation.context.meta.cacheOutcome, 'miss');
  const attack = first.data.events.nodes.find((event) => event.id === ATTACK_ID);
  assert.equal(attack.__typename, 'Event');
  assert.equal(attack.time.__typename, 'TimeSpan');
  assert.ok(attack.time.start.startsWith('2025-10-01'), attack.time.start);
  assert.equal(first.data.place.point.__typename, 'GeoPoint');
  assert.equal(first.data.place.point.latitude, HMEIMIM_POINT.latitude);
  assert.equal(first.data.place.point.longitude, HMEIMIM_POINT.longitude);
  assert.equal(recorder.sent.length, 1);
  assert.match(recorder.sent[0].document, /__typename/); // what urql sends, not what we wrote

  const repeat = await urql.query(TIME_AND_POINT, variables).toPromise();
  assert.equal(repeat.operation.context.meta.cacheOutcome, 'hit');
  assert.deepEqual(repeat.data, first.data);
  assert.equal(recorder.sent.length, 1, 'the repeat went to the server');

  // A mutation answering an Event invalidates the cached results that hold events.
  const key = uniqueKey('urql-flight');
  const recorded = await urql.mutation(RECORD, { input: flightInput(key, '2025-11-06') }).toPromise();
  assert.equal(recorded.error, undefined, recorded.error?.message);
  assert.equal(recorded.data.recordEvent.id, `Event:${key}`);
  assert.equal(recorded.data.recordEvent.time.__typename, 'TimeSpan');
  assert.ok(recorded.data.recordEvent.time.start.startsWith('2025-11-06'));
  assert.equal(recorder.sent.length, 2);
  const after = await urql.query(TIME_AND_POINT, variables).toPromise();
  assert.equal(after.operation.context.meta.cacheOutcome, 'miss');
  assert.equal(recorder.sent.length, 3);
});

test('a reader cannot record an event: the error says why', async () => {
  const key = uniqueKey('urql-refused');
  const refused = await client(READER).mutation(RECORD, { input: flightInput(key, '2025-11-06') }).toPromise();
  assert.equal(refused.data?.recordEvent ?? null, null);
  const [error] = refused.error.graphQLErrors;
  assert.equal(error.extensions.code, 'FORBIDDEN');
  assert.match(error.message, /editor/);
});
