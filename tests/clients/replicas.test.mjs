// Read-your-writes across API replicas with Apollo Client and urql (tests/test_replicas.py starts
// two `eventgraph serve` processes on one Neo4j): a mutation answered by the first replica leaves
// its bookmark in the X-EventGraph-Bookmark response header, the client keeps it and sends it on
// its next query, which a load balancer gives to the second replica, and that query sees the
// write. `bookmarkLink` and `bookmarkFetch` are the recipes docs/graphql.md shows, as they are.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Client, cacheExchange, fetchExchange } from '@urql/core';
import { map } from 'rxjs';

import { EDITOR, HTTP_URL, flightInput, required, uniqueKey } from './live.mjs';

const SECOND_HTTP_URL = required('EVENTGRAPH_SECOND_HTTP_URL');

const BOOKMARK = 'X-EventGraph-Bookmark';

/** Apollo Client: sends the client's newest bookmark with each operation, keeps the one an
 * answer carries (HttpLink puts the fetch `response` in the operation's context). */
function bookmarkLink() {
  let bookmark = null; // the newest bookmark this client's writes left
  return new ApolloLink((operation, forward) => {
    if (bookmark) {
      operation.setContext(({ headers }) => ({ headers: { ...headers, [BOOKMARK]: bookmark } }));
    }
    return forward(operation).pipe(
      map((result) => {
        bookmark = operation.getContext().response?.headers.get(BOOKMARK) ?? bookmark;
        return result;
      }),
    );
  });
}

/** urql: a `fetch` that does the same around another one (the global fetch unless given). */
function bookmarkFetch(fetchImpl = globalThis.fetch) {
  let bookmark = null; // the newest bookmark this client's writes left
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (bookmark) headers.set(BOOKMARK, bookmark);
    const response = await fetchImpl(input, { ...init, headers });
    bookmark = response.headers.get(BOOKMARK) ?? bookmark;
    return response;
  };
}

/** A load balancer, as a `fetch`: writes go to the first replica, reads to the second; each
 * request is kept with the replica it went to, the bookmark it sent and the one it got back. */
function balancer() {
  const sent = [];
  const fetchToReplica = async (input, init = {}) => {
    const url = new URL(typeof input === 'string' ? input : input.url);
    const query = init.body ? JSON.parse(init.body).query : url.searchParams.get('query'); // POST, GET
    const replica = /^\s*mutation\b/.test(query) ? HTTP_URL : SECOND_HTTP_URL;
    const response = await fetch(new URL(url.search, replica), init);
    sent.push({
      replica,
      bookmarkSent: new Headers(init.headers).get(BOOKMARK),
      bookmarkLeft: response.headers.get(BOOKMARK),
    });
    return response;
  };
  return { fetch: fetchToReplica, sent };
}

const RECORD = gql`
  mutation Record($input: EventInput!) { recordEvent(input: $input) { id key } }
`;
const READ_BACK = gql`
  query ReadBack($id: ID!) { node(id: $id) { id ... on Event { key name } } }
`;

/** What every client must have done: the write on the first replica left a bookmark, the read
 * on the second sent exactly that one back. */
function assertReadAfterWrite(sent) {
  assert.equal(sent.length, 2, JSON.stringify(sent));
  const [write, read] = sent;
  assert.equal(write.replica, HTTP_URL);
  assert.equal(write.bookmarkSent, null); // a new client has none yet
  assert.ok(write.bookmarkLeft, 'the mutation answer carried no bookmark header');
  assert.equal(read.replica, SECOND_HTTP_URL);
  assert.equal(read.bookmarkSent, write.bookmarkLeft);
  assert.equal(read.bookmarkLeft, null); // a read leaves no bookmark to send back
}

test('Apollo Client: a link keeps the bookmark of a write and reads it through the other replica', async () => {
  const lb = balancer();
  const apollo = new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([
      bookmarkLink(),
      new HttpLink({ uri: HTTP_URL, headers: { authorization: `Bearer ${EDITOR}` }, fetch: lb.fetch }),
    ]),
  });
  const key = uniqueKey('apollo-replicated');
  const written = await apollo.mutate({ mutation: RECORD, variables: { input: flightInput(key, '2025-11-10') } });
  assert.equal(written.data.recordEvent.id, `Event:${key}`);
  const read = await apollo.query({
    query: READ_BACK,
    variables: { id: `Event:${key}` },
    fetchPolicy: 'network-only', // from the server, not from what the mutation put in the cache
  });
  assert.equal(read.data.node.key, key);
  assert.equal(read.data.node.name, `Flight ${key}`);
  assertReadAfterWrite(lb.sent);
});

test('urql: a fetch keeps the bookmark of a write and reads it through the other replica', async () => {
  const lb = balancer();
  const urql = new Client({
    url: HTTP_URL,
    exchanges: [cacheExchange, fetchExchange],
    fetch: bookmarkFetch(lb.fetch),
    fetchOptions: { headers: { authorization: `Bearer ${EDITOR}` } },
  });
  const key = uniqueKey('urql-replicated');
  const written = await urql.mutation(RECORD, { input: flightInput(key, '2025-11-10') }).toPromise();
  assert.equal(written.error, undefined, written.error?.message);
  assert.equal(written.data.recordEvent.id, `Event:${key}`);
  assert.deepEqual(written.extensions?.bookmarks, lb.sent[0].bookmarkLeft.split(',')); // the same, in the body
  const read = await urql
    .query(READ_BACK, { id: `Event:${key}` }, { requestPolicy: 'network-only' })
    .toPromise();
  assert.equal(read.error, undefined, read.error?.message);
  assert.equal(read.data.node.key, key);
  assertReadAfterWrite(lb.sent);
});
