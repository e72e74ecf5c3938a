import Foundation
import MediaAPI
@testable import MediaHTTPClient
import NIOCore
import Testing

/// The list reader's byte shortcut (ListPageReader): it reads the pages media-server writes, reads
/// every page it reads exactly as JSONDecoder does, and leaves anything else, hostile answers
/// included, to JSONDecoder, which words the error. Never a trap.
@Suite("list page reader") struct ListPageReaderTests {
    /// The raw body of one list page from the server.
    static func rawPage(_ server: LiveServer, _ query: String) async throws -> Data {
        let buffer = try await server.client.perform(.GET, server.endpoint.absoluteString + "?" + query) { response, _ in
            try await MediaHTTPClient.collect(response)
        }
        return Data(buffer.readableBytesView)
    }

    @Test("a page media-server writes is read from its bytes, as JSONDecoder reads it")
    func serverPage() async throws {
        try await withLiveServer { server in
            let texts = ["quote \" backslash \\ slash /", "line\nbreak\ttab\u{1}", "é ü 日本 🎧", ""]
            for (index, text) in texts.enumerated() {
                _ = try await server.client.upload(MediaUpload(
                    source: .file(try server.file("f\(index).wav", size: 10 + index)), fileName: "name \(index).wav",
                    info: MediaUpdate(title: text, description: index % 2 == 0 ? nil : text, metadataPrimary: "{\"k\": [1, 2]}",
                                      isPublic: index % 2 == 0, maxDownloadsAllowed: index)))
            }
            let body = try await Self.rawPage(server, "page_size=10&start_time=1970-01-01T00:00:00Z")
            let fast = try #require(ResponseDecoding.listPageByReader(body), "the byte reader left the server's own page to JSONDecoder")
            #expect(fast == (try ResponseDecoding.listPageByDecoder(body)))
            #expect(Set(fast) == Set(try await server.account.all()))
            #expect(fast.count == texts.count)
        }
    }

    @Test("the older camelCase shape with epoch-millisecond times goes to JSONDecoder, and reads the same through list")
    func legacyPage() async throws {
        try await withLiveServer({ $0.legacyShape = true }) { server in
            _ = try await server.client.upload(MediaUpload(source: .file(try server.file("a.wav"))))
            let body = try await Self.rawPage(server, "page_size=10&start_time=1970-01-01T00:00:00Z")
            #expect(ResponseDecoding.listPageByReader(body) == nil)
            #expect(try ResponseDecoding.listPage(body) == (try await server.account.all()))
        }
    }

    static let item = #""id":"a","media_size":5,"time_created":"2020-01-01T14:00:00.000Z""#
    /// An item with neither size nor time, for the cases that give those.
    static let bare = #""id":"a","title":"t""#

    /// Pages the byte reader reads: each must read as JSONDecoder reads it.
    static let readable: [String] = [
        #"{"_embedded":{"media":[]}}"#,
        #" { "count" : 1 , "_links" : {"self": {"href": "/v3/media?x=[1]"}}, "_embedded" : { "media" : [ {\#(item)} ] } } "#,
        // A null under the seed's name leaves the older name to give the value, as MediaItem's decoder does.
        #"{"_embedded":{"media":[{\#(item),"account_id":null,"accountId":"old","publicItem":true,"public":null}]}}"#,
        #"{"_embedded":{"media":[{\#(item),"title":"\u00e9\ud83c\udfa7\n\"\/","x":{"deep":[[1.5e3,-0,true,null,"s"]]}}]}}"#,
        #"{"_embedded":{"media":[{\#(item),"max_downloads_allowed":-9223372036854775808,"times_downloaded":9223372036854775807}]}}"#,
    ]

    @Test("pages it reads, it reads as JSONDecoder does", arguments: readable)
    func agrees(_ json: String) throws {
        let body = Data(json.utf8)
        let fast = try #require(ResponseDecoding.listPageByReader(body), "the byte reader did not read \(json)")
        #expect(fast == (try ResponseDecoding.listPageByDecoder(body)))
    }

    /// Answers the byte reader leaves to JSONDecoder: odd shapes it reads differently, and hostile ones.
    static let leftToDecoder: [String] = [
        #"{"media":[{\#(item)}]}"#,
        #"{"_embedded":{"media":[{\#(bare),"media_size":1.0}]}}"#,
        #"{"_embedded":{"media":[{"id":7}]}}"#,
        #"{"_embedded":{"media":[{\#(bare),"time_created":1577887200000}]}}"#,
        #"{"_embedded":{"media":[{\#(item),"public":"yes"}]}}"#,
        #"{"_embedded":{"media":[{\#(bare),"media_size":9007199254740992}]}}"#,
        #"{"_embedded":{"media":[{\#(bare),"media_size":-1}]}}"#,
        #"{"_embedded":{"media":[{\#(bare),"time_created":"10000-01-01T00:00:00Z"}]}}"#,
        #"{"_embedded":{"media":[{\#(item),"title":"\ud800"}]}}"#,
        #"{"_embedded":{"media":[{\#(item),"title":"a","title":"b"}]}}"#,
        #"{"_embedded":{"media":[{\#(item)}]}} trailing"#,
        #"{"_embedded":{"media":[{\#(item)},]}}"#,
        #"{"_embedded":{"media":[{\#(item),"x":01}]}}"#,
        #"{"_embedded":{"media":[{"id":""}]}}"#,
        #"{"_embedded":{"media":[{\#(item)}"#,
        #"{"_embedded":{"media":[{\#(item),"x":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}]}}",
        String(repeating: "[", count: 100_000),
        "",
    ]

    @Test("odd and hostile answers go to JSONDecoder, which reads them or words an error", arguments: leftToDecoder)
    func leftAlone(_ json: String) throws {
        let body = Data(json.utf8)
        #expect(ResponseDecoding.listPageByReader(body) == nil, "the byte reader read \(json.prefix(120))")
        do {
            #expect(try ResponseDecoding.listPage(body) == (try ResponseDecoding.listPageByDecoder(body)))
        } catch let error as MediaError {
            guard case .server(_, let message) = error else { Issue.record("\(error)"); return }
            #expect(message.hasPrefix("the service answered with an unreadable media list"))
        }
    }

    @Test("invalid UTF-8 in a string goes to JSONDecoder")
    func invalidUTF8() throws {
        var body = Data(#"{"_embedded":{"media":[{"id":"a"#.utf8)
        body += [0xC3, 0x28]
        body += Data(#""}]}}"#.utf8)
        #expect(ResponseDecoding.listPageByReader(body) == nil)
        #expect(throws: MediaError.self) { try ResponseDecoding.listPage(body) }
    }
}
