import Foundation
import Testing
@testable import MediaShell

/// `open`'s readers: JSON (array and lines) held to Foundation's JSONSerialization on tricky
/// inputs, every input also read cut at every byte (as a pipe may deliver it), CSV's quoting,
/// reading only the fields a pipeline uses, and `open -` from standard input.
@Suite struct OpenReaderTests {
    /// Valid JSON values, each read as `[{"v": VALUE}]` by both readers.
    static let valid: [String] = [
        #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u4E2D\u0000""#, #""\ud83c\udfb5 x""#, "\"é 日本 🎙\"", #""""#,
        "0", "-0.5", "1e3", "1E-2", "-12.5e+3", "2.5E2", "1.0", "9223372036854775807",
        "9223372036854775808", "123456789012345678901234567890", "0.1", "-7",
        "true", "false", "null", "[]", "{}", "[1,[2,[3,{\"a\":[]}]]]", #"{"x":{"y":null,"z":"w"}}"#,
        " \t\r\n[ 1 ,\n\t2 ] ", #"{"a\"b": 1, "a\\": 2, "": 3}"#, #"["\\", "\"", "\/"]"#,
    ]

    /// Not JSON: both readers refuse each.
    static let invalid: [String] = [
        "[1,]", "[01]", "[1.]", "[.5]", "[-]", #"["\x"]"#, "[\"a\tb\"]", #"["\u12G4"]"#, "[tru]", "[nul]",
        #"[{"a" 1}]"#, "[1 2]", #"["abc"#, "[1e]", "[+1]", "[1]x", "[NaN]", #"[{"a":1,}]"#, "[{,}]", "[1", "[", "[\"a\"",
        "[{\"a\":1}", "[1]]", "[truex]", "[-01]", "[1e5.5]",
    ]

