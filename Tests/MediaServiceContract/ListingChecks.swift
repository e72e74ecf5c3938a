import Foundation
import MediaAPI

/// Listing: order, time bounds, paging, early stop, and deleting while listing.
enum ListingChecks {
    static let all: [ContractCheck] = [
        ContractCheck("list orders by time created, ascending and descending") { service, scratch in
            let uploaded = try await service.uploadMany(6, in: scratch, gap: .milliseconds(3))
            let ascending = try await service.all(MediaQuery(order: .ascending))
            let descending = try await service.all(MediaQuery(order: .descending))
            try expect(ascending.map(\.id) == uploaded.map(\.id), "ascending order is \(ascending.map(\.id)), expected upload order \(uploaded.map(\.id))")
            try expect(descending.map(\.id) == uploaded.reversed().map(\.id), "descending order is not the reverse of the upload order")
            try expect(try await service.all().map(\.id) == descending.map(\.id), "the default order is not descending")
        },
        ContractCheck("list honours start and end time bounds, inclusive") { service, scratch in
            let uploaded = try await service.uploadMany(6, in: scratch, gap: .milliseconds(5))
            let times = uploaded.compactMap(\.timeCreated)
            try expect(times.count == uploaded.count, "uploaded items have no time_created")
            let (start, end) = (times[1], times[4])
            func expected(_ start: Date?, _ end: Date?) -> Set<String> {
                Set(uploaded.filter { MediaQuery(startTime: start, endTime: end).contains($0.timeCreated ?? .distantPast) }.map(\.id))
            }
            for (s, e) in [(start, end), (start, nil), (nil, end), (Date?.none, Date?.none)] as [(Date?, Date?)] {
                let listed = try await service.all(MediaQuery(order: .ascending, startTime: s, endTime: e))
                try expect(Set(listed.map(\.id)) == expected(s, e),
                           "bounds \(s.map(MediaTime.format) ?? "-")…\(e.map(MediaTime.format) ?? "-") listed \(listed.count) items, expected \(expected(s, e).count)")
            }
            try expect(expected(start, end).count >= 4, "items uploaded 5 ms apart share creation times")
            let future = try await service.all(MediaQuery(startTime: Date().addingTimeInterval(3600)))
            try expect(future.isEmpty, "a start time an hour ahead listed \(future.count) items")
        },
        ContractCheck("list pages through many items with small page sizes") { service, scratch in
            let uploaded = try await service.uploadMany(260, in: scratch)
            for (order, pageSize) in [(MediaQuery.Order.ascending, 7), (.descending, 25), (.ascending, 100)] {
                let listed = try await service.all(MediaQuery(order: order, pageSize: pageSize))
                try expect(listed.count == uploaded.count, "page size \(pageSize) listed \(listed.count) of \(uploaded.count) items")
                try expect(Set(listed.map(\.id)) == Set(uploaded.map(\.id)), "page size \(pageSize) listed duplicates or strangers")
                let times = listed.compactMap(\.timeCreated)
                let sorted = order == .ascending ? times.sorted() : times.sorted(by: >)
                try expect(times == sorted, "page size \(pageSize) broke the \(order) order")
            }
            // A limit promises the consumer takes no more; a binding may still deliver the rest of a page.
            let newest = try await service.all(MediaQuery(pageSize: 7))
            let limited = try await service.all(MediaQuery(pageSize: 7, limit: 30))
            try expect(limited.count >= 30, "a limit of 30 listed only \(limited.count) items")
            try expect(limited.prefix(30).map(\.id) == newest.prefix(30).map(\.id), "a limit of 30 did not list the 30 newest items first")
        },
        // (That a stopped listing fetches no more pages is seen where requests can be counted:
        // MediaHTTPClientTests' "a listing stopped early fetches at most one page ahead".)
        ContractCheck("a listing stopped early, listed again, lists every item") { service, scratch in
            _ = try await service.uploadMany(12, in: scratch)
            var taken: [MediaItem] = []
            for try await item in service.list(MediaQuery(pageSize: 3)) {
                taken.append(item)
                if taken.count == 4 { break }
            }
            try expect(taken.count == 4, "took \(taken.count) items, expected 4")
            try expect(try await service.all(MediaQuery(pageSize: 3)).count == 12, "listing again after an early stop did not list all 12 items")
        },
        ContractCheck("deleting every item while listing deletes them all") { service, scratch in
            _ = try await service.uploadMany(260, in: scratch)
            for order in MediaQuery.Order.allCases {
                var deleted = 0
                for try await item in service.list(MediaQuery(order: order, pageSize: 10)) {
                    try await service.delete(id: item.id)
                    deleted += 1
                    if order == .ascending, deleted == 130 { break }
                }
                try expect(deleted == 130, "deleting while listing \(order) deleted \(deleted) items, expected 130")
            }
            let left = try await service.all()
            try expect(left.isEmpty, "\(left.count) items are left after deleting while listing")
        },
    ]
}
