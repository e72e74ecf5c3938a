import Foundation
import MediaAPI
import MediaServer
import MediaStore
import Testing

/// Clients that misbehave on purpose, over real loopback connections: ones that stop talking,
/// ones that open too many connections, bodies without limits, downloads racing deletes.
@Suite("hostile clients")
struct HostileClientTests {
    static let authorization = "Basic " + Data("alice:alice-secret".utf8).base64EncodedString()

    @Test("a client that sends half a request, or half a body, and stops is disconnected after the idle timeout", .timeLimit(.minutes(2)))
    func idleTimeout() async throws {
        let server = try TestServer { $0.idleTimeout = .milliseconds(200) }
        try await server.live { port in
            let halfHead = try RawConnection(port: port)
            halfHead.send("GET /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthoriz")
            let halfBody = try RawConnection(port: port)
            halfBody.send("PUT /v3/media/x/info HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ti")
            let silent = try RawConnection(port: port)
            for connection in [halfHead, halfBody, silent] {
                let (_, closed) = await connection.readUntilClosed()
                #expect(closed, "the server kept a stalled connection open")
            }
            // A client that does talk is served.
            let fine = try RawConnection(port: port)
            fine.send("GET /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nConnection: close\r\n\r\n")
            let (answer, closed) = await fine.readUntilClosed()
            #expect(closed && RawConnection.status(of: answer) == 200)
        }
    }

    @Test("past --max-connections a new connection waits until one closes, then is served", .timeLimit(.minutes(2)))
    func connectionCap() async throws {
        // A long idle timeout: the held connections must stay open however slow the machine is.
        let server = try TestServer {
            $0.maxConnections = 2
            $0.idleTimeout = .seconds(600)
        }
        let request = "GET /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\n\r\n"
        try await server.live { port in
            // Two connections, each answered once, so the server has taken both.
            let held = try await RawConnection.answered(2, port: port, request: request)
            let (first, second) = (held[0], held[1])
            // The kernel completes the third handshake (the listen queue), but the server does not take it.
            let third = try RawConnection(port: port)
            third.send(request.replacingOccurrences(of: "\r\n\r\n", with: "\r\nConnection: close\r\n\r\n"))
            // The first two are served again, after the third's request was sent; the third is not.
            for connection in [first, second] {
                connection.send(request)
                let answer = try await connection.readAnswer()
                #expect(RawConnection.status(of: answer) == 200)
            }
            #expect(third.pendingBytes() == 0, "the third connection was served while two were open")
            first.close()
            let (answer, closed) = await third.readUntilClosed()
            #expect(closed && RawConnection.status(of: answer) == 200)
        }
    }

