import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id, answered in the `X-Request-Id` header (and in every Problem body)
/// and carried by every log line of the request, so that a client's report finds the server's
/// details. The server's own part is always there, so two requests never share an id in the log;
/// a client's `X-Request-Id`, when short and plain, is kept in front of it: `theirs+ours`.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = MediaRequestContext

    static let header = HTTPField.Name("X-Request-Id")!
    /// The metadata key Hummingbird gives each request's logger its id under.
    static let metadataKey = "hb.request.id"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let ours = context.logger[metadataKey: Self.metadataKey]?.description ?? RequestID().description
        // `+` is not allowed in a client's id, so the two parts are always told apart.
        let id = request.headers[Self.header].flatMap(Self.acceptable).map { "\($0)+\(ours)" } ?? ours
        context.requestID = id
        context.logger[metadataKey: Self.metadataKey] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    /// A client's id when it is 1 to 64 letters, digits, `-`, `_` or `.`: safe in a log line and a header.
    static func acceptable(_ id: String) -> String? {
        let plain = id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "-_.".utf8.contains(byte)
        }
        guard plain, (1...64).contains(id.utf8.count) else { return nil }
        return id
    }
}
