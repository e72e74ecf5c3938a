import Foundation
import Hummingbird
import MediaAPI

/// The query of `GET /v3/media`, checked: a bad value is a 400 that says what was expected.
struct ListParameters {
    var order: MediaQuery.Order = .descending
    var pageIndex = 0
    /// After the server's maximum is applied.
    var pageSize = 20
    var startTime: Date?
    var endTime: Date?
    /// The parameters the request gave, repeated in the page's links (page_size and page_index aside).
    var linkQuery: [(String, String)] = []

    static let defaultPageSize = 20
    /// What the API lists when neither start_time nor end_time is given.
    static let defaultWindow: TimeInterval = 7 * 24 * 3600

    init(request: Request, maxPageSize: Int, now: Date) throws {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? { query[Substring(name)].map(String.init) }

        if let text = value("order") {
            guard let order = MediaQuery.Order(rawValue: text) else {
                throw Problem.badRequest("order '\(text)' is not an order: use ascending or descending")
            }
            self.order = order
        }
        if let text = value("page_index") {
            guard let index = Int(text), index >= 0 else {
                throw Problem.badRequest("page_index '\(text)' is not a page index: use a whole number, 0 for the first page")
            }
            pageIndex = index
        }
        var requested = Self.defaultPageSize
        if let text = value("page_size") {
            guard let size = Int(text), size >= 1 else {
                throw Problem.badRequest("page_size '\(text)' is not a page size: use a whole number from 1 to \(maxPageSize)")
            }
            requested = size
        }
        pageSize = min(requested, max(1, maxPageSize))
        startTime = try Self.time(value("start_time"), "start_time")
        endTime = try Self.time(value("end_time"), "end_time")
        if let startTime, let endTime, startTime > endTime {
            throw Problem.badRequest("start_time \(MediaTime.format(startTime)) is after end_time \(MediaTime.format(endTime))")
        }
        if let accountID = value("account_id") { linkQuery.append(("account_id", accountID)) }
        linkQuery.append(("order", order.rawValue))
        if let text = value("start_time") { linkQuery.append(("start_time", text)) }
        if let text = value("end_time") { linkQuery.append(("end_time", text)) }
        if startTime == nil, endTime == nil {
            startTime = now.addingTimeInterval(-Self.defaultWindow)
        }
    }

    var query: MediaQuery {
        MediaQuery(order: order, startTime: startTime, endTime: endTime, pageSize: pageSize)
    }

    private static func time(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = MediaTime.parse(text) else {
            throw Problem.badRequest("\(name) '\(text)' is not an ISO 8601 time: use one like 2020-01-01T14:00:00.000Z")
        }
        return date
    }
}
