import Foundation
@testable import MediaShell
import Testing

@Suite("JSON string escaping")
struct JSONStringEscapingTests {
    func encoded(_ s: String) -> String {
        var out: [UInt8] = []
        JSONRenderer.appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test("plain text is copied as it is, escapes anywhere in a string are written")
    func escapes() {
        #expect(encoded("") == #""""#)
        #expect(encoded("aaaaaaaa-bbbb-cccc-dddd-0123456789ab") == #""aaaaaaaa-bbbb-cccc-dddd-0123456789ab""#)
        #expect(encoded("é ✓") == "\"é ✓\"")
        #expect(encoded("\"a\\b\"") == #""\"a\\b\"""#)
        #expect(encoded("x\ny\rz\tw") == #""x\ny\rz\tw""#)
        #expect(encoded("\u{01}mid\u{1f}") == #""\u0001mid\u001f""#)
    }

    @Test("what it writes reads back as the same string")
    func roundTrip() throws {
        let samples = ["", "a\"b", "\\", "\u{00}\u{7f}\u{80}", "line\nbreak", "tab\tend\u{0b}", "naïve 日本"]
        for sample in samples {
            let decoded = try JSONDecoder().decode(String.self, from: Data(encoded(sample).utf8))
            #expect(decoded == sample)
        }
    }
}
