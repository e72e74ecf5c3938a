import Foundation
import NIOCore
import Testing
@testable import MediaServer

@Suite("MultipartStream: the server's multipart/form-data parser")
struct MultipartStreamTests {
    /// What the parser reported, flattened: `name: value` per header, the body joined, `|` at each part's end.
    struct Parsed: Equatable {
        var parts: [[String]] = []
        var finished = false
    }

    static func parse(_ body: [UInt8], boundary: String = "XyZ", sliceBytes: Int) throws -> Parsed {
        var parser = MultipartStream(boundary: boundary)
        var parsed = Parsed()
        var headers: [String] = []
        var content: [UInt8] = []
        var index = 0
        while index < body.count {
            let end = min(body.count, index + sliceBytes)
            try parser.execute(ByteBuffer(bytes: body[index..<end])) { event in
                switch event {
                case .header(let name, let value): headers.append("\(name): \(value)")
                case .body(let buffer): content += buffer.readableBytesView
                case .partEnd:
                    parsed.parts.append(headers + [String(decoding: content, as: UTF8.self)])
                    headers = []
                    content = []
                }
            }
            index = end
        }
        parsed.finished = parser.isFinished
        return parsed
    }

    static let form: [UInt8] = {
        let pieces: [String] = [
            "preamble to ignore\r\n",
            "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nfirst\r\n",
            "--XyZ  \r\nContent-Disposition: form-data; name=\"f\"; filename=\"\u{e9}t\u{e9}.wav\"\r\nContent-Type: audio/wav\r\n\r\n",
            "\r\n--XY not the boundary\r\n--Xy Z not either\r\r\n",
            "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n",
            "\r\n--XyZ--\r\nepilogue to ignore --XyZ\r\n",
        ]
        return Array(pieces.joined().utf8)
    }()

    static let expected = Parsed(parts: [
        ["Content-Disposition: form-data; name=\"a\"", "first"],
        ["Content-Disposition: form-data; name=\"f\"; filename=\"\u{e9}t\u{e9}.wav\"", "Content-Type: audio/wav",
         "\r\n--XY not the boundary\r\n--Xy Z not either\r\r\n"],
        ["Content-Disposition: form-data; name=\"empty\"", ""],
    ], finished: true)

    @Test("parts, headers and content come out the same however the body is sliced, boundary-like content included",
          arguments: [1, 2, 3, 5, 7, 13, 64, 4096])
    func slicing(sliceBytes: Int) throws {
        #expect(try Self.parse(Self.form, sliceBytes: sliceBytes) == Self.expected)
    }

    @Test("a body that starts with the boundary (no preamble) and one with no parts")
    func edges() throws {
        let plain = Array("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--".utf8)
        #expect(try Self.parse(plain, boundary: "b", sliceBytes: 1) == Parsed(parts: [["Content-Disposition: form-data; name=\"x\"", "1"]], finished: true))
        #expect(try Self.parse(Array("--b--\r\n".utf8), boundary: "b", sliceBytes: 2) == Parsed(parts: [], finished: true))
        #expect(try Self.parse(Array("--b\r\nA: 1\r\n\r\nno end".utf8), boundary: "b", sliceBytes: 3).finished == false)
    }

    /// MultipartKit 4.7.1 trapped (index out of range) on a header-name byte of 0x80 or more: one request ended the server.
    @Test("header names that are not tokens, bytes of 0x80 and up included, are a syntax error, never a trap",
          arguments: [UInt8(0x80), 0xff, 0xc3, 0x00, 0x7f, UInt8(ascii: " "), UInt8(ascii: "("), UInt8(ascii: "\n")])
    func badHeaderName(byte: UInt8) throws {
        let body = Array("--b\r\nContent-Dis".utf8) + [byte] + Array("position: form-data; name=\"x\"\r\n\r\n1\r\n--b--".utf8)
        #expect(throws: MultipartStream.SyntaxError.self) { try Self.parse(body, boundary: "b", sliceBytes: 4096) }
    }

    @Test("other malformed bodies are syntax errors: a header line without ':', control characters in a value, junk after a boundary",
          arguments: [
            "--b\r\nno colon here\r\n\r\n1\r\n--b--",
            "--b\r\n: empty name\r\n\r\n1\r\n--b--",
            "--b\r\nA: bell\u{7}\r\n\r\n1\r\n--b--",
            "--bjunk\r\nA: 1\r\n\r\n1\r\n--b--",
            "--b\r\nA: 1\r\n\r\n1\r\n--b!",
          ])
    func malformed(body: String) throws {
        #expect(throws: MultipartStream.SyntaxError.self) { try Self.parse(Array(body.utf8), boundary: "b", sliceBytes: 1) }
    }
}
