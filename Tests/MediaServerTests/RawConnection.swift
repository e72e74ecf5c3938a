import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MediaServer
import Testing

extension TestServer {
    /// Runs `body` with this server listening on a loopback port of its own; stops it afterwards.
    func live<T>(_ body: (Int) async throws -> T) async throws -> T {
        let (port, task) = try await launchMediaServer(store: store, configuration: configuration)
        defer { task.cancel() }
        return try await body(port)
    }
}

/// A plain TCP connection to 127.0.0.1, for what no HTTP client sends: half a request, a body
/// in chunks of our choosing, a client that stops talking.
final class RawConnection: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let descriptor: Int32
    private let lock = NSLock()
    private var isClosed = false

    /// `receiveBuffer`, when given, fixes the socket's receive buffer (no autotuning): the kernel
    /// then holds no more than that much of an answer the client does not read.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            _ = systemClose(descriptor)
            throw Failure(description: "connect to port \(port): \(String(cString: strerror(errno)))")
        }
        // A safety net so a server that never answers fails the test rather than hanging it;
        // no assertion depends on how long anything takes.
        var limit = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close()
    }

    /// Closes our end (the server sees the connection end).
    func close() {
        let first = lock.withLock {
            defer { isClosed = true }
            return !isClosed
        }
        if first { _ = systemClose(descriptor) }
    }

    /// How many bytes the server has sent that are waiting to be read, without waiting for any.
    func pendingBytes() -> Int {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, Int32(MSG_PEEK | MSG_DONTWAIT)) }
        return max(0, n)
    }

    /// Reads one byte, blocking; false when the connection ended (or failed) instead.
    func readByte() -> Bool {
        var byte: UInt8 = 0
        while true {
            let n = recv(descriptor, &byte, 1, 0)
            if n < 0, errno == EINTR { continue }
            return n == 1
        }
    }

    /// One whole answer on a connection that stays open: the head and Content-Length bytes of body.
    func readAnswer() async throws -> [UInt8] {
        try await Self.onThread { [self] in
            var all: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                if let end = all.firstRange(of: Array("\r\n\r\n".utf8)) {
                    let head = String(decoding: all[..<end.lowerBound], as: UTF8.self).lowercased()
                    let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                    if all.count - end.upperBound >= length { return all }
                }
                let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw Failure(description: "the connection ended before a whole answer (\(all.count) bytes)") }
                all += chunk[0..<n]
            }
        }
    }

    /// The bytes read until the answer's head is whole (some of the body may follow it).
    func readHead() async throws -> [UInt8] {
        try await Self.onThread { [self] in
            var all: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while all.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
                let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw Failure(description: "the connection ended before a whole head (\(all.count) bytes)") }
                all += chunk[0..<n]
            }
            return all
        }
    }

    /// Runs blocking socket work on a thread of its own, not on one of the test's cooperative threads.
    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Sends all of `bytes`; false when the server has closed the connection (or reset it).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in systemSend(descriptor, raw.baseAddress! + sent, bytes.count - sent) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Everything the server sends until it closes the connection, read on a thread of its own
    /// (a blocking read must not hold one of the test's cooperative threads). `closed` is false
    /// when the read failed instead (the safety-net timeout, or a reset).
    func readUntilClosed() async -> (bytes: [UInt8], closed: Bool) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                var all: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
                    if n < 0, errno == EINTR { continue }
                    if n == 0 { return continuation.resume(returning: (all, true)) }
                    if n < 0 { return continuation.resume(returning: (all, errno == ECONNRESET)) }
                    all += chunk[0..<n]
                }
            }
        }
    }

    /// The head of an HTTP answer read so far: its status code, or nil before one arrived.
    /// `count` connections to `port`, each sent `request` once and answered 200 (checked), so the
    /// server has taken them all.
    static func answered(_ count: Int, port: Int, request: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [RawConnection] {
        var connections: [RawConnection] = []
        for _ in 0..<count {
            let connection = try RawConnection(port: port)
            connection.send(request)
            #expect(status(of: try await connection.readAnswer()) == 200, sourceLocation: sourceLocation)
            connections.append(connection)
        }
        return connections
    }

    static func status(of bytes: [UInt8]) -> Int? {
        let text = String(decoding: bytes.prefix(64), as: UTF8.self)
        let fields = text.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/1.") else { return nil }
        return Int(fields[1])
    }
}

/// send(2) without SIGPIPE: a server that closed first must fail the send, not kill the test process.
private func systemSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.send(descriptor, bytes, count, Int32(MSG_NOSIGNAL))
    #else
    Darwin.send(descriptor, bytes, count, 0)
    #endif
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(descriptor)
    #else
    Darwin.close(descriptor)
    #endif
}
