import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MediaAPI
import MediaServer
import Testing

/// Clients that hold a connection by being slow on purpose, over real loopback connections: ones
/// that trickle a head or a body a byte at a time (each byte used to reset the idle timeout), ones
/// that send a body nobody will read, ones that read an answer a byte at a time or not at all, and
/// one address opening too many connections. Each test holds a server with few connections and
/// checks that a newcomer is served anyway: the slow ones were cut off.
@Suite("slow clients")
struct SlowClientTests {
    static let authorization = HostileClientTests.authorization

    @Test("a refused upload's body is not read: 401, the connection ends, and four such clients do not hold a --max-connections 4 server", .timeLimit(.minutes(3)))
    func refusedBodyIsNotRead() async throws {
        // A long idle timeout: only the new rule can free the slots.
        let server = try TestServer {
            $0.maxConnections = 4
            $0.idleTimeout = .seconds(600)
        }
        try await server.live { port in
            var connections: [RawConnection] = []
            var tricklers: [Trickler] = []
            for _ in 0..<4 {
                let connection = try RawConnection(port: port)
                connection.send("POST /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000000\r\n\r\n--b\r\n")
                connections.append(connection)
                tricklers.append(Trickler.sending(on: connection, every: .milliseconds(200), count: 600))
            }
            for connection in connections {
                let (answer, closed) = await connection.readUntilClosed()
                #expect(closed && RawConnection.status(of: answer) == 401, "\(String(decoding: answer, as: UTF8.self))")
                #expect(String(decoding: answer, as: UTF8.self).lowercased().contains("connection: close"))
            }
            // The slots are free again: a newcomer is answered (it waits in the listen queue until then).
            let probe = try RawConnection(port: port)
            probe.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let (answer, closed) = await probe.readUntilClosed()
            #expect(closed && RawConnection.status(of: answer) == 200, "the server did not take a fifth connection")
            // And the tricklers were cut off, not merely answered: a send failed before they ran out of bytes.
            for trickler in tricklers {
                #expect(await trickler.outcome() == .cutOff, "a trickling body kept its connection")
            }
        }
    }

    @Test("a request head trickled a byte at a time is cut off after --request-head-timeout", .timeLimit(.minutes(2)))
    func trickledHead() async throws {
        let server = try TestServer {
            $0.requestHeadTimeout = .milliseconds(500)
            $0.idleTimeout = .seconds(600)
        }
        try await server.live { port in
            let connection = try RawConnection(port: port)
            connection.send("GET /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ")
            // 10 bytes a second for at most a minute: every byte used to reset the idle timer.
            let trickler = Trickler.sending(on: connection, every: .milliseconds(100), count: 600)
            #expect(await trickler.outcome() == .cutOff, "a trickled head held its connection for a minute")
        }
    }

    @Test("an authenticated body slower than --min-body-rate is cut off after --idle-timeout", .timeLimit(.minutes(2)))
    func trickledBody() async throws {
        let server = try TestServer {
            $0.idleTimeout = .milliseconds(500)
            $0.minimumBodyRate = 1024
        }
        try await server.live { port in
            let connection = try RawConnection(port: port)
            connection.send("PUT /v3/media/x/info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"title\": \"")
            // 10 bytes a second, each one within the idle timeout.
            let trickler = Trickler.sending(on: connection, every: .milliseconds(100), count: 600)
            #expect(await trickler.outcome() == .cutOff, "a trickled body held its connection for a minute")
        }
    }

    @Test("a body at a fair rate is not cut off, however long it takes past the timeouts", .timeLimit(.minutes(2)))
    func fairBodyIsServed() async throws {
        // Timeouts of 1.5 s: a loaded machine may pause the sender for a second without its
        // rate falling under the minimum.
        let server = try TestServer {
            $0.idleTimeout = .milliseconds(1500)
            $0.requestHeadTimeout = .milliseconds(1500)
            $0.minimumBodyRate = 1024
        }
        let item = try await server.seed("x")
        try await server.live { port in
            let title = String(repeating: "t", count: 20_000)
            let body = Array("{\"title\": \"\(title)\"}".utf8)
            let connection = try RawConnection(port: port)
            connection.send("PUT /v3/media/\(item.id)/info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n")
            // 2,000 bytes every 500 ms (4 KB/s, above the minimum): about five seconds, several idle timeouts.
            let trickler = Trickler.sending(body, on: connection, every: .milliseconds(500), piece: 2_000)
            #expect(await trickler.outcome() == .finished)
            let (answer, _) = await connection.readUntilClosed()
            #expect(RawConnection.status(of: answer) == 204, "\(HostileClientTests.detail(answer))")
        }
        #expect(try await server.store.item(id: item.id)?.title?.count == 20_000)
    }

