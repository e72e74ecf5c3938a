/// What `sum`, `avg`, `min` and `max` share: one field, read from every record.
struct Aggregation {
    static func parameter(_ what: String) -> Parameter {
        .positional("field", .fields, "FIELD", help: "the field to \(what)")
    }

    /// Checks the field and returns its kind.
    static func fieldKind(_ stage: Stage, input: StreamShape, checker: Checker, allowed: [ValueKind]) -> ValueKind {
        guard case .fields(let refs)? = stage.argument("field")?.value, let ref = refs.first else { return .any }
        if refs.count > 1 { checker.error("'\(stage.verb)' takes one field", at: refs[1].span) }
        let k = checker.field(ref, in: input)
        if k != .any, !allowed.contains(k) {
            checker.error("cannot \(stage.verb) \(k.phrase) field '\(ref.name)'", at: ref.span, hint: "use a field holding \(allowed.map(\.phrase).joined(separator: ", "))")
        }
        return k
    }

    /// Calls `body` with every non-null value of the field.
    static func forEach(_ call: VerbCall, _ body: (Value) throws -> Void) async throws {
        let access = FieldAccess(call.fields("field").first ?? "")
        while let v = try await call.input.next() {
            let x = v.record.map { access.value(in: $0) } ?? v
            if !x.isNull { try body(x) }
        }
    }
}
