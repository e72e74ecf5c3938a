import Foundation
import Testing
@testable import MediaServer

/// Text every request goes through, written by hand instead of through Foundation: the
/// Authorization header's scheme and value, and the access log's duration.
@Suite struct RequestPathTextTests {
    @Test("an Authorization header splits at its first space, without the spaces and tabs around each part")
    func authorizationSplit() {
        let cases: [(String, String, String)] = [
            ("Basic abc==", "Basic", "abc=="),
            (" \tBasic   abc==\t ", "Basic", "abc=="),
            ("Bearer", "Bearer", ""),
            ("Bearer   ", "Bearer", ""),
            ("", "", ""),
            ("   ", "", ""),
            ("Basic a b", "Basic", "a b"),
            // Only HTTP's optional white space is trimmed (RFC 9110: space and tab); a no-break
            // space is part of the value, which then is not base64 and is refused.
            ("Basic abc\u{00A0}", "Basic", "abc\u{00A0}"),
            ("Bäsic ü ", "Bäsic", "ü"),
        ]
        for (header, scheme, value) in cases {
            let split = Authenticator.split(header)
            #expect(split.scheme == scheme && split.value == value, "\(header.debugDescription): \(split)")
        }
    }

    @Test("durations are written in milliseconds with three decimals, rounded to the microsecond")
    func durationMilliseconds() {
        let cases: [(Duration, String)] = [
            (.zero, "0.000"), (.nanoseconds(499), "0.000"), (.nanoseconds(500), "0.001"), (.microseconds(7), "0.007"),
            (.microseconds(20_763), "20.763"), (.milliseconds(1), "1.000"), (.nanoseconds(999_999_600), "1000.000"),
            (.seconds(61) + .microseconds(50), "61000.050"), (.seconds(-1), "0.000"),
        ]
        for (duration, text) in cases {
            #expect(ObservabilityMiddleware.milliseconds(duration) == text, "\(duration)")
        }
    }
}
