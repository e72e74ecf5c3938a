import Foundation
import Testing
@testable import MediaAPI

/// What a hostile (or broken) server may send: times and numbers no real item has. Decoding
/// refuses them with the field's name; formatting never traps on any Date.
@Suite struct HostileValueTests {
    /// The DecodingError's description of an item, or nil when it decoded.
    func refusal(_ json: String) -> String? {
        do {
            _ = try JSONDecoder().decode(MediaItem.self, from: Data(json.utf8))
            return nil
        } catch let DecodingError.dataCorrupted(context) {
            return context.debugDescription
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        // The seed's shape: ISO strings, and numbers where a string belongs.
        (#"{"id":"a","time_created":1e300}"#, "time_created"),
        (#"{"id":"a","time_created":-1e300}"#, "time_created"),
        (#"{"id":"a","time_created":"1e300"}"#, "time_created"),
        (#"{"id":"a","time_last_updated":"0000-12-31T23:59:59Z"}"#, "time_last_updated"),
        (#"{"id":"a","time_last_updated":"9999-12-31T23:00:00-05:00"}"#, "time_last_updated"),
        // The older camelCase shape: epoch milliseconds.
        (#"{"id":"a","timeCreated":253402300800000}"#, "timeCreated"),
        (#"{"id":"a","timeCreated":-62135596800001}"#, "timeCreated"),
        (#"{"id":"a","timeLastUpdated":1.7976931348623157e308}"#, "timeLastUpdated"),
    ])
    func outOfRangeTimesAreRefusedNamingTheField(json: String, field: String) {
        let message = refusal(json)
        #expect(message?.contains(field) == true, "\(json): \(message ?? "decoded")")
        #expect(message?.contains("out of range") == true, "\(json): \(message ?? "decoded")")
    }

    @Test func theEndsOfTheRangeDecode() throws {
        let first = try JSONDecoder().decode(MediaItem.self, from: Data(#"{"id":"a","time_created":"0001-01-01T00:00:00.000Z"}"#.utf8))
        #expect(first.timeCreated == MediaTime.earliest)
        let last = try JSONDecoder().decode(MediaItem.self, from: Data(#"{"id":"a","timeCreated":253402300799999}"#.utf8))
        #expect(last.timeCreated.map(MediaTime.format) == "9999-12-31T23:59:59.999Z")
    }

    @Test(arguments: [
        (#"{"id":"a","media_size":-1}"#, "media_size"),
        (#"{"id":"a","mediaSize":"-5"}"#, "mediaSize"),
        (#"{"id":"a","media_size":9007199254740992}"#, "media_size"),
        (#"{"id":"a","media_size":9223372036854775807}"#, "media_size"),
        (#"{"id":"a","media_size":1e300}"#, "media_size"),
        (#"{"id":"a","times_downloaded":1e300}"#, "times_downloaded"),
        (#"{"id":"a","max_downloads_allowed":-1e300}"#, "max_downloads_allowed"),
    ])
    func hostileNumbersAreRefusedNamingTheField(json: String, field: String) {
        let message = refusal(json)
        #expect(message?.contains(field) == true, "\(json): \(message ?? "decoded")")
    }

    @Test func largeButRepresentableCountsClampInsteadOfTrapping() throws {
        let item = try JSONDecoder().decode(
            MediaItem.self, from: Data(#"{"id":"a","media_size":9007199254740991,"times_downloaded":9223372036854775807,"max_downloads_allowed":-3}"#.utf8))
        #expect(item.size == MediaItem.largestSize)
        #expect(item.timesDownloaded == Int.max)
        #expect(item.maxDownloadsAllowed == -3)
        #expect(!item.isDownloadLimitReached)
    }

    @Test(arguments: [
        (1e300, "9999-12-31T23:59:59.999Z"),
        (-1e300, "0001-01-01T00:00:00.000Z"),
        (Double.infinity, "9999-12-31T23:59:59.999Z"),
        (-Double.infinity, "0001-01-01T00:00:00.000Z"),
        (Double.nan, "0001-01-01T00:00:00.000Z"),
        (Double.greatestFiniteMagnitude, "9999-12-31T23:59:59.999Z"),
        (253_402_300_800, "9999-12-31T23:59:59.999Z"),
        (-62_135_596_801, "0001-01-01T00:00:00.000Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (-0.0005, "1969-12-31T23:59:59.999Z"),
    ])
    func formatNeverTrapsAndClampsToTheWritableYears(seconds: Double, expected: String) {
        #expect(MediaTime.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func formatHandlesFoundationsOwnExtremes() {
        #expect(MediaTime.format(.distantPast) == "0001-01-01T00:00:00.000Z")
        #expect(MediaTime.format(.distantFuture) == "4001-01-01T00:00:00.000Z")
        #expect(MediaTime.format(Date(timeIntervalSinceReferenceDate: .greatestFiniteMagnitude)) == "9999-12-31T23:59:59.999Z")
        #expect(MediaTime.isRepresentable(MediaTime.earliest))
        #expect(MediaTime.isRepresentable(MediaTime.latest))
        #expect(!MediaTime.isRepresentable(Date(timeIntervalSince1970: .nan)))
        #expect(!MediaTime.isRepresentable(Date(timeIntervalSince1970: 1e300)))
    }
}
