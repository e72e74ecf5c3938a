import Foundation
import FuzzTargets
import Testing

/// Every committed input of fuzz/corpus/TARGET, replayed in the ordinary debug build through the
/// same code the libFuzzer target runs (FuzzTargets, fuzz/Targets/): a Swift trap the fuzzer
/// found once (and kept as an input, fuzz/README.md "Found and fixed") stops this test run if it
/// ever comes back, and each target's own checks (a parser's promises, a written item reading
/// back the same) are recorded as failures naming the input. The sanitizers and new inputs
/// stay with scripts/checks/fuzz.
@Suite struct FuzzCorpusTests {
    /// fuzz/corpus/, from this file's place in the repository.
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus")

    @Test("every committed input replays through its fuzz target", .timeLimit(.minutes(10)), arguments: FuzzTargets.names)
    func everyCommittedInputReplays(target: String) async throws {
        let folder = Self.corpus.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        // A corpus that moved or emptied must not make this pass by replaying nothing.
        #expect(names.count >= 100, "fuzz/corpus/\(target) holds \(names.count) inputs")
        let started = ContinuousClock.now
        var slowest: (name: String, time: Duration) = ("", .zero)
        for name in names {
            let input = try Data(contentsOf: folder.appendingPathComponent(name))
            let log = PromiseLog()
            let began = ContinuousClock.now
            await FuzzTargets.$promisesBroken.withValue(log) { await FuzzTargets.run(target, input) }
            let took = ContinuousClock.now - began
            if took > slowest.time { slowest = (name, took) }
            for message in log.messages {
                Issue.record("fuzz/corpus/\(target)/\(name): \(message)")
            }
        }
        print("fuzz corpus \(target): \(names.count) inputs replayed in \(ContinuousClock.now - started) (slowest \(slowest.name): \(slowest.time))")
    }
}