    /// Sends `head` and then `body` in chunked transfer encoding, 64 KiB a chunk, while reading the answer;
    /// stops sending once the server has answered or closed. Returns the answer.
    static func chunkedExchange(port: Int, head: String, body: [UInt8]) async throws -> [UInt8] {
        let connection = try RawConnection(port: port)
        connection.send(head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        // Blocking sends run on a thread of their own: a server that stops reading must not stall the test's threads.
        let answered = NSLock(), done = UnsafeFlag()
        Thread.detachNewThread {
            var offset = 0
            while offset < body.count, !answered.withLock({ done.value }) {
                let piece = Array(body[offset..<min(body.count, offset + 65_536)])
                guard connection.send(Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Array("\r\n".utf8)) else { return }
                offset += piece.count
            }
            connection.send("0\r\n\r\n")
        }
        let (answer, _) = await connection.readUntilClosed()
        answered.withLock { done.value = true }
        return answer
    }

    /// A GET of one item's content on a connection of its own.
    static func get(_ id: String) -> String {
        "GET /v3/media/\(id) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(authorization)\r\nConnection: close\r\n\r\n"
    }

    static func detail(_ answer: [UInt8]) -> String {
        guard let split = answer.firstRange(of: Array("\r\n\r\n".utf8)) else { return "" }
        let body = Data(answer[split.upperBound...])
        return ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["detail"] as? String ?? String(decoding: body, as: UTF8.self)
    }

    @Test("a chunked upload with a 24 MB part header is refused with 400 before it is parsed, and the server keeps serving", .timeLimit(.minutes(2)))
    func hugePartHeader() async throws {
        let server = try TestServer()
        let boundary = "b0undary"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"filedata\"; filename=\"".utf8)
        body += [UInt8](repeating: UInt8(ascii: "a"), count: 24 * 1024 * 1024)
        body += Array("\"\r\n\r\nhello\r\n--\(boundary)--\r\n".utf8)
        try await server.live { port in
            let head = "POST /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
            let answer = try await Self.chunkedExchange(port: port, head: head, body: body)
            #expect(RawConnection.status(of: answer) == 400)
            #expect(Self.detail(answer).contains("headers are longer than 16 KiB"), "\(Self.detail(answer))")
            // Many header lines, none of them long, are the same.
            var many = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"title\"\r\n".utf8)
            for n in 0..<2_000 { many += Array("X-Filler-\(n): 0123456789\r\n".utf8) }
            many += Array("\r\nt\r\n--\(boundary)--\r\n".utf8)
            let info = "PUT /v3/media/x/info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
            let manyAnswer = try await Self.chunkedExchange(port: port, head: info, body: many)
            #expect(RawConnection.status(of: manyAnswer) == 400)
            let after = try RawConnection(port: port)
            after.send("GET /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nConnection: close\r\n\r\n")
            let afterAnswer = await after.readUntilClosed().bytes
            #expect(RawConnection.status(of: afterAnswer) == 200)
        }
    }

    /// The server fuzz target's find: MultipartKit trapped on such a header name, ending the process for everyone.
    @Test("a part header name with a non-ASCII byte is a 400 naming the problem, and the server keeps serving", .timeLimit(.minutes(2)))
    func nonASCIIPartHeaderName() async throws {
        let server = try TestServer()
        let boundary = "b0undary"
        let body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"filedata\"; filename=\"a\"\r\nX-".utf8) + [0xC3, 0xA9]
            + Array(": 1\r\n\r\nhello\r\n--\(boundary)--\r\n".utf8)
        try await server.live { port in
            let head = "POST /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
            let answer = try await Self.chunkedExchange(port: port, head: head, body: body)
            #expect(RawConnection.status(of: answer) == 400)
            #expect(Self.detail(answer).contains("header name"), "\(Self.detail(answer))")
            let after = try RawConnection(port: port)
            after.send("GET /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nConnection: close\r\n\r\n")
            #expect(RawConnection.status(of: await after.readUntilClosed().bytes) == 200)
        }
        #expect(try UploadRouteTests.leftovers(server).isEmpty)
    }

    @Test("without a Content-Length, a body larger than the request may send is 413 (upload and PUT info)", .timeLimit(.minutes(2)))
    func bodyCapsWithoutContentLength() async throws {
        let server = try TestServer { $0.maxUploadBytes = 1_000 }
        let item = try await server.seed("x")
        let boundary = "b0undary"
        let big = [UInt8](repeating: UInt8(ascii: "z"), count: 3 * 1024 * 1024)
        try await server.live { port in
            let upload = "POST /v3/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
            let file = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"filedata\"; filename=\"a.txt\"\r\n\r\n".utf8)
                + big + Array("\r\n--\(boundary)--\r\n".utf8)
            let answer = try await Self.chunkedExchange(port: port, head: upload, body: file)
            #expect(RawConnection.status(of: answer) == 413, "\(Self.detail(answer))")

            // PUT info has no file: 20 fields of 60 KB each, every one under the field limit, are more than its 1 MiB.
            var fields: [UInt8] = []
            for _ in 0..<20 {
                fields += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n".utf8)
                fields += [UInt8](repeating: UInt8(ascii: "t"), count: 60_000) + Array("\r\n".utf8)
            }
            fields += Array("--\(boundary)--\r\n".utf8)
            let info = "PUT /v3/media/\(item.id)/info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
            let infoAnswer = try await Self.chunkedExchange(port: port, head: info, body: fields)
            #expect(RawConnection.status(of: infoAnswer) == 413, "\(Self.detail(infoAnswer))")

            let json = "PUT /v3/media/\(item.id)/info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nContent-Type: application/json\r\n"
            let jsonBody = Array("{\"title\": \"".utf8) + big + Array("\"}".utf8)
            let jsonAnswer = try await Self.chunkedExchange(port: port, head: json, body: jsonBody)
            #expect(RawConnection.status(of: jsonAnswer) == 413)
        }
        #expect(try await server.store.page(account: "alice", query: MediaQuery(), pageIndex: 0, pageSize: 10).total == 1, "a refused upload was stored")
        #expect(try await server.store.item(id: item.id)?.title == nil)
    }

    @Test("a download racing a delete answers the whole content or 404, never 405 or 500", .timeLimit(.minutes(3)))
    func downloadRacingDelete() async throws {
        let server = try TestServer()
        let content = [UInt8]((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let expected = Array(content.map { 0x30 + $0 % 64 })
        var statuses: [Int: Int] = [:]
        /// A GET's answer: a 200 must carry the whole content; anything but 200 or 404 is wrong.
        func check(_ answer: [UInt8], _ what: String) throws -> Int {
            let status = RawConnection.status(of: answer) ?? 0
            statuses[status, default: 0] += 1
            switch status {
            case 200:
                let split = try #require(answer.firstRange(of: Array("\r\n\r\n".utf8)))
                #expect(Array(answer[split.upperBound...]) == expected, "\(what): a 200 with \(answer.count - split.upperBound) of \(expected.count) bytes")
            case 404:
                break
            default:
                Issue.record("\(what) answered \(status): \(Self.detail(answer))")
            }
            return status
        }
        try await server.live { port in
            for round in 0..<40 {
                let item = try await server.seed(String(decoding: expected, as: UTF8.self), name: "r\(round).bin")
                // Both sides of the race, every round: a download whose answer has begun before
                // the delete is sent (it must still end whole), and one sent after the delete
                // was answered (it must be 404). Between them, four more race the delete freely.
                let inFlight = try RawConnection(port: port)
                inFlight.send(Self.get(item.id))
                let head = try await inFlight.readHead()
                #expect(RawConnection.status(of: head) == 200, "a download begun before the delete: \(Self.detail(head))")
                let answers = try await withThrowingTaskGroup(of: (String, [UInt8]).self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            let connection = try RawConnection(port: port)
                            connection.send(Self.get(item.id))
                            return ("GET", await connection.readUntilClosed().bytes)
                        }
                    }
                    group.addTask {
                        let connection = try RawConnection(port: port)
                        connection.send("DELETE /v3/media/\(item.id) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(Self.authorization)\r\nConnection: close\r\n\r\n")
                        return ("DELETE", await connection.readUntilClosed().bytes)
                    }
                    var all: [(String, [UInt8])] = []
                    for try await answer in group { all.append(answer) }
                    return all
                }
                for (method, answer) in answers {
                    if method == "DELETE" {
                        let status = RawConnection.status(of: answer) ?? 0
                        #expect(status == 204, "DELETE answered \(status): \(Self.detail(answer))")
                        continue
                    }
                    _ = try check(answer, "GET racing a DELETE")
                }
                let after = try RawConnection(port: port)
                after.send(Self.get(item.id))
                #expect(try check(await after.readUntilClosed().bytes, "GET after the DELETE") == 404)
                let (rest, closed) = await inFlight.readUntilClosed()
                #expect(closed)
                #expect(try check(head + rest, "GET begun before the DELETE") == 200)
            }
        }
        print("download racing delete, GET answers by status:", statuses.sorted { $0.key < $1.key })
        #expect(statuses[200, default: 0] >= 40 && statuses[404, default: 0] >= 40, "both sides of the race: \(statuses)")
    }
}

/// A Bool shared between a thread and a test, always read and written under a lock.
final class UnsafeFlag: @unchecked Sendable {
    var value = false
}
