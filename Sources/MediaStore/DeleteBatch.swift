import Foundation
import GRDB
import MediaAPI

/// Group commit for deletes: the deletes that arrive while a write is under way go to disk
/// together in the next transaction, so a bulk `delete` with 16 requests in flight pays for a
/// few commits (each an fsync) rather than sixteen. Each delete still answers only once its
/// own transaction has committed, and each is told whether its item was there.
actor DeleteBatch {
    private struct Pending {
        var token: UInt64
        var id: String
        var account: String
        var answer: CheckedContinuation<Void, any Error>
    }

    private let database: DatabasePool
    private let contentFolder: URL
    private var pending: [Pending] = []
    private var writing = false
    private var nextToken: UInt64 = 0
    /// The most deletes one transaction takes, so a huge burst does not hold the writer long.
    static let largest = 256

    init(database: DatabasePool, contentFolder: URL) {
        self.database = database
        self.contentFolder = contentFolder
    }

    /// Deletes `id` of `account`'s: `.notFound` when there is no such item. Cancelled before
    /// its transaction begins, it deletes nothing and throws CancellationError.
    func delete(id: String, account: String) async throws {
        let token = nextToken
        nextToken += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (answer: CheckedContinuation<Void, any Error>) in
                guard !Task.isCancelled else { return answer.resume(throwing: CancellationError()) }
                pending.append(Pending(token: token, id: id, account: account, answer: answer))
                if !writing {
                    writing = true
                    Task { await self.drain() }
                }
            }
        } onCancel: {
            Task { await self.withdraw(token) }
        }
    }

    /// Takes a cancelled delete out of the queue if its transaction has not begun.
    private func withdraw(_ token: UInt64) {
        guard let index = pending.firstIndex(where: { $0.token == token }) else { return }
        pending.remove(at: index).answer.resume(throwing: CancellationError())
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.largest))
            pending.removeFirst(batch.count)
            let keys = batch.map { ($0.id, $0.account) }
            do {
                let found = try await database.write { db -> [Bool] in
                    try keys.map { id, account in
                        try db.cachedStatement(sql: "DELETE FROM media WHERE id = ? AND account_id = ?").execute(arguments: [id, account])
                        return db.changesCount > 0
                    }
                }
                removeContent(of: zip(batch, found).filter { $0.1 }.map { $0.0.id })
                for (request, deleted) in zip(batch, found) {
                    if deleted { request.answer.resume() } else { request.answer.resume(throwing: MediaError.notFound(id: request.id)) }
                }
            } catch {
                let failure = MediaStore.storageError(error)
                for request in batch { request.answer.resume(throwing: failure) }
            }
        }
        writing = false
    }

    /// Removes the content files of items whose rows are gone. The folder is not synced: the
    /// delete is the row's commit, already on disk. A file a power cut brings back (or a failed
    /// unlink leaves) has no row, so nothing serves it, and the sweep removes it when the store
    /// is next opened alone, as it does after any crash. (The sync was a third of the fsyncs of
    /// a bulk delete, each in the path of every answer of its group.)
    private func removeContent(of ids: [String]) {
        for id in ids { unlink(contentFolder.appendingPathComponent(id).path) }
    }
}
