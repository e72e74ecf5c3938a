import Foundation
@testable import MediaServer
import Testing

@Suite("HTTP dates")
struct HTTPDateTests {
    @Test("format is total: any Date gives an IMF-fixdate, out-of-range ones the nearest of years 1 and 9999")
    func formatIsTotal() {
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
        let latest = "Fri, 31 Dec 9999 23:59:59 GMT", earliest = "Mon, 01 Jan 0001 00:00:00 GMT"
        for seconds in [1e300, 9.3e18, Double(Int64.max), .greatestFiniteMagnitude, .infinity] {
            #expect(HTTPDate.format(Date(timeIntervalSince1970: seconds)) == latest, "\(seconds)")
        }
        for seconds in [-1e300, -9.3e18, -.greatestFiniteMagnitude, -.infinity, .nan] {
            #expect(HTTPDate.format(Date(timeIntervalSince1970: seconds)) == earliest, "\(seconds)")
        }
        #expect(HTTPDate.format(.distantFuture).hasSuffix(" GMT"))
        #expect(HTTPDate.format(.distantPast) == earliest)
        for seconds in [-1.5, 253_402_300_799.9, -62_135_596_800] {
            let text = HTTPDate.format(Date(timeIntervalSince1970: seconds))
            #expect(text.count == 29, "\(text)")
        }
    }
}
