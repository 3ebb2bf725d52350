import Foundation
import NIOCore
import NIOPosix
import PostgresNIO
import PredictionCore
import Testing

@testable import Storage

/// Issue 9 (6): with PostgreSQL unreachable, calls fail with `unavailable` instead of waiting (API calls hung up to
/// ~70 s, then answered 500), and once a probe has confirmed the outage they fail without touching the pool. Needs no
/// server: the store points at a port where nothing listens. The time limit is what fails the old behaviour (it
/// waited forever); durations are measured by the fault stage of `make test` against a real PostgreSQL stopped and
/// started under load, not asserted here.
@Suite(.timeLimit(.minutes(1))) struct PostgresOutageTests {
    @Test func unreachableDatabaseFailsWithUnavailable() async throws {
        // A port that was free a moment ago: nothing answers there.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        let url = try PostgresURL("postgres://postgres@127.0.0.1:\(port)/none?sslmode=disable")
        let store = PostgresStore(configuration: url.configuration, logger: StoreHarness.logger, leaseTimeout: .milliseconds(500))
        try await StoreHarness.whileRunning({ try await store.run() }) {
            do {
                _ = try await store.schemaVersion()
                Issue.record("a call succeeded with the database unreachable")
            } catch let error as StorageError {
                #expect(error.isOutage, "\(error)")
            }
            #expect(store.availability.isDown, "the probe found nothing listening")
            do {
                _ = try await store.datasets()
                Issue.record("a call succeeded with the database unreachable")
            } catch let error as StorageError {
                #expect(error.code == .unavailable, "\(error)")
            }
        }
    }

    /// A statement on a connection the server has closed (here: the backend terminated itself, as PostgreSQL does to
    /// every connection on `pg_ctl stop`) fails with `unavailable` at once. PostgresNIO's own query on such a connection
    /// is never answered, which left a prediction request and the graceful shutdown waiting forever.
    @Test func statementOnAClosedConnectionFailsInsteadOfWaiting() async throws {
        try await StoreHarness.withPostgresStore { store in
            do {
                try await store.transaction { connection in
                    _ = try? await store.rows("SELECT pg_terminate_backend(pg_backend_pid())", on: connection)
                    while !connection.isClosed { try await Task.sleep(for: .milliseconds(10)) }
                    return try await store.rows("SELECT 1", on: connection)
                }
                Issue.record("a statement succeeded on a closed connection")
            } catch let error as StorageError {
                #expect(error.code == .unavailable, "\(error)")
            }
            try await confirmation { answered in
                // The pool drops the closed connection; the next call gets a fresh one.
                while true {
                    do {
                        _ = try await store.schemaVersion()
                        answered()
                        break
                    } catch let error as StorageError where error.code == .unavailable {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
            }
        }
    }
}
