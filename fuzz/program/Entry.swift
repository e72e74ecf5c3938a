import FuzzDriver
import FuzzTargets

/// libFuzzer target `program`: what it does with an input is FuzzTargets.program (fuzz/Targets/), the code
/// the corpus replay in the ordinary test build (Tests/FuzzCorpusTests) runs too.
@_cdecl("fuzz_program_main")
public func fuzzProgramMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in
        let input = bytes(data, size)
        runBlocking { await FuzzTargets.run("program", input) }
        return 0
    }
}
