import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MediaAPI
import MediaServiceContract
import MediaStore
import MediaURLFetch
import Testing

/// Uploads by url keep to public addresses unless told otherwise (no SSRF into the own machine
/// or network), every redirect hop included; the address classifier behind it, form by form.
@Suite struct URLFetchTests {
    @Test(arguments: [
        ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("0.0.0.0", "unspecified"), ("10.1.2.3", "private"),
        ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"), ("100.64.0.1", "carrier-grade"),
        ("100.127.255.255", "carrier-grade"), ("169.254.169.254", "link-local"), ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"), ("255.255.255.255", "reserved"), ("240.0.0.1", "reserved"), ("192.0.2.7", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("::", "unspecified"), ("::1", "loopback"), ("0:0:0:0:0:0:0:1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:7f00:1", "loopback"), ("::ffff:10.0.0.1", "private"), ("::ffff:169.254.169.254", "link-local"),
        ("::127.0.0.1", "reserved"), ("64:ff9b::a9fe:a9fe", "link-local"), ("64:ff9b::7f00:1", "loopback"), ("2002:7f00:1::", "loopback"),
        ("2002:c0a8:101::1", "private"), ("fc00::1", "unique local"), ("fd12:3456::1", "unique local"), ("fe80::1", "link-local"),
        ("fe80::1%lo", "link-local"), ("febf::1", "link-local"), ("fec0::1", "site-local"), ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"), ("2001::1", "IETF"), ("100::1", "discard"), ("4000::1", "reserved"),
    ])
    func refusesEveryNonPublicRange(address: String, range: String) throws {
        let parsed = try #require(IPAddress(address), "\(address) did not parse")
        let found = try #require(parsed.nonPublicRange, "\(address) was taken for a public address")
        #expect(found.contains(range), "\(address): \(found)")
    }

    @Test(arguments: ["8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "169.253.1.1",
                      "11.0.0.1", "223.255.255.255", "2606:4700:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8",
                      "64:ff9b::808:808", "2002:808:808::1"])
    func acceptsPublicAddresses(address: String) throws {
        let parsed = try #require(IPAddress(address), "\(address) did not parse")
        #expect(parsed.nonPublicRange == nil, "\(address): \(parsed.nonPublicRange ?? "")")
    }

    @Test func readsOnlyNumericAddresses() {
        #expect(IPAddress("localhost") == nil)
        #expect(IPAddress("1.2.3") == nil)
        #expect(IPAddress("::ffff:127.0.0.1")?.description == "::ffff:127.0.0.1")
        #expect(IPAddress("0:0:0:0:0:0:0:1")?.description == "::1")
    }

