import FuzzDriver
import FuzzTargets

/// libFuzzer target `open`: what it does with an input is FuzzTargets.open (fuzz/Targets/), the code
/// the corpus replay in the ordinary test build (Tests/FuzzCorpusTests) runs too.
@_cdecl("fuzz_open_main")
public func fuzzOpenMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in
        let input = bytes(data, size)
        runBlocking { await FuzzTargets.run("open", input) }
        return 0
    }
}
