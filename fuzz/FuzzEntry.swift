import Foundation

/// libFuzzer entry: any bytes as a program, through the lexer, parser, checker and the
/// diagnostic renderer. A crash, hang or leak here is a bug; bad input must only give diagnostics.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let source = SourceText(name: "<fuzz>", text: text)
    _ = Lexer.tokens(source)
    var verbs: [String: any Verb] = [:]
    for v in BuiltinVerbs.all { verbs[v.signature.name] = v }
    do {
        _ = try Shell.prepare(source, verbs: verbs, userVerbs: [:], variables: ["x": (.list, .records(MediaFields.schema)), "1": (.size, .scalar(.size))])
    } catch let e as ShellError {
        _ = e.description
    } catch {
        _ = "\(error)"
    }
    return 0
}
