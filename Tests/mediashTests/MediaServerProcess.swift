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
    init(sandbox: Sandbox, extraArguments: [String] = [], errorLog: URL? = nil) throws {
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
        process.executableURL = binary
        process.arguments = [
            "--host", "127.0.0.1", "--port", "0", "--data", sandbox.root.appendingPathComponent("server-data").path,
            "--account", "\(MediaServerProcess.apiKey):\(MediaServerProcess.apiSecret)",
            "--application", "\(MediaServerProcess.applicationID):\(MediaServerProcess.apiKey):\(publicKey.path)",
        ] + extraArguments
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
        DispatchQueue.global().async { _ = reader.readDataToEndOfFile() }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
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
