import Foundation

/// What media-server needs of a store, beyond one account's `MediaService`: the API's page by
/// index, the download check that counts, and uploads of files it has already received. Two
/// stores keep it: the embedded one (`MediaStore`, SQLite and files) and `MediaStorePostgres`.
/// The server's rules live behind it (download limits, account isolation), so every instance of
/// a server on one shared store keeps them together.
public protocol MediaServerStore: Sendable {
    associatedtype Service: MediaService

    /// A local folder where the server writes an upload's file before handing it over with
    /// `consumingFile: true`.
    var temporaryDirectory: URL { get }

    /// The MediaService of one account.
    func service(account: String) -> Service

    /// A page by index plus the total number matching, as GET /v3/media needs.
    func page(account: String, query: MediaQuery, pageIndex: Int, pageSize: Int) async throws -> (items: [MediaItem], total: Int)

    /// The same page written as the store reads it: each item handed in order to a `Writer` made
    /// for the page, then the writer's output and the total. The embedded store lends its rows in
    /// place; by default, the items `page` gives are handed over.
    func page<Writer: MediaPageWriter & ~Copyable>(
        account: String, query: MediaQuery, pageIndex: Int, pageSize: Int, writer: Writer.Type, options: Writer.Options
    ) async throws -> (output: Writer.Output, total: Int)

    /// Checks access and the download limit without counting, and returns the item (for HEAD,
    /// conditional and refused requests). `account` nil = unauthenticated: public items only (else
    /// .unauthorized); another account's non-public item = .notFound; limit reached = .forbidden.
    func contentInfo(id: String, account: String?) async throws -> MediaItem

    /// The same checks, then counts one download (every GET that sends content, whole or a range)
    /// and returns the item as it is after counting and its content, readable though deleted later.
    func openDownload(id: String, account: String?) async throws -> (item: MediaItem, content: MediaContent)

    /// Creates an item in `account`; with `consumingFile: true` a `.file` source inside
    /// `temporaryDirectory` becomes the store's (moved or removed). `maxBytes` refuses larger content.
    /// An http(s) `.url` source is fetched only from where `urlFetch` allows (the server's policy);
    /// a fetch that fails for any reason throws `URLFetchError`.
    func upload(_ upload: MediaUpload, account: String, consumingFile: Bool, maxBytes: Int64?, urlFetch: URLFetchPolicy) async throws -> MediaItem

    /// Throws when the store cannot serve now (its database does not answer): the server's /readyz.
    func checkReady() async throws

    /// Gauges of the store as they are now (name, help, value), like the database pool's use: the server's /metrics.
    var statistics: [(name: String, help: String, value: Double)] { get }
}

extension MediaServerStore {
    /// An upload whose url, if any, is fetched from public addresses only.
    public func upload(_ upload: MediaUpload, account: String, consumingFile: Bool, maxBytes: Int64?) async throws -> MediaItem {
        try await self.upload(upload, account: account, consumingFile: consumingFile, maxBytes: maxBytes, urlFetch: .publicAddressesOnly)
    }

    public var statistics: [(name: String, help: String, value: Double)] { [] }

    public func page<Writer: MediaPageWriter & ~Copyable>(
        account: String, query: MediaQuery, pageIndex: Int, pageSize: Int, writer: Writer.Type, options: Writer.Options
    ) async throws -> (output: Writer.Output, total: Int) {
        let (items, total) = try await page(account: account, query: query, pageIndex: pageIndex, pageSize: pageSize)
        var writer = Writer(options: options, rows: items.count)
        for item in items { writer.write(item) }
        return (writer.finish(), total)
    }
}

/// Where an item's content is read from.
public enum MediaContent: Sendable {
    /// Reads `count` bytes at an offset, blocking (the server calls it off its event loops).
    case reader(@Sendable (_ offset: Int64, _ count: Int) throws -> Data)
    /// Bytes of an inclusive range, read piece by piece as the consumer asks for them.
    case chunks(@Sendable (ClosedRange<Int64>) -> AsyncThrowingStream<Data, any Error>)
}

/// One account's `MediaService` over a `MediaServerStore`: the downloads and uploads both stores'
/// services make the same way (the local file through `FileDownload`; a url fetched under
/// `urlFetch`, whose failure the caller, being the one who asked, hears in full).
public protocol StoreAccountService: MediaService {
    associatedtype Store: MediaServerStore
    var store: Store { get }
    var account: String { get }
    /// Where uploads by url may be fetched from.
    var urlFetch: URLFetchPolicy { get }
}

extension StoreAccountService {
    public func download(id: String, to destination: URL, options: DownloadOptions) async throws -> DownloadResult {
        try await FileDownload(id: id, destination: destination, options: options).run(
            info: { try await info(id: id) }, open: { try await store.openDownload(id: id, account: account) })
    }

    public func upload(_ upload: MediaUpload) async throws -> MediaItem {
        do {
            return try await store.upload(upload, account: account, consumingFile: false, maxBytes: nil, urlFetch: urlFetch)
        } catch let error as URLFetchError {
            throw MediaError.invalidInput(error.description)
        }
    }
}
