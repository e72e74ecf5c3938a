import Foundation
import Hummingbird
import HummingbirdTesting
import MediaAPI
@testable import MediaServer
import Testing

/// The byte-level writers of media-server's answers (`JSONOutput`, the list page's links) against
/// what they must equal: JSON that JSONSerialization and JSONDecoder read back as the same text,
/// escaped exactly as the server always has (quote, backslash and C0 controls; nothing else), and
/// links percent-encoded exactly as Foundation's `addingPercentEncoding` does.
@Suite("JSON and link writing")
struct JSONOutputTests {
    /// Text an attacker may put in a title, metadata, a file name or a request's parameters (the API refuses U+0000
    /// in stored text, but the access log writes whatever a request carried).
    static let hostile: [String] = [
        "", "plain", "\"", "\\", "\\\"", "\"\\", "\n", "\nstart", "end\n", "\n\r\t", "a\u{1}b\u{1f}c",
        String((0...0x7F).map { Character(Unicode.Scalar(UInt8($0))) }),
        "\u{2028}\u{2029}", "\u{85}\u{7F}\u{FEFF}\u{FFFD}", "é漢字🎬", "e\u{301}", "</script><script>alert(1)</script>",
        "\u{1b}[31mred\u{1b}[0m", "{\"id\":\"forged\"}", "%2F%00/../..", "a+b c&d=e?f#g",
        String(repeating: "a\"", count: 600), String(repeating: "é\u{1}", count: 300),
    ]

    /// The escaping the server's JSON has always had, written scalar by scalar: quote, backslash,
    /// \n \r \t, other C0 controls as lower-case \u00xx; everything else (U+2028/9 included) as it is.
    static func reference(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += "\\u00" + String(scalar.value >> 4, radix: 16) + String(scalar.value & 0xF, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    @Test("a string member is written as the reference escaping says and reads back as the same text")
    func strings() throws {
        for text in Self.hostile {
            var json = JSONOutput()
            json.object { json in json.member(named: "k\"\u{1}", text) }
            let written = String(decoding: json.bytes, as: UTF8.self)
            #expect(written == "{\(Self.reference("k\"\u{1}")):\(Self.reference(text))}", "\(text.debugDescription)")
            #expect(!json.bytes.contains { $0 < 0x20 }, "a raw control byte in \(written.debugDescription)")
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: String])
            #expect(parsed == ["k\"\u{1}": text])
            #expect(try JSONDecoder().decode([String: String].self, from: Data(json.bytes)) == ["k\"\u{1}": text])
        }
    }

