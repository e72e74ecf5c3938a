import Foundation

/// The built `media-server`, started on a free loopback port for one test, with one account
/// (API key and secret) and one application of that account (an RSA key pair made with openssl).
final class MediaServerProcess: @unchecked Sendable {
    static let apiKey = "testkey"
    static let apiSecret = "s3cret-value-9f2c"
    static let applicationID = "8e3c62a2-4b1e-4f6a-9d6c-0c3b1f2e7a11"

    let process = Process()
    let endpoint: String
    let privateKey: URL

    /// `errorLog`, when given, receives the server's standard error (else it is dropped).
    /// `closedStandardError`: the server starts with no descriptor 2 at all (`2>&-`, through sh's exec).
    /// Started off the pool Swift's tasks run on (its start-up blocks: openssl, the first line).
    static func start(sandbox: Sandbox, extraArguments: [String] = [], errorLog: URL? = nil, closedStandardError: Bool = false) async throws -> MediaServerProcess {
        try await offThePool {
            try MediaServerProcess(sandbox: sandbox, extraArguments: extraArguments, errorLog: errorLog, closedStandardError: closedStandardError)
        }
    }

    private init(sandbox: Sandbox, extraArguments: [String], errorLog: URL?, closedStandardError: Bool) throws {
        let keys = sandbox.root.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        privateKey = keys.appendingPathComponent("private.key")
        let publicKey = keys.appendingPathComponent("public.pem")
        try MediaServerProcess.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", privateKey.path])
        try MediaServerProcess.openssl(["pkey", "-in", privateKey.path, "-pubout", "-out", publicKey.path])

        let binary = BuiltBinary.url("media-server")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestFailure("\(binary.path) is not built: run `swift build` first")
        }
        let arguments = [
            "--host", "127.0.0.1", "--port", "0", "--data", sandbox.root.appendingPathComponent("server-data").path,
            "--application", "\(MediaServerProcess.applicationID):\(MediaServerProcess.apiKey):\(publicKey.path)",
        ] + extraArguments
        if closedStandardError {
            // exec keeps the process (and its pid): the server itself starts without descriptor 2.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", #"exec "$0" "$@" 2>&-"#, binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        // The account's secret from the environment, as the docs say, not on the command line (where
        // media-server warns about it).
        var environment = ProcessInfo.processInfo.environment
        environment["MEDIA_SERVER_ACCOUNTS"] = "\(MediaServerProcess.apiKey):\(MediaServerProcess.apiSecret)"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        if let errorLog {
            guard FileManager.default.createFile(atPath: errorLog.path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: errorLog.path) else {
                throw TestFailure("cannot create \(errorLog.path)")
            }
            process.standardError = handle
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()

        // The server announces its port on one line: `media-server listening on http://HOST:PORT`.
        var seen = ""
        let deadline = ContinuousClock.now + .seconds(60)
        let reader = out.fileHandleForReading
        while !seen.contains("\n"), ContinuousClock.now < deadline, process.isRunning {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = seen.range(of: "listening on "),
              let base = seen[range.upperBound...].split(separator: "\n").first else {
            process.terminate()
            throw TestFailure("media-server did not start: \(seen)")
        }
        endpoint = String(base).trimmingCharacters(in: .whitespaces) + "/v3/media"
        // Drained for the server's life on a thread of its own, not on the pool Swift's tasks run on.
        Thread.detachNewThread { _ = reader.readDataToEndOfFile() }
    }

    /// Stops the server: SIGTERM, and SIGKILL when a slow request (a fault latency) keeps it
    /// from ending within 10 s. Returns at once (for `defer`); `stopped()` waits for the end.
    func stop() { terminate(process) }

    /// `stop()`, and returns once the server has ended (its log is whole, its store closed).
    func stopped() async { await terminated(process) }

    /// Returns once a client holds an established TCP connection to the server's port (read from
    /// /proc/net/tcp and tcp6): the event that a request has reached it.
    func waitForConnection(timeout: Duration) async throws {
        guard let port = URL(string: endpoint)?.port else { throw TestFailure("no port in \(endpoint)") }
        let local = String(format: ":%04X", port)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
                // Read to the end: String(contentsOfFile:) stops at 4 KiB of a /proc file (size 0), and
                // on a busy machine the port's row lies further down.
                let text = FileHandle(forReadingAtPath: table).map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) }
                let rows = text?.split(separator: "\n").dropFirst() ?? []
                // Columns: sl local_address rem_address st …; state 01 is ESTABLISHED.
                if rows.contains(where: { row in
                    let columns = row.split(separator: " ")
                    return columns.count > 3 && columns[1].hasSuffix(local) && columns[3] == "01"
                }) { return }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("no connection reached the server on port \(port) within \(timeout)")
    }

    private static func openssl(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl"] + arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TestFailure("openssl \(arguments.joined(separator: " ")) failed") }
    }
}
