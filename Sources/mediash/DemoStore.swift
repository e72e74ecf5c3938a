import Foundation
import MediaAPI
import MediaStore
import Synchronization

/// A throwaway embedded store in a temporary directory, filled with `DemoRecording`s, for
/// `mediash --demo`. Removed when the session ends.
struct DemoStore {
    let directory: URL
    let store: MediaStore

    /// Creates and fills the store. The store's clock is set back to each recording's time
    /// while it is uploaded, so `time_created` spreads over the last 30 days.
    static func create(now: Date = Date()) async throws -> DemoStore {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mediash-demo-\(UUID().uuidString.prefix(8))")
        let clock = DemoClock()
        let store = try MediaStore(directory: directory, now: { clock.now() })
        for recording in DemoRecording.all(now: now) {
            let file = store.temporaryDirectory.appendingPathComponent(recording.fileName)
            try recording.wav.write(to: file)
            clock.set(recording.created)
            _ = try await store.upload(
                MediaUpload(source: .file(file), fileName: recording.fileName, info: recording.info),
                account: Backend.embeddedAccount, consumingFile: true, maxBytes: nil)
        }
        clock.set(nil)
        return DemoStore(directory: directory, store: store)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The demo store's clock: a chosen time while filling it, then the real time.
private final class DemoClock: Sendable {
    private let fixed = Mutex<Date?>(nil)
    func set(_ date: Date?) { fixed.withLock { $0 = date } }
    func now() -> Date { fixed.withLock { $0 } ?? Date() }
}
