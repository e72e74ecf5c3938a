import Foundation
import MediaAPI
import NIOCore

/// How the client reads a server's answers, for the fuzz target (fuzz/client). Package access:
/// not part of the module's API.
package enum ResponseDecoding {
    /// The items of a list page (`GET /v3/media`), as `list` reads each page.
    package static func listPage(_ body: Data) throws -> [MediaItem] {
        try MediaPage.items(from: ByteBuffer(bytes: body))
    }

    /// The same page read by the byte reader alone: nil where it leaves the page to JSONDecoder.
    package static func listPageByReader(_ body: Data) -> [MediaItem]? {
        ListPageReader.items(body)
    }

    /// The same page read by JSONDecoder alone, which the byte reader must agree with.
    package static func listPageByDecoder(_ body: Data) throws -> [MediaItem] {
        try MediaHTTPClient.decode(MediaPage.self, from: ByteBuffer(bytes: body), what: "media list").items
    }

    /// One item (`GET /v3/media/{id}/info`), as `info` reads it.
    package static func item(_ body: Data) throws -> MediaItem {
        try MediaHTTPClient.decode(MediaItem.self, from: ByteBuffer(bytes: body), what: "media item")
    }
}
