// The @neo4j/graphql reference of the benchmarks (issue 6): a standalone Apollo server over the
// same Neo4j database eventgraph serves, with type definitions equivalent to ours
// (typeDefs.graphql). bench/reference.py starts it; it prints READY_LINE once it answers.
//
// Production-like: NODE_ENV=production (set by reference.py), no introspection, no stack traces
// in errors, no landing page, no debug logging. The Neo4j it talks to needs the APOC core plugin
// (@neo4j/graphql formats DateTime values and checks authorization with it): checked at start.
//
// Environment: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE (default neo4j), PORT.

import { readFile } from "node:fs/promises";

import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const READY_LINE = "neo4j-graphql reference ready at";

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`neo4j-graphql reference: ${name} must be set`);
    process.exit(2);
  }
  return value;
}

const uri = required("NEO4J_URI");
const user = process.env.NEO4J_USER || "neo4j";
const password = required("NEO4J_PASSWORD");
const database = process.env.NEO4J_DATABASE || "neo4j";
const port = Number.parseInt(required("PORT"), 10);

const typeDefs = await readFile(new URL("./typeDefs.graphql", import.meta.url), "utf8");
const driver = neo4j.driver(uri, neo4j.auth.basic(user, password));
const sessionConfig = { database };

let server;
try {
  const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
  const schema = await neoSchema.getSchema();
  await neoSchema.checkNeo4jCompat({ sessionConfig });
  server = new ApolloServer({
    schema,
    introspection: false,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { host: "127.0.0.1", port },
    context: async () => ({ sessionConfig }),
  });
  console.log(`${READY_LINE} ${url}`);
} catch (error) {
  console.error(`neo4j-graphql reference: could not start: ${error.message}`);
  await driver.close();
  process.exit(1);
}

async function stop(signal) {
  await server.stop();
  await driver.close();
  console.log(`neo4j-graphql reference stopped (${signal})`);
  process.exit(0);
}

process.once("SIGTERM", () => stop("SIGTERM"));
process.once("SIGINT", () => stop("SIGINT"));
