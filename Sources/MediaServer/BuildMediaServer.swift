import Hummingbird
import HummingbirdCore
import MediaAPI
import Logging
import NIOCore

/// Builds the application; tests run it with HummingbirdTesting (.router or .live) or
/// `try await app.runService()`. `onServerRunning` reports the bound port (for port 0).
/// `accessLog` gets one line per request (nil: none).
public func buildMediaServer(
    store: any MediaServerStore, configuration: MediaServerConfiguration, accessLog: Logger? = nil,
    onServerRunning: (@Sendable (Int) async -> Void)? = nil
) -> some ApplicationProtocol {
    let router = Router(context: MediaRequestContext.self)
    let metrics = ServerMetrics()
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ObservabilityMiddleware(metrics: metrics, accessLog: accessLog))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware())
    if !configuration.faults.isNone {
        router.add(middleware: FaultMiddleware(plan: configuration.faults))
    }
    router.add(middleware: AuthenticationMiddleware(
        authenticator: Authenticator(
            accounts: configuration.accounts, applications: configuration.applications,
            replays: TokenReplayGuard(capacity: configuration.maxLiveTokensPerApplication))))
    MediaRoutes(store: store, configuration: configuration).register(on: router)
    ServiceRoutes(store: store, metrics: metrics, readinessTimeout: configuration.readinessTimeout).register(on: router)

    let logger = configuration.logger ?? {
        var logger = Logger(label: "media-server")
        logger.logLevel = .warning
        return logger
    }()
    let port = configuration.port
    return Hummingbird.Application(
        router: router,
        server: HTTPServerBuilder { responder in
            GuardedHTTP1Channel(responder: responder, limits: configuration.connectionLimits, logger: logger)
        },
        configuration: .init(
            address: .hostname(configuration.host, port: port), serverName: "media-server",
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
        onServerRunning: { channel in
            await onServerRunning?(channel.localAddress?.port ?? port)
        },
        logger: logger)
}

/// Runs the server in a task of its own and returns once it listens, with the port it bound
/// (the one asked for, or the system's pick for port 0) and the task, which stops the server
/// when cancelled. For embedding the server: tests, benchmarks, tools.
public func launchMediaServer(store: any MediaServerStore, configuration: MediaServerConfiguration, accessLog: Logger? = nil) async throws
    -> (port: Int, task: Task<Void, any Error>)
{
    try await launch(named: "media-server") { reportPort in
        buildMediaServer(store: store, configuration: configuration, accessLog: accessLog, onServerRunning: reportPort)
    }
}

/// Runs the application `build` makes in a task of its own and returns once it listens, with
/// the port it bound and the task, which stops it when cancelled. `build` gets the function its
/// `onServerRunning` must call with the bound port. Any Hummingbird application: media-server,
/// or a test's own server on a free loopback port.
public func launch<App: ApplicationProtocol>(
    named name: String, _ build: (@escaping @Sendable (Int) async -> Void) -> App
) async throws -> (port: Int, task: Task<Void, any Error>) {
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let app = build { port in
        portSink.yield(port)
        portSink.finish()
    }
    let task = Task { try await app.runService() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else {
        task.cancel()
        throw MediaError.transport("\(name) did not start")
    }
    return (port, task)
}
