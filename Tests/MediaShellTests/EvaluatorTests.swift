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

    /// Promptly = no new request once cancelled: at most the two already admitted (concurrency 2)
    /// begin after the cancel, and the requests in flight are cut short (they would take 90 s;
    /// the time limit is a minute) rather than left running.
    @Test(.timeLimit(.minutes(1))) func cancellingStopsPromptly() async throws {
        let f = try await Fixture.make(items: 40)
        let service = InstrumentedService(f.service)
        // Longer than the time limit: only cancellation can end a request that has begun in time.
        service.latency = 90
        let shell = Shell(service: service, environment: ShellEnvironment(now: { Fixture.now }, assumeYes: true, concurrency: 2, workingDirectory: f.directory))
        let err = TextBuffer()
        let run = Task { await shell.run("list | delete", out: TextBuffer(), err: err) }
        await service.waitForCalls(2)
        run.cancel()
        let outcome = await run.value
        #expect(outcome.status == .interrupted)
        await service.waitUntilIdle()
        #expect(service.callCount <= 4, "\(service.callCount) requests began; cancelling after 2 should allow at most 2 more")
        #expect(try await f.shell().evaluate("list | count") == [.int(40)])
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
