import Foundation
import GRDB
import MediaAPI
import Synchronization

/// Group commit for deletes: the deletes that arrive while a write is under way go to disk
/// together in the next transaction, so a bulk `delete` with 16 requests in flight pays for a
/// few commits (each an fsync) rather than sixteen. Each delete still answers only once its
/// own transaction has committed and its content file is gone, and each is told whether its
/// item was there.
///
/// The batches run on the database's writer queue, one after another: the completion of one
/// transaction answers its deletes and starts the next batch from there. A delete costs one hop
/// to the writer and one back, not also a hop through an actor and a task each way.
final class DeleteBatch: Sendable {
    private struct Pending {
        var token: UInt64
        var id: String
        var account: String
        var answer: CheckedContinuation<Void, any Error>
    }

    private struct Queue {
        var pending: [Pending] = []
        var writing = false
        var nextToken: UInt64 = 0

        /// The next batch, oldest first, at most `largest`.
        mutating func take() -> [Pending] {
            let batch = Array(pending.prefix(DeleteBatch.largest))
            pending.removeFirst(batch.count)
            return batch
        }
    }

    private let database: DatabasePool
    /// The content folder's path with its trailing slash: an item's file is this and its id.
    private let contentPrefix: String
    private let queue = Mutex(Queue())
    /// The most deletes one transaction takes, so a huge burst does not hold the writer long.
    static let largest = 256

    init(database: DatabasePool, contentFolder: URL) {
        self.database = database
        let path = contentFolder.path
        contentPrefix = path.hasSuffix("/") ? path : path + "/"
    }

    /// Deletes `id` of `account`'s: `.notFound` when there is no such item. Cancelled before
    /// its transaction begins, it deletes nothing and throws CancellationError.
    func delete(id: String, account: String) async throws {
        let token = queue.withLock { queue in
            defer { queue.nextToken += 1 }
            return queue.nextToken
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (answer: CheckedContinuation<Void, any Error>) in
                // Under the lock: a cancellation either came first (and is seen here) or finds
                // the delete queued and withdraws it.
                enum Next { case queued, cancelled, write([Pending]) }
                let next = queue.withLock { queue -> Next in
                    if Task.isCancelled { return .cancelled }
                    queue.pending.append(Pending(token: token, id: id, account: account, answer: answer))
                    guard !queue.writing else { return .queued }
                    queue.writing = true
                    return .write(queue.take())
                }
                switch next {
                case .queued: break
                case .cancelled: answer.resume(throwing: CancellationError())
                case .write(let batch): write(batch)
                }
            }
        } onCancel: {
            withdraw(token)
        }
    }

    /// Takes a cancelled delete out of the queue if its transaction has not begun.
    private func withdraw(_ token: UInt64) {
        let withdrawn = queue.withLock { queue -> Pending? in
            guard let index = queue.pending.firstIndex(where: { $0.token == token }) else { return nil }
            return queue.pending.remove(at: index)
        }
        withdrawn?.answer.resume(throwing: CancellationError())
    }

    /// Deletes a batch's rows in one transaction; once it has committed, removes the content
    /// files, answers, and goes on with the deletes that queued meanwhile.
    private func write(_ batch: [Pending]) {
        let keys = batch.map { ($0.id, $0.account) }
        database.asyncWrite { db -> [Bool] in
            try keys.map { id, account in
                try db.cachedStatement(sql: "DELETE FROM media WHERE id = ? AND account_id = ?").execute(arguments: [id, account])
                return db.changesCount > 0
            }
        } completion: { [self] _, result in
            switch result {
            case .success(let found):
                removeContent(of: zip(batch, found).filter { $0.1 }.map { $0.0.id })
                for (request, deleted) in zip(batch, found) {
                    if deleted { request.answer.resume() } else { request.answer.resume(throwing: MediaError.notFound(id: request.id)) }
                }
            case .failure(let error):
                let failure = MediaStore.storageError(error)
                for request in batch { request.answer.resume(throwing: failure) }
            }
            let next = queue.withLock { queue -> [Pending]? in
                guard !queue.pending.isEmpty else {
                    queue.writing = false
                    return nil
                }
                return queue.take()
            }
            if let next { write(next) }
        }
    }

    /// Removes the content files of items whose rows are gone. The folder is not synced: the
    /// delete is the row's commit, already on disk. A file a power cut brings back (or a failed
    /// unlink leaves) has no row, so nothing serves it, and the sweep removes it when the store
    /// is next opened alone, as it does after any crash. (The sync was a third of the fsyncs of
    /// a bulk delete, each in the path of every answer of its group.) The ids are the store's
    /// own, of rows that were there.
    private func removeContent(of ids: [String]) {
        for id in ids { unlink(contentPrefix + id) }
    }
}
