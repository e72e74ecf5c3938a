import Foundation
import MediaAPI

/// One page of `GET /v3/media` in the seed's HAL shape: `_embedded.media`, `_links`, `count`, `page_index`, `page_size`.
struct HALPage: JSONWritable {
    /// The page's items, already written: the objects of `_embedded.media` (`PageItemsWriter`).
    var items: [UInt8]
    /// Every item matching, on all pages.
    var count: Int
    var pageIndex: Int
    var pageSize: Int
    /// `first`, `last`, `self`, and `next`/`prev` where those pages exist.
    var links: [(relation: StaticString, href: String)]

    /// Builds the page and its links; `linkQuery` holds the request's own parameters, repeated in each link.
    init(items: [UInt8], count: Int, pageIndex: Int, pageSize: Int, linkQuery: [(String, String)]) {
        self.items = items
        self.count = count
        self.pageIndex = pageIndex
        self.pageSize = pageSize
        let lastIndex = max(0, (count + pageSize - 1) / pageSize - 1)
        // page_size, the request's own parameters, then page_index: the same up to the index in every link.
        let common = "/v3/media?page_size=\(pageSize)" + linkQuery.map { "&\($0.0)=\(Self.escape($0.1))" }.joined() + "&page_index="
        func href(_ index: Int) -> String { common + String(index) }
        var links: [(relation: StaticString, href: String)] = [("first", href(0)), ("last", href(lastIndex)), ("self", href(pageIndex))]
        if pageIndex < lastIndex { links.append(("next", href(pageIndex + 1))) }
        if pageIndex > 0 { links.append(("prev", href(min(pageIndex - 1, lastIndex)))) }
        self.links = links
    }

    func write(to json: inout JSONOutput) {
        json.reserve(512 + items.count)
        json.object { json in
            json.key("_embedded")
            json.object { json in
                json.key("media")
                json.array { json in
                    json.written(items)
                }
            }
            json.key("_links")
            json.object { json in
                for (relation, href) in links {
                    json.key(relation)
                    json.object { json in json.member("href", href) }
                }
            }
            json.member("count", count)
            json.member("page_index", pageIndex)
            json.member("page_size", pageSize)
        }
    }

    /// Percent-encodes every UTF-8 byte but the unreserved ones (letters, digits, `-._~`) and `:`,
    /// with upper-case hex digits, as Foundation's `addingPercentEncoding` did at several times the cost.
    static func escape(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"):
                bytes.append(byte)
            default:
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
