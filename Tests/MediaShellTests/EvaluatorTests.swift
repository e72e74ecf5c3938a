import Foundation
import MediaAPI
import Testing
@testable import MediaShell

/// Streaming and cancellation.
@Suite struct EvaluatorTests {
    @Test func firstRowsReachOutputBeforeTheSourceFinishes() async throws {
        let f = try await Fixture.make(items: 6)
        let service = InstrumentedService(f.service)
        service.holdListAfterFirstPage = true
        let shell = Shell(service: service, environment: ShellEnvironment(now: { Fixture.now }, output: .jsonl, workingDirectory: f.directory))
        let out = TextBuffer(), err = TextBuffer()
        let run = Task { await shell.run("list | where size > 0B", out: out, err: err) }
        var waited = 0
        while out.text.split(separator: "\n").count < 2, waited < 500 {
            try await Task.sleep(nanoseconds: 10_000_000)
            waited += 1
        }
        #expect(out.text.split(separator: "\n").count == 2, "the first page's rows were not written while the listing was still open")
        service.releaseList()
        let outcome = await run.value
        #expect(outcome.status == .success)
        #expect(out.text.split(separator: "\n").count == 6)
    }

    @Test func cancellingStopsPromptly() async throws {
        let f = try await Fixture.make(items: 40)
        let service = InstrumentedService(f.service)
        service.latency = 0.2
        let shell = Shell(service: service, environment: ShellEnvironment(now: { Fixture.now }, assumeYes: true, concurrency: 2, workingDirectory: f.directory))
        let err = TextBuffer()
        let run = Task { await shell.run("list | delete", out: TextBuffer(), err: err) }
        try await Task.sleep(nanoseconds: 300_000_000)
        run.cancel()
        let outcome = await run.value
        #expect(outcome.status == .interrupted)
        let left = try await f.shell().evaluate("list | count")
        #expect(left.first.map { if case .int(let n) = $0 { n > 20 } else { false } } == true)
    }

    @Test func firstStopsPullingTheListing() async throws {
        let f = try await Fixture.make(items: 6)
        let service = InstrumentedService(f.service)
        service.holdListAfterFirstPage = true
        let shell = Shell(service: service, environment: ShellEnvironment(now: { Fixture.now }, workingDirectory: f.directory))
        // Would wait forever for the second page if `first 2` kept pulling.
        #expect(try await shell.evaluate("list | where size > 0B | first 2 | count") == [.int(2)])
    }

    @Test func valuesFormatByMeaning() {
        #expect(Value.size(1_234_567).humanText == "1.2 MB")
        #expect(Value.size(999).humanText == "999 B")
        #expect(Value.duration(93_784).humanText == "1d 2h")
        #expect(Value.datetime(date("2026-11-01T14:00:00Z")).humanText == "2026-11-01 14:00:00")
        #expect(Value.datetime(date("2026-11-01T14:00:00Z")).exactText == "2026-11-01T14:00:00.000Z")
        #expect(Value.size(1_572_864).sourceText == "1536KiB")
        #expect(Value.size(5_000_000).sourceText == "5MB")
        #expect(Value.duration(604_800).sourceText == "1w")
        #expect(String(decoding: JSONRenderer.encode(.record(Record(["a": .size(5), "b": .string("x\"y\n")]))), as: UTF8.self) == #"{"a":5,"b":"x\"y\n"}"#)
    }

    @Test func runtimeErrorsNameTheLine() async throws {
        let f = try await SharedFixture.shared.get()
        let r = await f.run("list | count\nlist | where size / 0 > 1")
        #expect(r.outcome.status == .failure && r.outcome.failedLine == 2)
        #expect(r.err == "<input>:2: error: division by zero\n")
    }
}