    @Test("by default no loopback form is fetched, and the server behind it never hears of it")
    func refusesLoopbackByDefault() async throws {
        let folder = try TemporaryFolder()
        let store = try MediaStore(directory: folder.store)
        let origin = try LoopbackHTTPServer(files: ["/a.wav": Data("secret".utf8)])
        let service = store.service(account: "local")
        let port = origin.port
        for host in ["127.0.0.1", "localhost", "0.0.0.0", "127.1", "2130706433", "0x7f000001", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]"] {
            let url = try #require(URL(string: "http://\(host):\(port)/a.wav"), "\(host)")
            let error = await mediaError { _ = try await service.upload(MediaUpload(source: .url(url))) }
            guard case .invalidInput(let message) = error else {
                Issue.record("\(host) gave \(String(describing: error))")
                continue
            }
            #expect(message.contains("only public addresses"), "\(host): \(message)")
        }
        #expect(origin.requests == 0, "a refused url was fetched after all")
        #expect(try await service.all().isEmpty)
    }

    @Test("an allowed host is fetched; a redirect from it to a host that is not allowed is refused")
    func checksEveryRedirectHop() async throws {
        let folder = try TemporaryFolder()
        let store = try MediaStore(directory: folder.store)
        let bytes = Data("fetched".utf8)
        let origin = try LoopbackHTTPServer(files: ["/a.wav": bytes], redirects: [:])
        let port = origin.port
        let redirecting = try LoopbackHTTPServer(files: [:], redirects: [
            "/to-loopback": "http://127.0.0.1:\(port)/a.wav",
            "/to-allowed": "http://localhost:\(port)/a.wav",
        ])
        let service = store.service(account: "local", urlFetch: URLFetchPolicy(allowedHosts: ["LocalHost"]))
        func url(_ host: String, _ server: LoopbackHTTPServer, _ path: String) throws -> URL {
            try #require(URL(string: "http://\(host):\(server.port)\(path)"))
        }

        let direct = try await service.upload(MediaUpload(source: .url(try url("localhost", origin, "/a.wav"))))
        #expect(direct.etag == MD5.hex(of: bytes))
        let followed = try await service.upload(MediaUpload(source: .url(try url("localhost", redirecting, "/to-allowed"))))
        #expect(followed.etag == MD5.hex(of: bytes))
        #expect(origin.requests == 2)

        let error = await mediaError { _ = try await service.upload(MediaUpload(source: .url(try url("localhost", redirecting, "/to-loopback")))) }
        guard case .invalidInput(let message) = error else {
            Issue.record("a redirect to 127.0.0.1 gave \(String(describing: error))")
            return
        }
        #expect(message.contains("127.0.0.1") && message.contains("loopback"), "\(message)")
        #expect(origin.requests == 2, "the redirect to a host that is not allowed was followed")
        #expect(try await service.all().count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory.path).isEmpty)
    }

    @Test("a redirect to a file: url is refused even where any address may be fetched")
    func refusesARedirectToAFile() async throws {
        let folder = try TemporaryFolder()
        let store = try MediaStore(directory: folder.store)
        let secret = try folder.file("secret.txt", Data("do not read".utf8))
        let redirecting = try LoopbackHTTPServer(files: [:], redirects: ["/file": secret.absoluteString])
        let service = store.service(account: "local", urlFetch: .anyAddress)
        let error = await mediaError { _ = try await service.upload(MediaUpload(source: .url(redirecting.url("/file")))) }
        guard case .invalidInput(let message) = error else {
            Issue.record("a redirect to a file gave \(String(describing: error))")
            return
        }
        #expect(message.contains("only http and https"), "\(message)")
        #expect(try await service.all().isEmpty)
    }

    @Test("an origin that trickles its answer is cut off at the policy's timeout", .timeLimit(.minutes(2)))
    func tricklingOriginTimesOut() async throws {
        let folder = try TemporaryFolder()
        // 10 bytes a second of a 600-byte body: a minute, far past the timeout.
        let origin = try TricklingOrigin(bodyBytes: 600, every: 0.1)
        var policy = URLFetchPolicy(allowedHosts: ["127.0.0.1"])
        policy.timeout = .milliseconds(800)
        let target = folder.url.appendingPathComponent("fetched")
        do {
            _ = try await URLFetch(policy: policy).download(origin.url, to: target, maxBytes: nil)
            Issue.record("the trickled fetch finished")
        } catch let error as URLFetchError {
            #expect(error.reason.contains("did not finish within"), "\(error)")
        }
    }
}

/// An origin on 127.0.0.1 that answers one request with a Content-Length and then the body a
/// byte at a time, `every` seconds apart, until it is done or the client goes away.
final class TricklingOrigin: Sendable {
    let port: UInt16
    private let listener: Int32

    init(bodyBytes: Int, every pause: TimeInterval) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
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
        Thread {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var chunk = [UInt8](repeating: 0, count: 4096)
            _ = read(client, &chunk, chunk.count)
            let head = Array("HTTP/1.1 200 OK\r\nContent-Length: \(bodyBytes)\r\nConnection: close\r\n\r\n".utf8)
            guard send(client, head, head.count, Int32(MSG_NOSIGNAL)) == head.count else { return }
            for _ in 0..<bodyBytes {
                Thread.sleep(forTimeInterval: pause)
                var byte = UInt8(ascii: "z")
                guard send(client, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
            }
        }.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)/slow.wav") ?? URL(fileURLWithPath: "/") }
}
