import Foundation
import MediaAPI
import Testing

/// The sweep's lock: a store is alone only when no other open store holds the lock file.
@Suite struct StoreLockTests {
    @Test("a store that was not alone keeps sharing the lock, so a later store is not alone either")
    func aFailedTryKeepsTheSharedLock() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("lock")
        var first: StoreLock? = try StoreLock(file: file)
        let second = try StoreLock(file: file)
        var swept: [String] = []
        second.whenAlone { swept.append("second") }
        first?.whenAlone { swept.append("first") }
        #expect(swept.isEmpty)
        first = nil
        // The second store is still open: the third must not sweep its files away.
        let third = try StoreLock(file: file)
        third.whenAlone { swept.append("third") }
        #expect(swept.isEmpty)
        _ = second
    }
}
