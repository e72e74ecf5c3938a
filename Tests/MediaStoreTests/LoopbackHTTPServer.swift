#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A tiny HTTP/1.1 server on 127.0.0.1 serving fixed files by path, redirects (302 to a
/// Location) by path, and 404 otherwise, so uploads from http URLs are tested against a real
/// socket without the network. It counts the requests it was sent.
final class LoopbackHTTPServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let served = RequestCount()

    /// How many requests reached the server so far.
    var requests: Int { served.value }

    init(files: [String: Data], redirects: [String: String] = [:]) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let served = self.served
        Thread { Self.serve(fd, files, redirects, served) }.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)") ?? URL(fileURLWithPath: "/")
    }

    private static func serve(_ listener: Int32, _ files: [String: Data], _ redirects: [String: String], _ served: RequestCount) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var request = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 4096)
            while !request.containsHeaderEnd {
                let count = read(client, &chunk, chunk.count)
                if count <= 0 { break }
                request += chunk[0..<count]
            }
            let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
            let path = line.count > 1 ? String(line[1]) : "/"
            served.add()
            let body = files[path]
            let status = redirects[path].map { "302 Found\r\nLocation: \($0)" } ?? (body == nil ? "404 Not Found" : "200 OK")
            var response = Data("HTTP/1.1 \(status)\r\nContent-Length: \(body?.count ?? 0)\r\nConnection: close\r\n\r\n".utf8)
            response += body ?? Data()
            response.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                var sent = 0
                while sent < bytes.count {
                    let n = write(client, base + sent, bytes.count - sent)
                    if n <= 0 { break }
                    sent += n
                }
            }
            close(client)
        }
    }
}

private final class RequestCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}

private extension Array where Element == UInt8 {
    var containsHeaderEnd: Bool {
        count >= 4 && (0...(count - 4)).contains { self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10 }
    }
}