    /// Not JSON, though Foundation on Linux takes them: trailing commas.
    static let foundationTakes: Set<String> = ["[1,]", #"[{"a":1,}]"#]

    /// Foundation's reading of JSON text as the shell's values.
    static func foundationValue(_ any: Any) -> Value {
        switch any {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let a as [Any]: return .list(a.map(foundationValue))
        case let d as [String: Any]:
            let keys = d.keys.sorted()
            return .record(Record(names: keys, values: keys.map { foundationValue(d[$0] as Any) }))
        case let n as NSNumber:
            let type = String(cString: n.objCType)
            if type == "c" || type == "B" { return .bool(n.boolValue) }
            if type == "d" || type == "f" { return .float(n.doubleValue) }
            if type == "Q", n.uint64Value > UInt64(Int64.max) { return .float(n.doubleValue) }
            return .int(n.int64Value)
        case let d as Decimal: return .float(NSDecimalNumber(decimal: d).doubleValue)
        case let b as Bool: return .bool(b)
        case let i as Int: return .int(Int64(i))
        case let d as Double: return .float(d)
        default: return .string("unexpected \(type(of: any))")
        }
    }

    /// Records with their fields sorted by name (Foundation's dictionaries keep no order).
    static func sorted(_ v: Value) -> Value {
        switch v {
        case .record(let r):
            let pairs = zip(r.names, r.values).sorted { $0.0 < $1.0 }
            return .record(Record(names: pairs.map(\.0), values: pairs.map { sorted($0.1) }))
        case .list(let items): return .list(items.map(sorted))
        default: return v
        }
    }

    /// All values of `text` read by JSONReader from a file, the input cut into reads of `readLimit` bytes.
    static func read(_ text: String, readLimit: Int = .max, chunk: Int = ByteInput.chunk, fields: Set<String>? = nil) throws -> [Value] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("open-reader-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = JSONReader(try ByteInput(url: url, chunk: chunk, readLimit: readLimit), fields: fields)
        var out: [Value] = []
        while let v = try reader.next() { out.append(v) }
        return out
    }

    @Test(arguments: valid)
    func validJSONReadsAsFoundationReadsIt(_ value: String) throws {
        let text = "[{\"v\": \(value)}]"
        let expected = Self.foundationValue(try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]))
        let whole = try Self.read(text)
        #expect(Self.sorted(.list(whole)) == expected, "\(value)")
        // Cut at every byte, and as JSON Lines: the same values.
        #expect(try Self.read(text, readLimit: 1, chunk: 1) == whole, "\(value)")
        #expect(try Self.read("{\"v\": \(value)}\n{\"v\": \(value)}", readLimit: 3, chunk: 2) == whole + whole, "\(value)")
    }

    @Test(arguments: invalid)
    func invalidJSONIsAnErrorWithItsPosition(_ text: String) throws {
        if !Self.foundationTakes.contains(text) {
            #expect(throws: (any Error).self, "Foundation accepts \(text)") {
                try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            }
        }
        for limit in [Int.max, 1] {
            do {
                let values = try Self.read(text, readLimit: limit, chunk: 1)
                Issue.record("read \(text) as \(values)")
            } catch {
                #expect("\(error)".contains("invalid JSON at byte "), "\(text): \(error)")
            }
        }
    }

    /// Reads `text` whole, on one thread or splitting each window across two.
    static func read(_ text: String, parallel: Bool) throws -> [Value] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("open-reader-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = JSONReader(try ByteInput(url: url, chunk: 1 << 18), parallel: parallel)
        var out: [Value] = []
        while let v = try reader.next() { out.append(v) }
        return out
    }

    @Test func twoThreadsReadWhatOneReads() throws {
        // Pretty-printed: many line breaks fall inside records, where a guessed split is wrong.
        let items: [[String: Any]] = (0..<6000).map { i in
            ["id": "\(i)", "n": i, "nested": ["x": [i, "\n]\\", ["y": i % 7 == 0]]], "note": i % 5 == 0 ? NSNull() : "a,\n{b}" as Any]
        }
        let pretty = String(decoding: try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        let lines = try items.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }.joined(separator: "\n")
        #expect(pretty.utf8.count > 4 * JSONReader.parallelMinimum)
        let expected = Self.foundationValue(items)
        // Values longer than half a window: a split inside one parses cleanly up to the window's
        // end, and reading in order passes over it (it must then be dropped).
        let long = "[\n" + (0..<4).map { k in "[\n" + (0..<100_000).map { "\(k * 100_000 + $0)" }.joined(separator: ",\n") + "\n]" }.joined(separator: ",\n") + "\n]\n"
        for text in [pretty, lines, "[" + lines.replacingOccurrences(of: "\n", with: ",\n") + "]", long] {
            let one = try Self.read(text, parallel: false)
            #expect(Self.sorted(.list(one)) == expected || text == long)
            #expect(try Self.read(text, parallel: true) == one)
        }
        // An error late in the file: the same message, after the same values.
        let broken = lines + "\n{\"id\": 01}\n" + lines
        for parallel in [false, true] {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("open-reader-\(UUID().uuidString).jsonl")
            try Data(broken.utf8).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            let reader = JSONReader(try ByteInput(url: url, chunk: 1 << 18), parallel: parallel)
            var n = 0
            do {
                while try reader.next() != nil { n += 1 }
                Issue.record("no error")
            } catch {
                #expect("\(error)".hasSuffix("invalid JSON at byte \(lines.utf8.count + 8): a number may not start with 0"), "\(error)")
            }
            #expect(n == items.count, "parallel: \(parallel)")
        }
    }

    @Test func errorsGiveTheBytePositionAcrossReads() throws {
        let lines = String(repeating: "{\"a\": 1}\n", count: 1000) + "{\"a\": x}\n"
        for limit in [Int.max, 7] {
            #expect(throws: RunError.self) { try Self.read(lines, readLimit: limit, chunk: 16) }
            do { _ = try Self.read(lines, readLimit: limit, chunk: 16) } catch {
                #expect("\(error)".hasSuffix("invalid JSON at byte 9006: unexpected character 'x'"), "\(error)")
            }
        }
    }

    @Test func jsonLinesNeedSpaceBetweenValues() throws {
        #expect(try Self.read("{\"a\":1} {\"a\":2}\n\n3\t\"x\"") == [
            .record(Record(names: ["a"], values: [.int(1)])), .record(Record(names: ["a"], values: [.int(2)])), .int(3), .string("x"),
        ])
        for text in ["{\"a\":1}{\"a\":2}", "1\"x\"", "[1][2]"] {
            #expect(throws: RunError.self, "\(text)") { try Self.read(text) }
        }
    }

    @Test func theSmallestIntStaysAnInt() throws {
        // Foundation reads it as a Double; it fits an Int64.
        #expect(try Self.read("[-9223372036854775808, 9223372036854775807]") == [.int(.min), .int(.max)])
    }

    @Test func aLoneSurrogateBecomesTheReplacementCharacter() throws {
        #expect(try Self.read(#"["\ud800", "\udc00x", "\ud800\u0041"]"#) == [.string("\u{FFFD}"), .string("\u{FFFD}x"), .string("\u{FFFD}A")])
    }

    @Test func recordsWithChangingKeysKeepTheirOwn() throws {
        let text = #"[{"a":1,"b":2},{"ab":1,"b":2},{"b":3,"a":4},{"a":5},{"a":6,"b":7,"c":8},{"a":9,"b":{"a":1,"b":2}},{}]"#
        let expected = [
            Record(names: ["a", "b"], values: [.int(1), .int(2)]), Record(names: ["ab", "b"], values: [.int(1), .int(2)]),
            Record(names: ["b", "a"], values: [.int(3), .int(4)]),
            Record(names: ["a"], values: [.int(5)]), Record(names: ["a", "b", "c"], values: [.int(6), .int(7), .int(8)]),
            Record(names: ["a", "b"], values: [.int(9), .record(Record(names: ["a", "b"], values: [.int(1), .int(2)]))]),
            Record(names: [], values: []),
        ].map(Value.record)
        #expect(try Self.read(text) == expected)
        #expect(try Self.read(text, readLimit: 1, chunk: 1) == expected)
        // Kept fields only: the others are checked and skipped.
        #expect(try Self.read(text, fields: ["b"]) == [
            Record(names: ["b"], values: [.int(2)]), Record(names: ["b"], values: [.int(2)]), Record(names: ["b"], values: [.int(3)]),
            Record(names: [], values: []),
            Record(names: ["b"], values: [.int(7)]), Record(names: ["b"], values: [.record(Record(names: ["a", "b"], values: [.int(1), .int(2)]))]),
            Record(names: [], values: []),
        ].map(Value.record))
        // A skipped field must still be JSON.
        #expect(throws: RunError.self) { try Self.read(#"[{"a":1,"b":"x\q"}]"#, fields: ["a"]) }
        #expect(throws: RunError.self) { try Self.read(#"[{"a":1,"b":[1,]}]"#, fields: ["a"]) }
    }

    /// Values in a record with the previous record's keys take the quick path (keys matched as
    /// bytes, literals as a word, numbers added up unchecked, skipped strings scanned in place):
    /// it must read what the first record's full path reads, and fail at the same byte with the
    /// same message, whether the field is kept or skipped.
    @Test(arguments: valid + [
        "tru", "nul", "fals", "truex", "nullx", "falsey", "true1", "null_", "nulL", "True", "01", "-", "1e", "1.", "--1", "1x",
        "123456789012345678", "1234567890123456789", "-999999999999999999", "99999999999999999999", "9999999999999999999", "-9223372036854775809", "\"a\tb\"", "\"x\\q\"", "\"abc",
    ])
    func aRecordWithThePreviousKeysReadsAsTheFirst(_ value: String) throws {
        /// The values read, or the error's byte and message.
        func outcome(_ text: String, _ fields: Set<String>?, _ limit: Int = .max) -> (values: [Value]?, at: Int?, message: Substring?) {
            do { return (try Self.read(text, readLimit: limit, fields: fields), nil, nil) } catch {
                let m = "\(error)".firstMatch(of: #/invalid JSON at byte (\d+): (.*)$/#)
                return (nil, m.flatMap { Int($0.1) }, m?.2 ?? "\(error)"[...])
            }
        }
        let record = "{\"k\":1,\"v\":\(value),\"w\":0}"
        let prefix = "{\"k\":2,\"v\":true,\"w\":0}\n"
        // Foundation's reading is the reference: the same values, or an error too.
        let reference = (try? JSONSerialization.jsonObject(with: Data(record.utf8))).map { Self.sorted(Self.foundationValue($0)) }
        for fields: Set<String>? in [nil, ["k", "w"]] {
            let alone = outcome(record, fields)
            if let reference {
                let kept = fields == nil ? reference : .record(Record(names: ["k", "w"], values: [.int(1), .int(0)]))
                #expect(alone.values.map { $0.map(Self.sorted) } == [kept], "\(value)")
            } else {
                #expect(alone.values == nil, "\(value) is not JSON, read as \(alone.values ?? [])")
            }
            for limit in [Int.max, 5] {
                let second = outcome(prefix + record, fields, limit)
                let context = "\(value), fields \(String(describing: fields)), reads of \(limit)"
                #expect(second.values.map { Array($0.dropFirst()) } == alone.values, "\(context)")
                #expect(second.message == alone.message, "\(context)")
                // The error at the same byte, moved by the first line.
                #expect(second.at == alone.at.map { $0 + prefix.utf8.count }, "\(context)")
            }
        }
    }

    @Test func mediaFieldsGetTheirKinds() throws {
        let values = try Self.read(#"{"media_size": 5, "time_created": "2026-11-01T00:00:00.000Z", "size": 1.5, "title": "x"}"#)
        let r = try #require(values.first?.record)
        #expect(r["media_size"] == .size(5))
        #expect(r["time_created"] == .datetime(Date(timeIntervalSince1970: 1_793_491_200)))
        #expect(r["size"] == .float(1.5))
        #expect(r["title"] == .string("x"))
    }

    // MARK: - Through the shell

    @Test func aPipelineReadsOnlyTheFieldsItUsesWithTheSameResults() async throws {
        let f = try await Fixture.make(items: 1)
        var lines = ""
        for i in 0..<500 {
            lines += "{\"id\": \"\(i)\", \"media_size\": \(i * 10_000), \"mime_type\": \"\(i % 3 == 0 ? "audio/wav" : "text/plain")\", \"note\": \"\\u00e9\(i)\"}\n"
        }
        try Data(lines.utf8).write(to: f.directory.appendingPathComponent("items.jsonl"))
        let shell = f.shell()
        let expected = (0..<500).filter { $0 * 10_000 > 1_000_000 && $0 % 3 == 0 }.count
        #expect(try await shell.evaluate(#"open items.jsonl | where size > 1MB and mime =~ "wav" | count"#) == [.int(Int64(expected))])
        #expect(try await shell.evaluate(#"open items.jsonl | where $it.size > 1MB and mime =~ "wav" | count"#) == [.int(Int64(expected))])
        #expect(try await shell.evaluate(#"open items.jsonl | where media_size > 1000000 | skip 1 | first 1000 | where mime_type =~ "wav" | count"#) == [.int(Int64(expected))])
        let shown = await f.run(#"open items.jsonl | where size > 1MB and mime =~ "wav" | first 1 | jsonl"#)
        #expect(shown.out == "{\"id\":\"102\",\"media_size\":1020000,\"mime_type\":\"audio/wav\",\"note\":\"é102\"}\n", "\(shown.err)")
    }

    @Test func csvQuotingLinesAndProjection() async throws {
        let f = try await Fixture.make(items: 1)
        let csv = "name,media_size,note\r\n\"a,\"\"b\"\"\",2000000,\"two\nlines\"\r\n\nc,5,\nd,3000000\n\"é\",4000000,x"
        try Data(csv.utf8).write(to: f.directory.appendingPathComponent("t.csv"))
        let shell = f.shell()
        let all = try await shell.evaluate("open t.csv")
        #expect(all == [
            Record(names: ["name", "media_size", "note"], values: [.string("a,\"b\""), .size(2_000_000), .string("two\nlines")]),
            Record(names: ["name", "media_size", "note"], values: [.string("c"), .size(5), .null]),
            Record(names: ["name", "media_size", "note"], values: [.string("d"), .size(3_000_000), .null]),
            Record(names: ["name", "media_size", "note"], values: [.string("é"), .size(4_000_000), .string("x")]),
        ].map(Value.record))
        #expect(try await shell.evaluate("open t.csv | where size > 1MB | count") == [.int(3)])
        #expect(try await shell.evaluate("open t.csv | where name =~ \"b\" | count") == [.int(1)])
        // Cut at every byte: the same records.
        let reader = CSVReader(try ByteInput(url: f.directory.appendingPathComponent("t.csv"), chunk: 1, readLimit: 1))
        var cut: [Value] = []
        while let v = try reader.next() { cut.append(v) }
        #expect(cut == all)
        // Not UTF-8: an error naming the line.
        try Data([0x61, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: f.directory.appendingPathComponent("bin.csv"))
        let bad = await f.run("open bin.csv | json")
        #expect(bad.err.contains("bin.csv:2: not UTF-8 text"), "\(bad.err)")
    }

    @Test func csvTwoThreadsReadWhatOneReads() throws {
        // Quoted cells spanning lines: many guessed splits fall inside them.
        var text = "id,note,media_size\n"
        for i in 0..<100_000 {
            text += i % 3 == 0 ? "\(i),\"line one\nline \"\"two\"\",\n\",\(i * 100)\n" : "\(i),plain \(i),\(i * 100)\n"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("open-reader-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        func read(_ text: String, parallel: Bool) throws -> [Value] {
            try Data(text.utf8).write(to: url)
            let reader = CSVReader(try ByteInput(url: url, chunk: 1 << 17), parallel: parallel)
            var out: [Value] = []
            while let v = try reader.next() { out.append(v) }
            return out
        }
        #expect(text.utf8.count > 4 * JSONReader.parallelMinimum)
        let one = try read(text, parallel: false)
        #expect(one.count == 100_000)
        #expect(one[3] == .record(Record(names: ["id", "note", "media_size"], values: [.int(3), .string("line one\nline \"two\",\n"), .size(300)])))
        #expect(try read(text, parallel: true) == one)
        // A quote never closed near the end: the same line either way.
        let lines = text.filter { $0 == "\n" }.count
        for parallel in [false, true] {
            #expect(throws: (any Error).self) { try read(text + "x,\"open\n", parallel: parallel) }
            do { _ = try read(text + "x,\"open\n", parallel: parallel) } catch {
                #expect("\(error)".contains(":\(lines + 1): a quoted cell is never closed"), "\(error)")
            }
        }
    }

    @Test func openDashReadsStandardInput() async throws {
        let f = try await Fixture.make(items: 1)
        func piped(_ text: String, _ source: String) async throws -> [Value] {
            let pipe = Pipe()
            let writer = Thread {
                pipe.fileHandleForWriting.write(Data(text.utf8))
                try? pipe.fileHandleForWriting.close()
            }
            writer.start()
            defer { try? pipe.fileHandleForReading.close() }
            return try await f.shell { $0.standardInput = pipe.fileHandleForReading.fileDescriptor }.evaluate(source)
        }
        // More than a pipe holds at once, so the reader streams while the writer writes.
        let lines = (0..<5000).map { "{\"media_size\": \($0 * 1000), \"mime_type\": \"audio/wav\"}" }.joined(separator: "\n")
        #expect(try await piped(lines, "open - | where size > 1MB | count") == [.int(3999)])
        #expect(try await piped("  [{\"a\": 1}, {\"a\": 2}]", "open - | count") == [.int(2)])
        // Not starting with [ or {: CSV, unless told.
        #expect(try await piped("a,b\n1,2\n3,4\n", "open - | where a > 1 | count") == [.int(1)])
        #expect(try await piped("{\"a\": 1}\n", "open - as json | count") == [.int(1)])
        #expect(try await piped("[1, 2]", "open - as csv | count") == [.int(0)])
        #expect(try await piped("", "open - | count") == [.int(0)])
        // No standard input to read: a clear error.
        let none = await f.run("open - | count")
        #expect(none.outcome.status == .failure)
        #expect(none.err.contains("open -: there is no standard input to read here"), "\(none.err)")
    }
}
