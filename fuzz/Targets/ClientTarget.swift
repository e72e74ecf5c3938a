import Foundation
import MediaAPI
import MediaHTTPClient

/// The `client` target: a server's answer as mediash reads it, as a list page and as one item, in
/// both shapes (the seed's snake_case with ISO times, the older camelCase with epoch
/// milliseconds). Every item read is written back in the seed's shape, as `save` and `json`
/// do, and must read back the same. Where the list reader's byte shortcut reads a page, JSONDecoder
/// must read the same items from it.
enum ClientAnswers {
    static func read(_ body: Data) {
        // The byte reader is a shortcut: whatever it reads, JSONDecoder must read the same.
        if let fast = ResponseDecoding.listPageByReader(body) {
            let slow: [MediaItem]
            do { slow = try ResponseDecoding.listPageByDecoder(body) } catch {
                require(false, "the byte reader read \(fast.count) items where JSONDecoder failed: \(error)")
                return
            }
            require(fast == slow, "the byte reader read \(fast) where JSONDecoder read \(slow)")
        }
        var items = (try? ResponseDecoding.listPage(body)) ?? []
        if let item = try? ResponseDecoding.item(body) { items.append(item) }
        for item in items { roundTrip(item) }
    }
}

func roundTrip(_ item: MediaItem) {
    require(!item.id.isEmpty, "an item was read without an id")
    guard let json = try? JSONEncoder().encode(item) else { return require(false, "cannot encode \(item)") }
    guard let again = try? ResponseDecoding.item(json) else {
        return require(false, "cannot read back \(String(decoding: json, as: UTF8.self))")
    }
    // Times are written as whole milliseconds: floored, unless the time is a millisecond made as
    // stores and readers make one (ms / 1000 s), which a plain floor could put one early
    // (`MediaTime.milliseconds`; 5 ms read from the camelCase shape was written back as 4).
    func sameTime(_ written: Date?, _ read: Date?) -> Bool {
        guard let written, let read else { return written == nil && read == nil }
        let floored = (written.timeIntervalSince1970 * 1000).rounded(.down)
        let back = (read.timeIntervalSince1970 * 1000).rounded()
        return Double(MediaTime.milliseconds(written)) == back && (back == floored || back == floored + 1)
    }
    var expected = item, read = again
    (expected.timeCreated, expected.timeLastUpdated, read.timeCreated, read.timeLastUpdated) = (nil, nil, nil, nil)
    require(read == expected && sameTime(item.timeCreated, again.timeCreated) && sameTime(item.timeLastUpdated, again.timeLastUpdated),
            "\(item) was written as \(String(decoding: json, as: UTF8.self)) and read back as \(again)")
}
