import Foundation
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
}
