import PostgresNIO
import PredictionCore
import Storage
import Testing

@Suite struct PostgresURLTests {
    @Test func parsesAllParts() throws {
        let url = try PostgresURL("postgres://stock%40cast:p%2Fss@db.example:6543/prices?sslmode=require")
        #expect(url.username == "stock@cast")
        #expect(url.password == "p/ss")
        #expect(url.host == "db.example")
        #expect(url.port == 6543)
        #expect(url.database == "prices")
        #expect(url.sslMode == .require)
        #expect(url.configuration.database == "prices")
        #expect(url.configuration.port == 6543)
    }

    @Test func appliesLibpqDefaults() throws {
        let url = try PostgresURL("postgresql://127.0.0.1")
        #expect(url.port == 5432)
        #expect(url.username == "postgres")
        #expect(url.password == nil)
        #expect(url.database == "postgres")
        #expect(url.sslMode == .prefer)
        let named = try PostgresURL("postgres://alice@[::1]:5433/")
        #expect(named.host == "::1" && named.port == 5433 && named.database == "alice")
    }

    @Test(arguments: [
        "mysql://u@h/db", "postgres:///db", "not a url", "postgres://h/db?sslmode=sometimes", "postgres://h/a/b",
        "postgres://h/db?application_name=x", "postgres://h:70000/db",
    ])
    func rejectsUnusableURLs(_ text: String) {
        let error = #expect(throws: StorageError.self) { try PostgresURL(text) }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test func descriptionHidesThePassword() throws {
        let url = try PostgresURL("postgres://u:secret@h:1/d?sslmode=disable")
        #expect(!url.description.contains("secret"))
        #expect(url.description == "postgres://u:***@h:1/d?sslmode=disable")
        let error = #expect(throws: StorageError.self) { try PostgresURL("postgres://u:secret@h/d?sslmode=bogus") }
        #expect(error.map { !$0.message.contains("secret") } == true)
    }
}
