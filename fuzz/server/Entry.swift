import FuzzDriver
import FuzzTargets

/// libFuzzer target `server`: what it does with an input is FuzzTargets.server (fuzz/Targets/), the code
/// the corpus replay in the ordinary test build (Tests/FuzzCorpusTests) runs too.
@_cdecl("fuzz_server_main")
public func fuzzServerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in
        let input = bytes(data, size)
        runBlocking { await FuzzTargets.run("server", input) }
        return 0
    }
}
