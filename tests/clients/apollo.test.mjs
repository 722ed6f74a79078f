// Apollo Client 4 against the live server: relay-style paging through every page, normalised
// entities, `time` and `point` with the __typename Apollo adds, a mutation, and automatic
// persisted queries through PersistedQueryLink (over POST and over GET), and a coreference review
// item with its alternatives.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { test } from 'node:test';

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { relayStylePagination } from '@apollo/client/utilities';

import {
  ATTACK_ID,
  EDITOR,
  HMEIMIM_ID,
  HMEIMIM_POINT,
  HTTP_URL,
  READER,
  allEventKeys,
  flightInput,
  recordingFetch,
  uniqueKey,
} from './live.mjs';

function cache() {
  return new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          events: relayStylePagination(['filter', 'orderBy']),
          timeline: relayStylePagination(['entity', 'window']),
          relations: relayStylePagination(['filter']),
        },
      },
    },
  });
}

function client({ token = READER, link } = {}) {
  return new ApolloClient({
    cache: cache(),
    link: link ?? new HttpLink({ uri: HTTP_URL, headers: { authorization: `Bearer ${token}` } }),
  });
}

const EVENTS_PAGE = gql`
  query EventsPage($first: Int!, $after: String) {
    events(first: $first, after: $after) {
      totalCount
      edges { cursor node { id key name } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

test('fetchMore walks every page of events into one relay-style list', async () => {
  const expected = await allEventKeys();
  const apollo = client();
  const watched = apollo.watchQuery({ query: EVENTS_PAGE, variables: { first: 2 } });
  const first = await new Promise((resolve, reject) => {
    const subscription = watched.subscribe({
      next: (result) => {
        if (result.data) {
          subscription.unsubscribe();
          resolve(result.data);
        }
      },
      error: reject,
    });
  });
  assert.equal(first.events.edges.length, 2);
  let pageInfo = first.events.pageInfo;
  let pages = 1;
  while (pageInfo.hasNextPage) {
    const more = await watched.fetchMore({ variables: { after: pageInfo.endCursor } });
    pageInfo = more.data.events.pageInfo;
    pages += 1;
    assert.ok(pages <= expected.length, 'paging does not end');
  }
  const merged = apollo.readQuery({ query: EVENTS_PAGE, variables: { first: 2 } });
  const keys = merged.events.edges.map((edge) => edge.node.key);
  assert.equal(pages, Math.ceil(expected.length / 2));
  assert.equal(new Set(keys).size, keys.length, 'an event arrived twice');
  assert.deepEqual([...keys].sort(), [...expected].sort());
  assert.equal(merged.events.totalCount, expected.length);
});

const TIMELINE_PAGE = gql`
  query TimelinePage($entity: ID!, $first: Int!, $after: String) {
    timeline(entity: $entity, first: $first, after: $after) {
      totalCount
      edges { cursor node { id key time { start end precision } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

test('fetchMore walks a place timeline (a connection) page by page, in time order', async () => {
  const entity = 'Asset:hmeimim-air-base';
  const whole = await client().query({ query: TIMELINE_PAGE, variables: { entity, first: 500 } });
  const expected = whole.data.timeline.edges.map((edge) => edge.node.key);
  assert.ok(expected.length > 2, 'the air base has a timeline of several events');
  const apollo = client();
  const variables = { entity, first: 2 };
  let page = (await apollo.query({ query: TIMELINE_PAGE, variables })).data.timeline;
  const watched = apollo.watchQuery({ query: TIMELINE_PAGE, variables });
  while (page.pageInfo.hasNextPage) {
    const more = await watched.fetchMore({ variables: { after: page.pageInfo.endCursor } });
    page = more.data.timeline;
  }
  const merged = apollo.readQuery({ query: TIMELINE_PAGE, variables }).timeline;
  assert.deepEqual(merged.edges.map((edge) => edge.node.key), expected); // same order, once each
  assert.equal(merged.totalCount, expected.length);
  assert.equal(merged.edges[0].node.time.__typename, 'TimeSpan');
});

test('relations filtered by type answer through the cache with their time spans', async () => {
  const { data } = await client().query({
    query: gql`
      {
        relations(filter: {involving: "Actor:russia"}, first: 50) {
          totalCount
          nodes { id type since { start precision } from { ... on Actor { id name } } }
        }
      }
    `,
  });
  assert.ok(data.relations.totalCount > 0);
  assert.equal(data.relations.nodes.length, data.relations.totalCount);
  for (const relation of data.relations.nodes) {
    assert.equal(relation.__typename, 'Relation');
    if (relation.since) assert.equal(relation.since.__typename, 'TimeSpan');
  }
});

test('the same node from two queries is one entity in the cache, by id', async () => {
  const apollo = client();
  const byId = await apollo.query({
    query: gql`query Attack($id: ID!) { node(id: $id) { id ... on Event { name } } }`,
    variables: { id: ATTACK_ID },
  });
  const listed = await apollo.query({
    query: gql`{ events(filter: {types: [attack]}) { edges { node { id type } } } }`,
  });
  assert.equal(byId.data.node.__typename, 'Event');
  assert.ok(listed.data.events.edges.some((edge) => edge.node.id === ATTACK_ID));
  const ref = apollo.cache.identify({ __typename: 'Event', id: ATTACK_ID });
  assert.equal(ref, `Event:${ATTACK_ID}`);
  const entries = Object.keys(apollo.cache.extract()).filter((key) => key.includes(ATTACK_ID));
  assert.deepEqual(entries, [ref]);
  const entity = apollo.cache.extract()[ref];
  assert.equal(entity.name, 'Rebel attack on Hmeimim air base'); // from the first query
  assert.equal(entity.type, 'attack'); // from the second
});

test('time and point come back with the __typename Apollo adds to every selection', async () => {
  const { data } = await client().query({
    query: gql`
      query TimeAndPoint($place: ID!) {
        events(filter: {types: [attack]}) {
          edges { node { id time { start end precision yearAssumed } } }
        }
        place: node(id: $place) {
          id
          ... on Location { name point { latitude longitude precision uncertaintyKm } }
        }
      }
    `,
    variables: { place: HMEIMIM_ID },
  });
  const attack = data.events.edges.find((edge) => edge.node.id === ATTACK_ID).node;
  assert.equal(attack.time.__typename, 'TimeSpan');
  assert.equal(attack.time.precision, 'month'); // "earlier this month": the month, no day
  assert.ok(attack.time.start.startsWith('2025-10-01'), attack.time.start);
  assert.equal(attack.time.yearAssumed, true);
  assert.equal(data.place.__typename, 'Location');
  assert.equal(data.place.point.__typename, 'GeoPoint');
  assert.equal(data.place.point.latitude, HMEIMIM_POINT.latitude);
  assert.equal(data.place.point.longitude, HMEIMIM_POINT.longitude);
});

test('recordEvent with an editor token answers with the event and its time', async () => {
  const apollo = client({ token: EDITOR });
  const key = uniqueKey('apollo-flight');
  const { data } = await apollo.mutate({
    mutation: gql`
      mutation Record($input: EventInput!) {
        recordEvent(input: $input) { id key name time { start end precision } }
      }
    `,
    variables: { input: flightInput(key, '2025-11-05') },
  });
  assert.equal(data.recordEvent.id, `Event:${key}`);
  assert.equal(data.recordEvent.time.__typename, 'TimeSpan');
  assert.equal(data.recordEvent.time.precision, 'day');
  assert.ok(data.recordEvent.time.start.startsWith('2025-11-05'), data.recordEvent.time.start);
  const ref = apollo.cache.identify({ __typename: 'Event', id: `Event:${key}` });
  assert.equal(apollo.cache.extract()[ref].key, key);

  const reader = await client().query({
    query: gql`query Recorded($id: ID!) { node(id: $id) { id ... on Event { name } } }`,
    variables: { id: `Event:${key}` },
  });
  assert.equal(reader.data.node.name, `Flight ${key}`);
});

function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}

function persistedClient(options = {}) {
  const recorder = recordingFetch();
  const link = ApolloLink.from([
    new PersistedQueryLink({ sha256, ...options }),
    new HttpLink({ uri: HTTP_URL, headers: { authorization: `Bearer ${READER}` }, fetch: recorder.fetch }),
  ]);
  return { apollo: client({ link }), sent: recorder.sent };
}

/** A document the server has never seen (a fresh alias), so its first request must miss. */
function freshQuery() {
  const alias = `attack_${randomUUID().replace(/-/g, '')}`;
  return gql`query Fresh($id: ID!) { ${alias}: node(id: $id) { id ... on Event { name } } }`;
}

test('persisted queries: a hash-only miss, the registering request, then hash only', async () => {
  const query = freshQuery();
  const first = persistedClient();
  const answer = await first.apollo.query({ query, variables: { id: ATTACK_ID } });
  assert.equal(Object.values(answer.data)[0].name, 'Rebel attack on Hmeimim air base');
  assert.equal(first.sent.length, 2);
  const [miss, register] = first.sent;
  assert.equal(miss.method, 'POST');
  assert.equal(miss.body.query, undefined);
  const hash = miss.body.extensions.persistedQuery.sha256Hash;
  assert.equal(miss.body.extensions.persistedQuery.version, 1);
  assert.equal(register.body.query.length > 0, true);
  assert.equal(sha256(register.body.query), hash);
  assert.equal(register.body.extensions.persistedQuery.sha256Hash, hash);

  const second = persistedClient(); // another client: its own cache, so it asks the server
  const again = await second.apollo.query({ query, variables: { id: ATTACK_ID } });
  assert.deepEqual(again.data, answer.data);
  assert.equal(second.sent.length, 1);
  assert.equal(second.sent[0].body.query, undefined);
  assert.equal(second.sent[0].body.extensions.persistedQuery.sha256Hash, hash);
});

test('persisted queries over GET (useGETForHashedQueries): the hash in the URL', async () => {
  const query = freshQuery();
  const first = persistedClient({ useGETForHashedQueries: true });
  const answer = await first.apollo.query({ query, variables: { id: ATTACK_ID } });
  assert.equal(Object.values(answer.data)[0].name, 'Rebel attack on Hmeimim air base');
  const [miss, register] = first.sent;
  assert.equal(first.sent.length, 2);
  assert.equal(miss.method, 'GET');
  assert.equal(miss.url.searchParams.get('query'), null);
  const extensions = JSON.parse(miss.url.searchParams.get('extensions'));
  assert.equal(register.method, 'POST');
  assert.equal(sha256(register.body.query), extensions.persistedQuery.sha256Hash);

  const second = persistedClient({ useGETForHashedQueries: true });
  const again = await second.apollo.query({ query, variables: { id: ATTACK_ID } });
  assert.deepEqual(again.data, answer.data);
  assert.equal(second.sent.length, 1);
  assert.equal(second.sent[0].method, 'GET');
  assert.equal(second.sent[0].url.searchParams.get('query'), null);
});

test('corroboration, its filter and external ids answer through the cache', async () => {
  const apollo = client();
  const { data } = await apollo.query({
    query: gql`
      {
        node(id: "Event:hmeimim-2025-airlift") {
          id
          ... on Event {
            corroboration {
              independentOrigins anonymousOnly claimCount
              origins { claimCount source { id key anonymous } }
              bestGrading { code } worstGrading { code }
            }
          }
        }
        wellCorroborated: events(filter: {minIndependentOrigins: 2}, first: 50) {
          totalCount
          nodes { id key corroboration { independentOrigins } }
        }
        russia: byExternalId(scheme: "cameo_actor", value: "rus") {
          id
          ... on Actor { key externalIds { scheme value } }
        }
      }
    `,
  });
  const corroboration = data.node.corroboration;
  assert.equal(corroboration.__typename, 'Corroboration');
  assert.equal(corroboration.independentOrigins, 3); // docs/graphql.md says which and why
  assert.equal(corroboration.anonymousOnly, false);
  assert.equal(corroboration.origins.length, 3);
  assert.ok(corroboration.origins.some((origin) => origin.source.key === 'flightradar24'));
  assert.equal(corroboration.bestGrading.code, 'B2');
  const well = data.wellCorroborated;
  assert.ok(well.totalCount > 0 && well.nodes.some((event) => event.key === 'hmeimim-2025-airlift'));
  for (const event of well.nodes) assert.ok(event.corroboration.independentOrigins >= 2);
  assert.equal(data.russia.key, 'russia'); // the value is normalised (CAMEO codes upper case)
  assert.deepEqual(
    data.russia.externalIds.map(({ scheme, value }) => `${scheme}:${value}`),
    ['cameo_actor:RUS'],
  );
  // the source of an origin is the same normalised entity as anywhere else in the cache
  const fr24 = corroboration.origins.find((origin) => origin.source.key === 'flightradar24');
  assert.equal(apollo.cache.identify(fr24.source), `Source:${fr24.source.id}`);
});

test('a report that fits three flights alike is one coreference item with its alternatives', async () => {
  // Another outlet's An-124 flight to Latakia within the seed's 24–27 October: it fits the
  // seed's three An-124 flights equally, so the API proposes one review item (docs/resolution.md).
  const key = uniqueKey('apollo-an124');
  await client({ token: EDITOR }).mutate({
    mutation: gql`mutation Record($input: EventInput!) { recordEvent(input: $input) { id } }`,
    variables: {
      input: {
        key,
        type: 'flight',
        name: `An-124 at Latakia (${key})`,
        time: { start: '2025-10-24', end: '2025-10-27', precision: 'interval' },
        destination: 'latakia-airport',
        participants: [{ role: 'operator', ref: 'russia' }, { role: 'aircraft', ref: 'an-124-100' }],
        claims: [{ source: 'bloomberg', credibility: 3, paraphrase: 'An An-124 flew to Latakia.' }],
      },
    },
  });
  const apollo = client();
  const { data } = await apollo.query({
    query: gql`
      query Proposals($min: Float!) {
        coreferenceProposals(minScore: $min) {
          a { id key kind } b { id key }
          alternatives { event { id key } score reasons { kind weight } }
          score automatic
        }
      }
    `,
    variables: { min: 0.5 },
  });
  const items = data.coreferenceProposals.filter((item) => item.a.key === key || item.b.key === key);
  assert.equal(items.length, 1, JSON.stringify(items));
  const [item] = items;
  assert.equal(item.a.key, key);
  assert.equal(item.a.kind, 'flight');
  const flights = [1, 2, 3].map((n) => `hmeimim-2025-an124-flight-${n}`);
  assert.deepEqual([item.b.key, ...item.alternatives.map((alternative) => alternative.event.key)], flights);
  assert.equal(item.automatic, false);
  const scores = item.alternatives.map((alternative) => alternative.score);
  assert.deepEqual(scores, [...scores].sort((x, y) => y - x)); // best first
  for (const alternative of item.alternatives) {
    assert.equal(alternative.__typename, 'CoreferenceAlternative');
    assert.ok(alternative.score > 0 && alternative.score <= item.score, `${alternative.score}`);
    const kinds = alternative.reasons.map((reason) => reason.kind);
    assert.ok(kinds.includes('same_place') && kinds.includes('ambiguous'), kinds.join());
    // an alternative's event is the same normalised entry as a candidate's would be
    assert.equal(apollo.cache.identify(alternative.event), `ProposedNode:${alternative.event.id}`);
  }
});
