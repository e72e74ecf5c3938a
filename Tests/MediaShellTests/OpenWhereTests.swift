import Foundation
import Testing
@testable import MediaShell

/// `open FILE | where …`: the reader runs the test as records are parsed, on both of its threads,
/// in place of the stage (`SourceTesting`), and the results are those of running the stages one
/// after the other, errors included. Also the readers' quick paths: keys matched as bytes, strings and
/// CSV cells stepped over eight bytes at a time, whole numbers read from a cell's bytes.
@Suite struct OpenWhereTests {
    private static func file(_ text: String, _ ext: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("open-where-\(UUID().uuidString).\(ext)")
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Every value the reader gives, with the test `where` (nil: none), one thread or two.
    private static func read(_ url: URL, csv: Bool, where source: String?, parallel: Bool, fields: Set<String>? = nil) throws -> [Value] {
        let test = try ReaderTest(try source.map { try predicate("open x | where \($0)") }, Interpreter(variables: [:], now: Date()))
        let input = try ByteInput(url: url, chunk: 1 << 17)
        var out: [Value] = []
        if csv {
            let reader = CSVReader(input, fields: fields, test: test, parallel: parallel)
            while let v = try reader.next() { out.append(v) }
        } else {
            let reader = JSONReader(input, fields: fields, test: test, parallel: parallel)
            while let v = try reader.next() { out.append(v) }
        }
        return out
    }

    /// 30,000 records (several windows of 128 KiB, so two threads share each); every 997th has
    /// a size that is text, which `size > 1MB` cannot compare.
    private static let sizes: [String] = (0..<30_000).map { $0 % 997 == 500 ? "\"big\"" : "\($0 * 100)" }

    private static func texts(_ sizes: [String] = sizes) -> [(name: String, text: String, csv: Bool)] {
        let lines = sizes.enumerated().map { i, s in "{\"id\":\(i),\"media_size\":\(s),\"mime_type\":\"\(i % 3 == 0 ? "audio/wav" : "text/plain")\"}" }
        let csv = "id,media_size,mime_type\n" + sizes.enumerated().map { i, s in "\(i),\(s == "\"big\"" ? "big" : s),\(i % 3 == 0 ? "audio/wav" : "text/plain")" }
            .joined(separator: "\n") + "\n"
        return [("jsonl", lines.joined(separator: "\n") + "\n", false), ("json", "[\n" + lines.joined(separator: ",\n") + "\n]\n", false), ("csv", csv, true)]
    }

    @Test func theReaderKeepsWhatTheTestKeepsAndFailsWhereItFails() throws {
        // The same records with every size a number, and with some sizes text.
        let numbers = (0..<30_000).map { "\($0 * 100)" }
        for ((name, text, csv), (_, withText, _)) in zip(Self.texts(numbers), Self.texts()) {
            let url = try Self.file(text, name), textURL = try Self.file(withText, name)
            defer {
                try? FileManager.default.removeItem(at: url)
                try? FileManager.default.removeItem(at: textURL)
            }
            let all = try Self.read(url, csv: csv, where: nil, parallel: false)
            #expect(all.count == 30_000, "\(name)")
            for parallel in [false, true] {
                let kept = try Self.read(url, csv: csv, where: "size > 1MB", parallel: parallel)
                let expected = numbers.enumerated().filter { _, s in Int(s).map { $0 > 1_000_000 } ?? false }.map(\.offset)
                #expect(expected.count > 10_000 && expected.count < 29_000)
                #expect(kept == expected.map { all[$0] }, "\(name), parallel: \(parallel)")
                // Narrowed records, as a pipeline that reads two fields gets them.
                let narrow = try Self.read(url, csv: csv, where: "size > 1MB and mime =~ \"wav\"", parallel: parallel,
                                           fields: ["id", "media_size", "size", "mime_type", "mime"])
                #expect(narrow.count == expected.filter { $0 % 3 == 0 }.count, "\(name), parallel: \(parallel)")
                #expect(narrow.compactMap { $0.record?.names }.allSatisfy { $0 == ["id", "media_size", "mime_type"] }, "\(name)")
                // The test fails on the first size that is text after the id it starts at: what
                // came before it, then its error. Failures at several depths of the file land in
                // the reader's part of a window and in its helper's.
                for from in [0, 2000, 5000, 10000, 20000] {
                    let failsAt = (from...).first { $0 % 997 == 500 } ?? 0
                    let input = try ByteInput(url: textURL, chunk: 1 << 17)
                    let test = try ReaderTest(try predicate("open x | where id >= \(from) and size > 1000B"), Interpreter(variables: [:], now: Date()))
                    let next: () throws -> Value?
                    if csv { next = CSVReader(input, test: test, parallel: parallel).next } else { next = JSONReader(input, test: test, parallel: parallel).next }
                    var before: [Value] = []
                    do {
                        while let v = try next() { before.append(v) }
                        Issue.record("\(name): no error")
                    } catch {
                        #expect("\(error)" == "cannot compare a string with a size", "\(name): \(error)")
                    }
                    #expect(before == Array(all[max(11, from)..<failsAt]), "\(name), from \(from), parallel: \(parallel)")
                }
            }
        }
    }

    @Test func aWhereAfterOpenGivesWhatItGivesAfterAnyOtherStage() async throws {
        let f = try await Fixture.make(items: 1)
        let shell = f.shell()
        for (name, text, _) in Self.texts() {
            try Data(text.utf8).write(to: f.directory.appendingPathComponent("items.\(name)"))
            // `skip 0` in between: the test then runs in the pipeline alone.
            for tail in ["| count", "| select id | jsonl", "| first 3 | json"] {
                for test in ["size > 1MB", "mime =~ \"wav\" and id =~ \"7\"", "size > 1MB or mime =~ \"wav\""] {
                    let pushed = await f.run("open items.\(name) | where \(test) \(tail)", shell: shell)
                    let local = await f.run("open items.\(name) | skip 0 | where \(test) \(tail)", shell: shell)
                    #expect(pushed.out == local.out, "\(name): where \(test) \(tail)")
                    #expect(pushed.err == local.err, "\(name): where \(test) \(tail)")
                    #expect(pushed.outcome.status == local.outcome.status, "\(name): where \(test) \(tail)")
                }
            }
            // The records before the first size that is text, then its error, either way.
            // (Ids 11 to 499: bigger than 1000 bytes; 500's size is text.)
            let failing = await f.run("open items.\(name) | where size > 1000B | select id | jsonl", shell: shell)
            #expect(failing.outcome.status == .failure, "\(name)")
            #expect(failing.err.contains("cannot compare"), "\(name): \(failing.err)")
            #expect(failing.out.split(separator: "\n").count == 489, "\(name)")
        }
        let plan = await f.run("explain open items.csv | where size > 1MB | count", shell: shell)
        #expect(plan.out.contains("where size > 1MB → done by open as it parses"), "\(plan.out)")
        #expect(plan.out.hasSuffix("Local stages:\n  open items.csv\n  count\n"), "\(plan.out)")
        let notPushed = await f.run("explain open items.csv | skip 0 | where size > 1MB | count", shell: shell)
        #expect(!notPushed.out.contains("done by open"), "\(notPushed.out)")
    }

    // MARK: - The readers' quick paths

    @Test func keysThatDifferOnlyInTheirLastByteAreTold() throws {
        // Lengths around a word (8 bytes): the last, partial word is compared under a mask.
        var lines: [String] = []
        var expected: [Value] = []
        for n in 1...17 {
            let base = String(repeating: "k", count: n - 1)
            for last in ["a", "b", "a"] {
                lines.append("{\"\(base + last)\":\(n),\"\(base)\":0}")
                expected.append(.record(Record(names: [base + last, base], values: [.int(Int64(n)), .int(0)])))
            }
            // A key that is the one before it and one byte more, and one byte less.
            lines.append("{\"\(base + "a")x\":1,\"\(base)\":0}")
            expected.append(.record(Record(names: [base + "ax", base], values: [.int(1), .int(0)])))
        }
        let text = lines.joined(separator: "\n")
        #expect(try OpenReaderTests.read(text) == expected)
        // The closing quote is part of what is matched: a key's bytes followed by another byte
        // are not that key (here the string never ends on its line).
        for n in 1...17 {
            let key = String(repeating: "k", count: n)
            #expect(throws: RunError.self, "\(n)") { try OpenReaderTests.read("{\"\(key)\":1}\n{\"\(key)!:1}\n") }
            // And the colon after it: a key followed by another byte is not a field.
            #expect(throws: RunError.self, "\(n)") { try OpenReaderTests.read("{\"\(key)\":1}\n{\"\(key)\"!1}\n") }
            #expect(throws: RunError.self, "\(n)") { try OpenReaderTests.read("{\"a\":0,\"\(key)\":1}\n{\"a\":0;\"\(key)\":1}\n") }
        }
        #expect(try OpenReaderTests.read(text, readLimit: 1, chunk: 1) == expected)
        #expect(try OpenReaderTests.read(text, readLimit: 5, chunk: 8) == expected)
    }

    @Test func stringsWithEscapesAndControlsAtEveryOffset() throws {
        for length in 1..<20 {
            for at in 0..<length {
                let plain = String(repeating: "a", count: length)
                var chars = Array(plain)
                chars[at] = "\""
                let escaped = String(plain.prefix(at)) + "\\\"" + String(plain.dropFirst(at + 1))
                let text = "{\"k\":1,\"s\":\"\(escaped)\"}\n{\"k\":2,\"s\":\"\(escaped)\"}"
                let decoded = String(chars)
                #expect(try OpenReaderTests.read(text) == [1, 2].map { .record(Record(names: ["k", "s"], values: [.int($0), .string(decoded)])) })
                // Skipped, not decoded: the same bytes are stepped over.
                #expect(try OpenReaderTests.read(text, fields: ["k"]) == [1, 2].map { .record(Record(names: ["k"], values: [.int($0)])) })
                // A raw control character is an error at its own byte, decoded or skipped.
                let control = "{\"k\":1,\"s\":\"\(plain.prefix(at))\u{01}\(plain.dropFirst(at + 1))\"}"
                for fields in [nil, Set(["k"])] as [Set<String>?] {
                    do {
                        _ = try OpenReaderTests.read(control, fields: fields)
                        Issue.record("no error for a control character at \(at) of \(length)")
                    } catch {
                        #expect("\(error)".hasSuffix("invalid JSON at byte \(12 + at): a control character in a string (escape it)"), "\(error)")
                    }
                }
            }
        }
    }

    @Test func csvCellsOfEveryLengthRoundTrip() throws {
        // Cells holding commas, quotes, CR and LF at every offset, around the eight-byte step.
        var rows: [[String]] = []
        let specials = [",", "\"", "\n", "\r\n", "x"]
        for length in 0..<19 {
            for (k, special) in specials.enumerated() {
                let at = (length * 7 + k) % max(1, length)
                var cell = String(repeating: "c", count: length)
                if length > 0 { cell = String(cell.prefix(at)) + special + String(cell.dropFirst(at + 1)) }
                rows.append(["r\(length)-\(k)", cell, String(repeating: "z", count: (length + k) % 11)])
            }
        }
        func quoted(_ cell: String) -> String {
            // By scalars: "\r\n" is one Character, which no single one of these is.
            cell.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) }) ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }
        let text = "name,text,tail\n" + rows.map { $0.map(quoted).joined(separator: ",") }.joined(separator: "\n") + "\n"
        let url = try Self.file(text, "csv")
        defer { try? FileManager.default.removeItem(at: url) }
        // Small windows (rows read byte by byte at their ends) and large ones (rows read a word at a time).
        for (chunk, limit) in [(4, Int.max), (4, 1), (4, 9), (1 << 16, Int.max), (1 << 16, 13)] {
            let reader = CSVReader(try ByteInput(url: url, chunk: chunk, readLimit: limit))
            var got: [Value] = []
            while let v = try reader.next() { got.append(v) }
            #expect(got == rows.map { row in
                .record(Record(names: ["name", "text", "tail"], values: row.map { FieldTyping.cell(.plain, $0) }))
            }, "windows of \(chunk), reads of \(limit)")
        }
    }

    @Test func csvRowsShortOfTheHeaderAndRepeatedNames() throws {
        // Values appended in order (each name once) and placed by slot (a name repeated: the
        // later cell wins), with cells missing at the end of a row: nulls.
        for (header, rows, names, expected) in [
            ("a,b,c", "1,2,3\n4\n5,6\n", ["a", "b", "c"], [[1, 2, 3], [4, nil, nil], [5, 6, nil]]),
            ("a,b,a", "1,2,3\n4\n5,6\n", ["a", "b"], [[3, 2], [4, nil], [5, 6]]),
        ] as [(String, String, [String], [[Int64?]])] {
            let url = try Self.file(header + "\n" + rows, "csv")
            defer { try? FileManager.default.removeItem(at: url) }
            let reader = CSVReader(try ByteInput(url: url))
            var got: [Value] = []
            while let v = try reader.next() { got.append(v) }
            #expect(got == expected.map { .record(Record(names: names, values: $0.map { $0.map(Value.int) ?? .null })) }, "\(header)")
        }
    }

    @Test func cellsTypedFromTheirBytesAreTypedAsFromTheirText() throws {
        let cells = ["0", "-0", "+5", "007", "-", "+", "5-", "1a", " 1", "1 ", "123456789012345678", "-123456789012345678",
                     "1234567890123456789", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                     "99999999999999999999", "1.5", "1e3", "true", "false", "True", "truex", "fals", "", "١٢", "audio/wav",
                     "a.b", ".", "-.5", "+1.5", "1.", "nan", "inf", "2026-11-01T00:00:00.000Z", "é", "ascii and then é"]
        for cell in cells {
            for kind in [FieldTyping.Kind.plain, .size, .time] {
                let bytes = Array(cell.utf8)
                let value = try bytes.withUnsafeBufferPointer { b in
                    try CSVScanner.cell(b, 0, b.count, false, kind, name: "t.csv", line: 1)
                }
                #expect(value == FieldTyping.cell(kind, cell), "\(cell) as \(kind)")
            }
        }
    }
}
