import Foundation
import MediaAPI
import Testing
@testable import MediaShell

@Suite struct LexerTests {
    func kinds(_ text: String) -> [TokenKind] {
        Lexer.tokens(SourceText(text: text)).map(\.kind)
    }

    @Test func pipelineWithoutSpaces() {
        #expect(kinds("list since 7d | where size>1MB | delete") == [
            .word, .word, .duration(604_800), .pipe, .word, .word, .op(">"), .size(1_000_000), .pipe, .word, .end,
        ])
    }

    @Test func sizesDecimalAndBinaryAnyCase() {
        #expect(kinds("500B 10KB 1mb 1.5GiB 2TiB 3kib") == [
            .size(500), .size(10_000), .size(1_000_000), .size(1_610_612_736), .size(2_199_023_255_552), .size(3072), .end,
        ])
    }

    @Test func durations() {
        #expect(kinds("500ms 45s 30m 12h 7d 2w") == [
            .duration(0.5), .duration(45), .duration(1800), .duration(43_200), .duration(604_800), .duration(1_209_600), .end,
        ])
    }

    @Test func numbersAndDates() {
        let d = MediaTime.parse("2026-11-01T00:00:00Z")!
        let t = MediaTime.parse("2026-11-01T14:00:00Z")!
        #expect(kinds("42 1.5 2026-11-01 2026-11-01T14:00:00Z") == [.int(42), .float(1.5), .datetime(d), .datetime(t), .end])
        #expect(kinds("2026-13-01").first.map { if case .invalid = $0 { true } else { false } } == true)
    }

    @Test func stringsWithEscapesAndRaw() {
        #expect(kinds(#""a\tb\n\"q\" \u{e9}" 'raw\t'"#) == [.string("a\tb\n\"q\" é"), .string("raw\\t"), .end])
        #expect(kinds("\"open") == [.unterminatedString, .end])
    }

    @Test func operatorsSwitchesVariablesComments() {
        #expect(kinds("== = != <= >= < > =~ !~ + - * / --dry-run $it $1 # comment\n;") == [
            .op("=="), .op("="), .op("!="), .op("<="), .op(">="), .op("<"), .op(">"), .op("=~"), .op("!~"),
            .op("+"), .op("-"), .op("*"), .op("/"), .switchFlag, .variable, .variable, .newline, .semicolon, .end,
        ])
    }

    @Test func unknownUnitIsInvalidAndIdsAreWords() {
        #expect(kinds("5XB") == [.invalid("unknown unit 'XB'"), .end])
        #expect(kinds("3f2a9") == [.word, .end])
    }
}
