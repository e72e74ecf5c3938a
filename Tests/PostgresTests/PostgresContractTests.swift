import Foundation
import PostgresTestSupport
import MediaAPI
import MediaServiceContract
import MediaStorePostgres
import Testing

/// The shared MediaService contract against the PostgreSQL store, each check in an account of its own.
@Test(
    "PostgresMediaStore meets the MediaService contract", .disabled(if: PostgresEnvironment.url == nil, PostgresEnvironment.missing),
    arguments: MediaServiceContract.checks)
func postgresContract(_ check: ContractCheck) async throws {
    let store = try await PostgresEnvironment.store()
    do {
        try await check.run { store.service(account: PostgresEnvironment.account()) }
    } catch {
        await store.close()
        throw error
    }
    await store.close()
}
