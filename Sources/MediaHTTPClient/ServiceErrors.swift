import AsyncHTTPClient
import Foundation
import MediaAPI
import NIOCore
import NIOHTTP1
import NIOPosix

/// Turns what went wrong on the wire into the MediaError a user reads.
enum ServiceErrors {
    /// The error for a response the operation did not expect, with the server's own `title` and
    /// `detail`. A 404 is "no such item" only when it is the API's JSON error document; a redirect
    /// or another 404 is not the API's answer (`APIAnswer`).
    static func error(_ answer: UnexpectedResponse, id: String?, method: HTTPMethod, url: String) -> MediaError {
        let status = answer.status
        if (300..<400).contains(status) || (status == 404 && !APIAnswer.isProblem(url: url, contentType: answer.contentType, body: answer.body)) {
            return APIAnswer.notTheAPI(method, url, status: status, contentType: answer.contentType, location: answer.location, body: answer.body)
        }
        return error(status: status, body: answer.body, retryAfter: answer.retryAfter, id: id)
    }

    static func error(status: Int, body: ByteBuffer?, retryAfter: Double?, id: String?) -> MediaError {
        let message = serverMessage(body) ?? HTTPResponseStatus(statusCode: status).reasonPhrase
        switch status {
        case 401: return .unauthorized(message)
        case 403: return .forbidden(message)
        case 404 where id != nil: return .notFound(id: id ?? "")
        case 429: return .rateLimited(retryAfter: retryAfter)
        case 400, 405, 409, 411, 413, 415, 422:
            return .invalidInput("the service refused the request (HTTP \(status)): \(message)")
        default: return .server(status: status, message: message)
        }
    }

    /// The message of a problem body: the Vonage/RFC 7807 `title` and `detail`, or older `error_title`/`error_text`.
    static func serverMessage(_ body: ByteBuffer?) -> String? {
        guard let body, body.readableBytes > 0 else { return nil }
        let data = Data(body.readableBytesView)
        if let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            func text(_ keys: [String]) -> String? {
                keys.lazy.compactMap { object[$0] as? String }.first { !$0.isEmpty }
            }
            let title = text(["title", "error_title", "error"])
            let detail = text(["detail", "error_text", "message"])
            switch (title, detail) {
            case let (t?, d?) where t != d: return "\(t): \(d)"
            case let (t?, _): return t
            case let (nil, d?): return d
            default: break
            }
        }
        let text = String(decoding: data.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || text.hasPrefix("<") ? nil : text
    }

    /// What a transport failure was, in words.
    static func transport(_ error: any Error, url: String) -> MediaError {
        if let error = error as? MediaError { return error }
        let reason: String
        if let http = error as? HTTPClientError {
            switch http {
            case .connectTimeout: reason = "timed out connecting"
            case .readTimeout: reason = "the response stalled (read timeout)"
            case .remoteConnectionClosed: reason = "the connection was closed before the response was complete"
            case .deadlineExceeded: reason = "the request took too long"
            default: reason = String(describing: http)
            }
        } else if isConnectionRefused(error) {
            reason = "connection refused"
        } else {
            reason = String(describing: error)
        }
        return .transport("\(reason) (\(url))")
    }

    /// True when the connection was refused outright, so the request cannot have been sent.
    static func isConnectionRefused(_ error: any Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == ECONNREFUSED }
        if let connection = error as? NIOConnectionError {
            return !connection.connectionErrors.isEmpty
                && connection.connectionErrors.allSatisfy { isConnectionRefused($0.error) }
        }
        return false
    }
}
