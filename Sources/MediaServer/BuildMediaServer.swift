import Hummingbird
import Logging
import MediaStore

/// Builds the application; tests run it with HummingbirdTesting (.router or .live) or
/// `try await app.runService()`. `onServerRunning` reports the bound port (for port 0).
public func buildMediaServer(
    store: MediaStore, configuration: MediaServerConfiguration,
    onServerRunning: (@Sendable (Int) async -> Void)? = nil
) -> some ApplicationProtocol {
    let router = Router(context: MediaRequestContext.self)
    router.add(middleware: ProblemMiddleware())
    if !configuration.faults.isNone {
        router.add(middleware: FaultMiddleware(plan: configuration.faults))
    }
    router.add(middleware: AuthenticationMiddleware(
        authenticator: Authenticator(accounts: configuration.accounts, applications: configuration.applications)))
    MediaRoutes(store: store, configuration: configuration).register(on: router)

    var logger = Logger(label: "media-server")
    logger.logLevel = .warning
    let port = configuration.port
    return Hummingbird.Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: port), serverName: "media-server"),
        onServerRunning: { channel in
            await onServerRunning?(channel.localAddress?.port ?? port)
        },
        logger: logger)
}
