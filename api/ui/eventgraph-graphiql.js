// eventgraph's GraphiQL page (api/graphiql.py): GraphiQL with the explorer plugin on our endpoint.
// What the page is about comes as JSON in #eventgraph-graphiql-config, never as script text.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("eventgraph-graphiql-config").textContent);
  const endpoint = new URL(config.endpoint, window.location.href);
  const socketEndpoint = new URL(endpoint.href);
  socketEndpoint.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

  // Queries and mutations: HTTP, with the headers typed into the Headers pane.
  const overHttp = GraphiQL.createFetcher({ url: endpoint.href });

  // Subscriptions: graphql-transport-ws. Browsers cannot set headers on a WebSocket, so the
  // typed headers (Authorization) travel in `connection_init`; one client per set of headers.
  const sockets = new Map();
  function socketFor(headers) {
    const params = headers || {};
    const key = JSON.stringify(params);
    if (!sockets.has(key)) {
      sockets.set(key, graphqlWs.createClient({ url: socketEndpoint.href, connectionParams: params }));
    }
    return sockets.get(key);
  }

  // Parsed here rather than taken from GraphiQL's `documentAST`, which lags a quick edit.
  function isSubscription(params) {
    let document;
    try {
      document = GraphiQL.GraphQL.parse(params.query);
    } catch (_syntaxError) {
      return false; // the server says what is wrong
    }
    const operations = document.definitions.filter((d) => d.kind === "OperationDefinition");
    const chosen = params.operationName
      ? operations.find((o) => o.name && o.name.value === params.operationName)
      : operations.length === 1 && operations[0];
    return Boolean(chosen) && chosen.operation === "subscription";
  }

  function fetcher(params, options) {
    const opts = options || {};
    if (isSubscription(params)) {
      return socketFor(opts.headers).iterate({
        query: params.query,
        variables: params.variables,
        operationName: params.operationName,
      });
    }
    return overHttp(params, opts);
  }

  const explorer = GraphiQLPluginExplorer.explorerPlugin();
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.query,
      plugins: [explorer],
      defaultEditorToolsVisibility: "headers",
    }),
  );
})();
