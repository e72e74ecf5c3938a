import ArgumentParser
import Foundation
import MediaAPI
import MediaServer
import MediaStore
import MediaStorePostgres
import Logging
import ServiceLifecycle

/// `media-server`: the Media API v3 over HTTP, on an embedded store.
@main
struct MediaServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media-server",
        abstract: "Serve the Media API v3 (/v3/media) over HTTP, on an embedded store.",
        discussion: """
            Items live in the --data folder (SQLite metadata and content files). Requests authenticate \
            as an account (Basic auth with KEY:SECRET, or api_key/api_secret query parameters) or as \
            an application (Authorization: Bearer <RS256 JWT signed with its private key>).
            On start it prints one line to stdout: media-server listening on http://HOST:PORT
            SIGTERM or SIGINT stops it after the requests in flight are answered.

            With --database (or MEDIA_SERVER_DATABASE_URL) items and their content live in PostgreSQL \
            instead, and any number of instances may serve one database.

            Accounts come from --accounts-file (KEY:SECRET a line, chmod 600) or MEDIA_SERVER_ACCOUNTS \
            (KEY:SECRET entries separated by spaces), which keep the secrets out of ps; --account works \
            too but shows the secret to every local user, and is warned about.

            Example: MEDIA_SERVER_ACCOUNTS=k:s media-server --data /tmp/media --port 0
            """,
        version: MediashVersion.line(program: "media-server"))

    @Option(help: "The address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "The TCP port (default 3000; 0 picks a free port, printed on start).")
    var port: Int?

    @Option(help: ArgumentHelp("The folder of the store (created when missing).", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp(
        "Keep items in PostgreSQL instead of --data (also MEDIA_SERVER_DATABASE_URL, which keeps the password out of ps).",
        valueName: "postgresql://user:password@host:port/db"))
    var database: String?

    @Option(help: ArgumentHelp("At most this many PostgreSQL connections per instance (default 20).", valueName: "n"))
    var databaseConnections: Int?

    @Flag(name: .customLong("no-access-log"), help: "Leave out the access log (one JSON line per request on stderr).")
    var noAccessLog = false

    @Option(help: ArgumentHelp(
        "On SIGTERM or SIGINT, wait at most this long for requests in flight, like 30s or 500ms (default 30s).", valueName: "duration"))
    var shutdownTimeout: String?

    @Option(help: ArgumentHelp(
        "An account, as API key and secret (repeatable). Visible in ps: prefer --accounts-file or MEDIA_SERVER_ACCOUNTS.",
        valueName: "key:secret"))
    var account: [String] = []

    @Option(help: ArgumentHelp(
        "A file of accounts, KEY:SECRET a line (# comment lines); keep it chmod 600. Accounts also come from MEDIA_SERVER_ACCOUNTS.",
        valueName: "file"))
    var accountsFile: String?

    @Option(help: ArgumentHelp(
        "An application of an account and the file of its RSA public key, PEM (repeatable).",
        valueName: "id:account-key:public-key-pem-file"))
    var application: [String] = []

    @Option(help: ArgumentHelp("The largest upload accepted, like 100MB, 512KB or 2GB (default 100MB).", valueName: "size"))
    var maxUploadSize: String?

    @Option(help: ArgumentHelp("The largest page_size answered (default 100).", valueName: "n"))
    var maxPageSize: Int?

    @Option(help: ArgumentHelp(
        "Close a connection that sends nothing for this long, even mid-request, or whose answer makes no progress for this long (a client that does not read), like 30s or 500ms (default 30s).",
        valueName: "duration"))
    var idleTimeout: String?

    @Option(help: ArgumentHelp(
        "Close a connection whose request head has not all arrived this long after its first byte, like 5s (default 5s).",
        valueName: "duration"))
    var requestHeadTimeout: String?

    @Option(help: ArgumentHelp(
        "Close a connection whose request body comes slower than this over an --idle-timeout, like 1KB/s (default 1KB/s).",
        valueName: "rate"))
    var minBodyRate: String?

    @Option(help: ArgumentHelp(
        "The most connections one client address may hold at once (default 128); past it a connection gets 503.",
        valueName: "n"))
    var maxConnectionsPerAddress: Int?

    @Option(help: ArgumentHelp(
        "The most connections served at once (default 512); more wait in the listen queue until one closes.",
        valueName: "n"))
    var maxConnections: Int?

    @Flag(help: "Answer in the older camelCase shape (mediaSize, publicItem, …) with epoch-millisecond times.")
    var legacyShape = false

    @Flag(name: .customLong("no-url-uploads"), help: "Refuse uploads by url (the server then never fetches anything itself).")
    var noURLUploads = false

    @Option(help: ArgumentHelp(
        "A host an upload's url may be fetched from even when its address is not public: loopback, a private network (repeatable; by default only public addresses are fetched).",
        valueName: "host"))
    var allowURLHost: [String] = []

    @Option(help: ArgumentHelp("Fault: delay every request, like 20ms or 1s.", valueName: "duration"))
    var faultLatency: String?

    @Option(help: ArgumentHelp("Fault: answer every Nth request 429 with Retry-After.", valueName: "n"))
    var faultRateLimitEvery: Int?

    @Option(help: ArgumentHelp("Fault: the Retry-After of those 429s, in seconds (default 1).", valueName: "seconds"))
    var faultRetryAfter: Double?

    @Option(help: ArgumentHelp("Fault: the fraction of requests answered 500 or 503, like 0.1.", valueName: "fraction"))
    var faultServerErrors: Double?

    @Option(help: ArgumentHelp("Fault: the fraction of requests whose connection is closed with no answer.", valueName: "fraction"))
    var faultDrop: Double?

    @Option(help: ArgumentHelp("Fault: the seed of the fault randomness (default 1).", valueName: "n"))
    var faultSeed: UInt64?

    @Option(help: ArgumentHelp(
        "A file of the same settings, one 'name value' a line (names as the flags without --; # comments; quote a value with \"…\" to keep a # in it). Flags win; keep it chmod 600.",
        valueName: "file"))
    var config: String?

    static func main() async {
        StandardDescriptors.openMissing()
        // Handlers run on Swift Concurrency's own pool, not on NIO's event loops. NIO's takeover
        // (unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor) finds the
        // runtime's hook with dlsym, which a release build (--static-swift-stdlib) hides: it
        // only ever took effect in debug builds. Forced on in a release build it made
        // `list | delete concurrency 32` of 2,000 items 5-8% slower (1.68-1.76 s against
        // 1.57-1.63 s, three alternate runs each, 2026-12-01), so debug and release now run alike.
        await main(nil)
    }

    func run() async throws {
        var settings = Settings()
        if let config {
            settings = try Settings(file: config)
        }
        try settings.apply(self, environment: ProcessInfo.processInfo.environment)
        for warning in settings.warnings {
            FileHandle.standardError.write(Data((warning + "\n").utf8))
        }
        let service: Settings.Service
        let configuration: MediaServerConfiguration
        do {
            service = try settings.service()
            configuration = try settings.configuration()
            try configuration.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        if configuration.accounts.isEmpty {
            FileHandle.standardError.write(Data("media-server: no account given (--accounts-file, MEDIA_SERVER_ACCOUNTS): only public items can be downloaded\n".utf8))
        }
        if let database = service.database {
            let url: DatabaseURL
            do {
                url = try DatabaseURL(database)
            } catch let error as MediaError {
                throw ValidationError("--database: \(error.description)")
            }
            let store = try await PostgresMediaStore.open(url, maxConnections: service.databaseConnections)
            do {
                try await serve(store, configuration, service)
            } catch {
                await store.close()
                throw error
            }
            // The requests in flight have been answered: now the pool can go.
            await store.close()
        } else {
            let store = try MediaStore(directory: URL(fileURLWithPath: service.dataFolder, isDirectory: true))
            if !store.madePrivate.isEmpty {
                FileHandle.standardError.write(Data(
                    "media-server: warning: the store \(service.dataFolder) was readable by other users; made \(store.madePrivate.count) of its folders and files private (folders 0700, files 0600)\n".utf8))
            }
            try await serve(store, configuration, service)
        }
    }

    /// Serves until SIGTERM or SIGINT, which stop accepting and let the requests in flight finish
    /// (for at most --shutdown-timeout, then they are cancelled).
    private func serve(_ store: any MediaServerStore, _ configuration: MediaServerConfiguration, _ service: Settings.Service) async throws {
        let host = configuration.host
        let accessLog = service.accessLog ? Logger(label: "media-server.access") { JSONLinesLogHandler(label: $0) } : nil
        // Every line on stderr is JSON, the warnings of a request (and Hummingbird's) too, not
        // only the access log: swift-log's default handler wrote those in its own text format.
        var logger = Logger(label: "media-server") { JSONLinesLogHandler(label: $0) }
        logger.logLevel = .warning
        var configuration = configuration
        configuration.logger = logger
        let app = buildMediaServer(store: store, configuration: configuration, accessLog: accessLog) { port in
            let shown = host.contains(":") ? "[\(host)]" : host
            // Written straight to the file descriptor: scripts wait for this line through a pipe.
            FileHandle.standardOutput.write(Data("media-server listening on http://\(shown):\(port)\n".utf8))
        }
        var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = service.shutdownTimeout
        try await ServiceGroup(configuration: group).run()
    }

}
