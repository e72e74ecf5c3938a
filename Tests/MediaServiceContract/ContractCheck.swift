import Foundation
import MediaAPI

/// One behaviour every MediaService must have, runnable against any binding.
public struct ContractCheck: Sendable, CustomStringConvertible {
    /// Makes a fresh service holding no items; each check calls it once.
    public typealias ServiceFactory = @Sendable () async throws -> any MediaService

    public let name: String
    private let body: @Sendable (any MediaService, Scratch) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (any MediaService, Scratch) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public var description: String { name }

    /// Runs the check on a fresh service; throws `ContractFailure` when the service misbehaves.
    public func run(_ makeService: ServiceFactory) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try await body(try await makeService(), scratch)
    }
}

/// What a service did wrong, and where the contract noticed.
public struct ContractFailure: Error, CustomStringConvertible, LocalizedError {
    public let message: String
    public let location: String

    public var description: String { "\(message) (\(location))" }
    public var errorDescription: String? { description }
}

/// Throws a `ContractFailure` with `message` unless `condition` holds.
func expect(
    _ condition: Bool, _ message: @autoclosure () -> String, fileID: String = #fileID, line: Int = #line
) throws {
    if !condition { throw ContractFailure(message: message(), location: "\(fileID):\(line)") }
}

/// Throws unless `body` fails with the `MediaError` that `matches` accepts.
func expectError(
    _ expected: String, fileID: String = #fileID, line: Int = #line,
    matches: (MediaError) -> Bool, _ body: () async throws -> Void
) async throws {
    do {
        try await body()
    } catch let error as MediaError {
        try expect(matches(error), "expected \(expected), got MediaError.\(error) ", fileID: fileID, line: line)
        return
    } catch {
        throw ContractFailure(message: "expected \(expected), got a non-MediaError: \(error)", location: "\(fileID):\(line)")
    }
    throw ContractFailure(message: "expected \(expected), but the call succeeded", location: "\(fileID):\(line)")
}

extension MediaError {
    var isNotFound: Bool { if case .notFound = self { true } else { false } }
    var isForbidden: Bool { if case .forbidden = self { true } else { false } }
    var isInvalidInput: Bool { if case .invalidInput = self { true } else { false } }
}

/// A temporary folder for one check's files.
public final class Scratch: Sendable {
    public let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("media-contract-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// Writes `content` to a new file named `name`.
    func file(_ name: String, _ content: Data) throws -> URL {
        let url = url(name)
        try content.write(to: url)
        return url
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// Deterministic bytes that differ by `seed` (so ETags differ) and span several read chunks when large.
public func content(size: Int, seed: UInt64) -> Data {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
    var bytes = [UInt8](repeating: 0, count: size)
    for i in 0..<size {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes[i] = UInt8(truncatingIfNeeded: state)
    }
    return Data(bytes)
}

extension MediaService {
    /// Uploads `count` small files, `gap` apart so their creation times differ, and returns them in upload order.
    func uploadMany(_ count: Int, in scratch: Scratch, gap: Duration = .zero, prefix: String = "item") async throws -> [MediaItem] {
        var items: [MediaItem] = []
        for i in 0..<count {
            let file = try scratch.file("\(prefix)-\(i).txt", content(size: 16 + i % 50, seed: UInt64(i)))
            items.append(try await upload(MediaUpload(source: .file(file))))
            if gap > .zero { try await Task.sleep(for: gap) }
        }
        return items
    }

    /// Every item a query lists, in the order listed.
    public func all(_ query: MediaQuery = MediaQuery()) async throws -> [MediaItem] {
        var items: [MediaItem] = []
        for try await item in list(query) { items.append(item) }
        return items
    }
}
