package org.eventgraph.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded, Bolt on 127.0.0.1 only, until SIGTERM/SIGINT.
 *
 * <p>Usage: {@code Main HOME PORT PAGECACHE}. The password of the {@code neo4j} user is read from
 * the environment variable {@code EVENTGRAPH_NEO4J_PASSWORD} (never from the command line, where
 * {@code ps} would show it). The shutdown hook shuts the database down cleanly, so the next start
 * needs no store recovery.
 */
public final class Main {
    /** How much of the transaction logs to keep beyond what recovery needs. */
    private static final String TX_LOG_RETENTION = "512M size";

    private Main() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: Main HOME PORT PAGECACHE (e.g. var/neo4j 7687 512m)");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String pageCache = args[2];
        String password = System.getenv("EVENTGRAPH_NEO4J_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("EVENTGRAPH_NEO4J_PASSWORD must be set to at least 8 characters");
            System.exit(2);
        }

        DatabaseManagementService service;
        try {
            service = start(home, port, pageCache, password);
        } catch (RuntimeException e) {
            // Without this, Neo4j's non-daemon threads would keep a half-started JVM alive.
            System.err.println("eventgraph-launcher: Neo4j failed to start: " + rootCause(e));
            e.printStackTrace();
            System.exit(1);
            return;
        }
        GraphDatabaseService db = service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        String version = db.executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v", Map.of(),
                result -> (String) result.next().get("v"));
        System.out.println("eventgraph-launcher: Neo4j " + version + " ready on bolt://127.0.0.1:" + port);
    }

    private static DatabaseManagementService start(Path home, int port, String pageCache, String password) {
        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pageCache))
                .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(10))
                // Neo4j keeps two days of transaction logs by default, for backups this local
                // instance never takes: repeated imports and wipes grew them by gigabytes an hour.
                // Recovery needs only the logs since the last checkpoint, which are always kept.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, TX_LOG_RETENTION)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("eventgraph-launcher: shutting down");
            service.shutdown();
            System.out.println("eventgraph-launcher: stopped cleanly");
        }, "eventgraph-shutdown"));

        setPassword(service.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
        return service;
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** Sets the neo4j user's password; embedded transactions run with full rights. */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to the one it already has: nothing to do.
            if (!rootCause(e).contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
    }
}
