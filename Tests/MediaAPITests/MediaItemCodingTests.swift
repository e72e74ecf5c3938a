import Foundation
import Testing
@testable import MediaAPI

@Suite struct MediaItemCodingTests {
    @Test func decodesTheSeedShape() throws {
        let json = """
        {"id":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab","account_id":"abcd1234","etag":"aaaaaaaabbbbccccdddd0123456789ab",
         "max_downloads_allowed":0,"media_size":1234567,"metadata_primary":"foo,bar","mime_type":"audio/vnd.wave",
         "original_file_name":"test.wav","public":false,"store_id":"s3","time_created":"2020-01-01T14:00:00.000Z",
         "time_last_updated":"2020-01-01T14:00:01Z","times_downloaded":1,"unknown_field":{"x":1}}
        """
        let item = try JSONDecoder().decode(MediaItem.self, from: Data(json.utf8))
        #expect(item.id == "aaaaaaaa-bbbb-cccc-dddd-0123456789ab")
        #expect(item.size == 1_234_567)
        #expect(item.mimeType == "audio/vnd.wave")
        #expect(item.originalFileName == "test.wav")
        #expect(item.timesDownloaded == 1)
        #expect(item.timeCreated == Date(timeIntervalSince1970: 1_577_887_200))
        #expect(item.timeLastUpdated == Date(timeIntervalSince1970: 1_577_887_201))
        #expect(item.metadataSecondary == nil)
        #expect(item.title == nil)
    }

    @Test func decodesTheOlderCamelCaseShape() throws {
        let json = """
        {"id":"x1","accountId":"abcd","mediaSize":"42","publicItem":true,"timeCreated":1577887200123,
         "timeLastUpdated":1577887200000,"mimeType":"audio/mpeg","originalFileName":"a.mp3","timesDownloaded":3,
         "maxDownloadsAllowed":5,"title":"T","description":"D"}
        """
        let item = try JSONDecoder().decode(MediaItem.self, from: Data(json.utf8))
        #expect(item.size == 42)
        #expect(item.isPublic)
        #expect(item.timeCreated.map { ($0.timeIntervalSince1970 * 1000).rounded() } == 1_577_887_200_123)
        #expect(item.maxDownloadsAllowed == 5)
        #expect(item.title == "T")
        #expect(item.description == "D")
    }

    @Test func missingOptionalFieldsAreNotErrors() throws {
        let item = try JSONDecoder().decode(MediaItem.self, from: Data(#"{"id":"only","title":null}"#.utf8))
        #expect(item == MediaItem(id: "only"))
    }

    @Test func anItemWithoutAnIdIsAnError() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(MediaItem.self, from: Data(#"{"media_size":1}"#.utf8)) }
    }

    @Test func encodesTheSeedShapeWithMilliseconds() throws {
        let item = MediaItem(id: "i", size: 7, isPublic: true, timeCreated: Date(timeIntervalSince1970: 1_577_887_200.25))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(item), as: UTF8.self)
        #expect(text == #"{"id":"i","max_downloads_allowed":0,"media_size":7,"public":true,"time_created":"2020-01-01T14:00:00.250Z","times_downloaded":0}"#)
        let back = try JSONDecoder().decode(MediaItem.self, from: Data(text.utf8))
        #expect(back == item)
    }
}

@Suite struct MediaTimeTests {
    @Test(arguments: [
        ("2020-01-01T14:00:00.000Z", 1_577_887_200.0),
        ("2020-01-01T14:00:00Z", 1_577_887_200.0),
        ("2020-01-01T14:00:00", 1_577_887_200.0),
        ("2020-01-01 14:00", 1_577_887_200.0),
        ("2020-01-01T15:00:00+01:00", 1_577_887_200.0),
        ("2020-01-01T09:30:00-0430", 1_577_887_200.0),
        ("2020-01-01", 1_577_836_800.0),
        ("1969-12-31T23:59:59Z", -1.0),
    ])
    func parses(_ text: String, _ seconds: Double) {
        #expect(MediaTime.parse(text) == Date(timeIntervalSince1970: seconds))
    }

    @Test(arguments: ["", "2020", "2020-13-01", "2020-02-30", "2020-01-01T25:00", "2020-01-01Tnoon", "2020-01-01T14:00:00.Z", "yesterday"])
    func rejects(_ text: String) {
        #expect(MediaTime.parse(text) == nil)
    }

    @Test func formatsWithMillisecondsAndRoundTrips() {
        let date = Date(timeIntervalSince1970: 1_577_887_200.999)
        #expect(MediaTime.format(date) == "2020-01-01T14:00:00.999Z")
        #expect(MediaTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(MediaTime.parse(MediaTime.format(date)).map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
    }
}
