import FuzzDriver
import FuzzTargets

/// libFuzzer target `client`: what it does with an input is FuzzTargets.client (fuzz/Targets/), the code
/// the corpus replay in the ordinary test build (Tests/FuzzCorpusTests) runs too.
@_cdecl("fuzz_client_main")
public func fuzzClientMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in
        let input = bytes(data, size)
        FuzzTargets.client(input)
        return 0
    }
}
