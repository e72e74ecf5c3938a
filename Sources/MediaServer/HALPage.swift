import Foundation
import MediaAPI

/// One page of `GET /v3/media` in the seed's HAL shape: `_embedded.media`, `_links`, `count`, `page_index`, `page_size`.
struct HALPage: JSONWritable {
    var records: [WireRecord]
    /// Every item matching, on all pages.
    var count: Int
    var pageIndex: Int
    var pageSize: Int
    /// `first`, `last`, `self`, and `next`/`prev` where those pages exist.
    var links: [(relation: String, href: String)]

    /// Builds the page and its links; `linkQuery` holds the request's own parameters, repeated in each link.
    init(records: [WireRecord], count: Int, pageIndex: Int, pageSize: Int, linkQuery: [(String, String)]) {
        self.records = records
        self.count = count
        self.pageIndex = pageIndex
        self.pageSize = pageSize
        let lastIndex = max(0, (count + pageSize - 1) / pageSize - 1)
        func href(_ index: Int) -> String {
            let pairs = [("page_size", String(pageSize))] + linkQuery + [("page_index", String(index))]
            return "/v3/media?" + pairs.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        var links = [("first", href(0)), ("last", href(lastIndex)), ("self", href(pageIndex))]
        if pageIndex < lastIndex { links.append(("next", href(pageIndex + 1))) }
        if pageIndex > 0 { links.append(("prev", href(min(pageIndex - 1, lastIndex)))) }
        self.links = links
    }

    func write(to json: inout JSONOutput) {
        json.object { json in
            json.key("_embedded")
            json.object { json in
                json.key("media")
                json.array { json in
                    for record in records { record.write(to: &json) }
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

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:")

    private static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}
