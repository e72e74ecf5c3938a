import Foundation
import Hummingbird
import MediaAPI

/// An error answer: a status and a JSON body `{type, title, detail, request_id}` (RFC 9457's problem details).
struct Problem: Error, HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var detail: String
    var headers: HTTPFields = [:]
    /// The request's id, which the server's log has too.
    var requestID: String?
    /// What went wrong inside the server (a path, an OS error, SQL): for the log, never the client.
    var logDetail: String?
    /// An injected fault (--fault-…): its detail says so, and stays.
    var injected = false

    init(status: HTTPResponse.Status, detail: String, headers: HTTPFields = [:], injected: Bool = false) {
        self.status = status
        self.detail = detail
        self.headers = headers
        self.injected = injected
    }

    /// A failure inside the server: a 500 whose detail (`logDetail`) goes to the log only.
    static func internalFailure(_ logDetail: String) -> Problem {
        var problem = Problem(status: .internalServerError, detail: "the server failed")
        problem.logDetail = logDetail
        return problem
    }

    /// The error page a client can look the type up on, by a slug of the title.
    var type: String {
        let slug = status.reasonPhrase.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
        return "https://developer.nexmo.com/api-errors/media#\(slug)"
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let body = ProblemBody(type: type, title: status.reasonPhrase, detail: detail, request_id: requestID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = (try? encoder.encode(body)) ?? Data(#"{"title":"Internal Server Error"}"#.utf8)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func badRequest(_ detail: String) -> Problem { Problem(status: .badRequest, detail: detail) }

    static func unauthorized(_ detail: String) -> Problem {
        Problem(status: .unauthorized, detail: detail, headers: [.wwwAuthenticate: #"Basic realm="media", Bearer"#])
    }

    /// The answer for an error from the store or anywhere below the routes.
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let unavailable as StoreUnavailable:
            // The reason (an address, a connection error) is for the log; the client learns when to retry.
            return Problem(
                status: .serviceUnavailable,
                detail: "the server's database cannot be reached just now; retry after \(unavailable.retryAfterSeconds) s",
                headers: [.retryAfter: String(unavailable.retryAfterSeconds)])
        case let error as MediaError:
            switch error {
            case .notFound: return Problem(status: .notFound, detail: error.description)
            case .unauthorized(let m): return .unauthorized(m)
            case .forbidden: return Problem(status: .forbidden, detail: error.description)
            case .invalidInput(let m): return .badRequest(m)
            case .rateLimited(let after):
                return Problem(status: .tooManyRequests, detail: error.description,
                               headers: after.map { [.retryAfter: FaultMiddleware.seconds($0)] } ?? [:])
            case .server(let status, _): return Problem(status: .init(code: status), detail: error.description)
            case .transport: return Problem(status: .badGateway, detail: error.description)
            case .storage: return Problem(status: .internalServerError, detail: "the server failed")
            }
        case let error as HTTPError:
            return Problem(status: error.status, detail: error.body ?? Self.defaultDetail(error.status), headers: error.headers)
        case let error as any HTTPResponseError:
            return Problem(status: error.status, detail: Self.defaultDetail(error.status))
        default:
            return Problem(status: .internalServerError, detail: "the server failed")
        }
    }

    /// What a client learns of a failure inside the server: that it happened, and the id to report.
    static func serverFailure(requestID: String) -> String {
        "the server failed; report request id \(requestID) to its operator, whose log has the details"
    }

    private static func defaultDetail(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "no such resource; the Media API lives under /v3/media"
        case .contentTooLarge: "the request body is larger than the server accepts"
        default: status.reasonPhrase
        }
    }
}

private struct ProblemBody: Encodable {
    var type: String
    var title: String
    var detail: String
    var request_id: String?
}

/// Turns every error thrown below it into a Problem answer, so no error reaches a client as a bare 500.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = MediaRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var problem = Problem.from(error)
            // Injected faults and the 5xx answers routes chose on purpose (503 while the database is
            // away) are expected; any other server error, and every 500, is a failure to look into. Its
            // text (paths, OS errors, SQL, type names) goes to the log, never to the client: the request
            // id ties the answer to the log line.
            let chosen = (error as? Problem).map { $0.status != .internalServerError || $0.injected } ?? (error is StoreUnavailable)
            if problem.status.code >= 500, !chosen {
                context.logger.error("request failed", metadata: [
                    "error": "\(problem.logDetail ?? String(describing: error))", "path": "\(request.uri.path)",
                ])
                problem.detail = Problem.serverFailure(requestID: context.requestID)
            }
            problem.requestID = context.requestID
            return try problem.response(from: request, context: context)
        }
    }
}