    @Test("a byte to escape is found at every offset of strings of every length up to three words, beside its neighbours")
    func escapesAtEveryOffset() {
        // Bytes to escape, and the bytes next to them in value that must pass as they are (0x20 after the
        // controls, 0x21 and 0x23 around the quote, 0x5B and 0x5D around the backslash, 0xE0 whose top bits
        // the control test looks at, and 0x7F).
        let special: [UInt8] = [0x22, 0x5C, 0x00, 0x01, 0x0A, 0x1F]
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x61]
        for length in 0...25 {
            for offset in 0..<max(length, 1) {
                for byte in special + plain where length > 0 {
                    var utf8 = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    utf8[offset] = byte
                    // A second one further on, so a run after the first escape is scanned too.
                    if offset + 9 < length { utf8[offset + 9] = UInt8(ascii: "\"") }
                    let text = String(decoding: utf8, as: UTF8.self)
                    var json = JSONOutput()
                    json.object { json in json.member("k", text) }
                    #expect(String(decoding: json.bytes, as: UTF8.self) == "{\"k\":\(Self.reference(text))}", "\(utf8)")
                }
            }
        }
        // Non-ASCII (lead and continuation bytes 0x80–0xFF) passes as it is, at every offset too.
        for length in 1...20 {
            let text = String(repeating: "é", count: length) + "\u{1}" + String(repeating: "漢", count: length)
            var json = JSONOutput()
            json.object { json in json.member("k", text) }
            #expect(String(decoding: json.bytes, as: UTF8.self) == "{\"k\":\(Self.reference(text))}")
        }
    }

    @Test("integers are written in decimal digits, the extremes included")
    func integers() throws {
        let values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 1_234_567_890, Int64(Int32.max) + 1, .max, .min, .max - 1, .min + 1]
        for value in values {
            var json = JSONOutput()
            json.object { json in
                json.member("a", value)
                json.member("b", Int(value))
            }
            #expect(String(decoding: json.bytes, as: UTF8.self) == "{\"a\":\(value),\"b\":\(value)}")
        }
    }

    @Test("a time member is MediaTime's text")
    func times() {
        for seconds in [0, -1, 1_600_000_000.123, 1_600_000_000.9999, -62_135_596_800, 253_402_300_799.999, 1e300, -1e300, .nan] as [Double] {
            var json = JSONOutput()
            let date = Date(timeIntervalSince1970: seconds)
            json.object { json in json.member("t", milliseconds: MediaTime.milliseconds(date)) }
            #expect(String(decoding: json.bytes, as: UTF8.self) == "{\"t\":\"\(MediaTime.format(date))\"}")
        }
    }

    @Test("link values are percent-encoded exactly as Foundation's addingPercentEncoding did")
    func linkEscaping() {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:")
        for text in Self.hostile + (0...0xFF).map({ String(Character(Unicode.Scalar(UInt8($0)))) }) {
            #expect(HALPage.escape(text) == text.addingPercentEncoding(withAllowedCharacters: unreserved), "\(text.debugDescription)")
        }
    }

    /// An item with its times as the API writes them (a time read back from its text need not be the same Double).
    static func comparable(_ item: MediaItem) -> [String] {
        var rest = item
        rest.timeCreated = nil
        rest.timeLastUpdated = nil
        return [String(describing: rest), item.timeCreated.map(MediaTime.format) ?? "-", item.timeLastUpdated.map(MediaTime.format) ?? "-"]
    }

    @Test("a list page and an info answer carry hostile text as the reference escaping says, in the seed's member order")
    func hostileItemsOverHTTP() async throws {
        let server = try TestServer()
        var seeded: [MediaItem] = []
        for (n, hostile) in Self.hostile.enumerated() {
            let text = hostile.filter { $0 != "\u{0}" }  // the API refuses U+0000 in stored text
            let info = MediaUpdate(
                title: text, description: "d" + text, metadataPrimary: text + "p", metadataSecondary: "\u{2028}" + text,
                maxDownloadsAllowed: n == 1 ? Int.max : n)
            seeded.append(try await server.seed("content \(n)", name: "f\(n)" + text.prefix(40).filter { $0 != "/" }, info: info))
        }
        let stored = seeded
        let hostileAccount = "acc\"ount/\u{1}é&x=y"
        let query = "account_id=" + HALPage.escape(hostileAccount) + "&page_size=100"
        try await server.test { client in
            let response = try await client.execute(uri: "/v3/media?\(query)", method: .get, headers: basic(TestServer.alice))
            #expect(response.status == .ok)
            let body = Data(response.body.readableBytesView)
            let text = String(decoding: body, as: UTF8.self)
            #expect(!body.contains { $0 < 0x20 })

            struct Page: Decodable {
                struct Embedded: Decodable { var media: [MediaItem] }
                var _embedded: Embedded
                var count: Int
            }
            let page = try JSONDecoder().decode(Page.self, from: body)
            #expect(page.count == stored.count)
            #expect(page._embedded.media.sorted { $0.id < $1.id }.map(Self.comparable) == stored.sorted { $0.id < $1.id }.map(Self.comparable))
            for item in stored {
                for field in [item.title, item.description, item.metadataPrimary, item.metadataSecondary, item.originalFileName] {
                    let field = try #require(field)
                    #expect(text.contains(":" + Self.reference(field) + ","), "\(field.debugDescription)")
                }
            }
            let order = [
                "id", "account_id", "store_id", "etag", "media_size", "mime_type", "original_file_name", "title", "description",
                "metadata_primary", "metadata_secondary", "public", "max_downloads_allowed", "times_downloaded", "time_created",
                "time_last_updated",
            ]
            let firstItem = try #require(text.range(of: "\"id\":").map { text[$0.lowerBound...] })
            let positions = order.map { firstItem.range(of: "\"\($0)\":")?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil } && positions.map { $0! } == positions.map { $0! }.sorted())
            #expect(text.contains("\"max_downloads_allowed\":\(Int.max),"))

            // The links repeat the request's account_id, percent-encoded.
            let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            let links = try #require(object["_links"] as? [String: [String: String]])
            #expect(links["self"]?["href"] == "/v3/media?page_size=100&account_id=\(HALPage.escape(hostileAccount))&order=descending&page_index=0")

            for item in stored.prefix(4) {
                let info = try await client.execute(uri: "/v3/media/\(item.id)/info", method: .get, headers: basic(TestServer.alice))
                #expect(Self.comparable(try JSONDecoder().decode(MediaItem.self, from: Data(info.body.readableBytesView))) == Self.comparable(item))
                #expect(String(buffer: info.body).contains("\"title\":" + Self.reference(item.title ?? "") + ","))
            }
        }
    }
}