    @Test("downloads whose client reads nothing, or a byte now and then, are cut off after --idle-timeout", .timeLimit(.minutes(3)))
    func slowReaders() async throws {
        let log = LogRecorder()
        let server = try TestServer {
            $0.maxConnections = 2
            $0.idleTimeout = .milliseconds(500)
            $0.logger = log.logger
        }
        // 16 MB, with the clients' receive buffers fixed at 64 KiB: far more than the kernel holds
        // (loopback autotunes a receive buffer up to 32 MB here, which held a whole 32 MB answer).
        let size = 16 * 1024 * 1024
        let item = try await server.seed(String(repeating: "m", count: size), name: "big.bin")
        try await server.live { port in
            let request = "GET /v3/media/\(item.id) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\n\r\n"
            let silent = try RawConnection(port: port, receiveBuffer: 65_536)
            silent.send(request)
            let slow = try RawConnection(port: port, receiveBuffer: 65_536)
            slow.send(request)
            // A byte every 200 ms, 25 of them (5 s, ten idle timeouts).
            let sipper = Trickler.reading(from: slow, every: .milliseconds(200), count: 25)
            // Both slots are taken; a newcomer is served once the server has cut them off.
            let probe = try RawConnection(port: port)
            probe.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let (answer, closed) = await probe.readUntilClosed()
            #expect(closed && RawConnection.status(of: answer) == 200, "two readers that do not read held the server")
            // Both were cut off (the server says so: an event, not a time; on a loaded machine
            // the answer may take seconds to fill the buffers): what the kernel had taken still
            // arrives, then the end, short of the item.
            await log.wait(forLines: 2, containing: "the client read none of the answer")
            _ = await sipper.outcome()
            for (name, connection) in [("silent", silent), ("slow", slow)] {
                let (received, closed) = await connection.readUntilClosed()
                #expect(closed && received.count < size, "the \(name) client got \(received.count) bytes of \(size)")
            }
        }
    }

    @Test("past --max-connections-per-address a connection gets 503 and ends; others are served", .timeLimit(.minutes(2)))
    func perAddressLimit() async throws {
        let server = try TestServer {
            $0.maxConnectionsPerAddress = 2
            $0.idleTimeout = .seconds(600)
        }
        let request = "GET /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\n\r\n"
        try await server.live { port in
            let held = try await RawConnection.answered(2, port: port, request: request)
            let (first, second) = (held[0], held[1])
            let third = try RawConnection(port: port)
            let (refused, closed) = await third.readUntilClosed()
            #expect(closed && RawConnection.status(of: refused) == 503, "\(String(decoding: refused, as: UTF8.self))")
            #expect(String(decoding: refused, as: UTF8.self).contains("Retry-After: 1"))
            // The two keep being served; once one closes, a new one is too.
            second.send(request)
            #expect(RawConnection.status(of: try await second.readAnswer()) == 200)
            first.close()
            // The server sees the close a little later: a newcomer may still be refused until it does.
            var served = false
            for _ in 0..<200 where !served {
                let next = try RawConnection(port: port)
                next.send(request.replacingOccurrences(of: "\r\n\r\n", with: "\r\nConnection: close\r\n\r\n"))
                let (answer, _) = await next.readUntilClosed()
                served = RawConnection.status(of: answer) == 200
            }
            #expect(served)
        }
    }
}

/// A client thread that sends (or reads) a little at a time until it runs out or the server ends
/// the connection. Its sleeps are the client's pace, not a wait for an event.
final class Trickler: Sendable {
    enum Outcome: Equatable {
        /// The server ended the connection before the client was done.
        case cutOff
        /// The client sent (or read) all it meant to.
        case finished
    }

    private let done: AsyncStream<Outcome>

    private init(_ work: @escaping @Sendable () -> Outcome) {
        let (stream, sink) = AsyncStream.makeStream(of: Outcome.self)
        done = stream
        Thread.detachNewThread {
            sink.yield(work())
            sink.finish()
        }
    }

    func outcome() async -> Outcome? {
        for await outcome in done { return outcome }
        return nil
    }

    /// Sends one byte `count` times, `every` apart.
    static func sending(on connection: RawConnection, every pause: Duration, count: Int) -> Trickler {
        sending([UInt8](repeating: UInt8(ascii: "a"), count: count), on: connection, every: pause, piece: 1)
    }

    /// Sends `bytes`, `piece` bytes at a time, `every` apart.
    static func sending(_ bytes: [UInt8], on connection: RawConnection, every pause: Duration, piece: Int) -> Trickler {
        Trickler {
            var offset = 0
            while offset < bytes.count {
                Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds))
                let end = min(bytes.count, offset + piece)
                guard connection.send(Array(bytes[offset..<end])) else { return .cutOff }
                offset = end
            }
            return .finished
        }
    }

    /// Reads one byte `count` times, `every` apart.
    static func reading(from connection: RawConnection, every pause: Duration, count: Int) -> Trickler {
        Trickler {
            for _ in 0..<count {
                Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds))
                guard connection.readByte() else { return .cutOff }
            }
            return .finished
        }
    }
}
