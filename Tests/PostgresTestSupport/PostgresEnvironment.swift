import Foundation
import MediaAPI
import MediaStorePostgres
import PostgresNIO

/// The PostgreSQL these tests use: `MEDIA_TEST_DATABASE_URL`, a superuser's URL of a throwaway
/// cluster (scripts/checks/postgres starts one and sets it). Without it every test here is
/// reported skipped, by name, never passed (`.disabled(if: PostgresEnvironment.url == nil, …)`).
/// Shared by the test targets that run something on PostgreSQL (PostgresTests, MediaServerTests).
public enum PostgresEnvironment {
    public static let variable = "MEDIA_TEST_DATABASE_URL"
    public static let url = ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    /// Why a test was skipped.
    public static let missingReason = "needs PostgreSQL: \(variable) is not set (scripts/checks/postgres starts a cluster and runs these)"

    /// A new empty database in the cluster, and its URL.
    public static func freshDatabase() async throws -> String {
        guard let url else { throw MediaError.invalidInput("\(variable) is not set") }
        let name = "media_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = PostgresClient(configuration: try DatabaseURL(url).configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            group.cancelAll()
        }
        guard var parts = URLComponents(string: url) else { throw MediaError.invalidInput("bad \(variable)") }
        parts.path = "/\(name)"
        return parts.string ?? url
    }

    /// A store on the shared test database (each caller uses accounts of its own).
    public static func store() async throws -> PostgresMediaStore {
        guard let url else { throw MediaError.invalidInput("\(variable) is not set") }
        return try await PostgresMediaStore.open(DatabaseURL(url))
    }

    /// A fresh account name: an empty service on a shared database.
    public static func account() -> String { "acct-" + UUID().uuidString.lowercased() }
}
