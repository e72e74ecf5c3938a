// media-bench: the benchmark behind scripts/bench.d/list, not part of mediash's surface.
//   media-bench seed STORE_DIR ACCOUNT COUNT     puts COUNT small items into a MediaStore
//   media-bench list ENDPOINT KEY SECRET [PAGE_SIZE] [WORK_MICROSECONDS]
//       lists every item through MediaHTTPClient, doing a little work per item, and prints
//       items, requests, seconds and peak resident memory (VmHWM) as key=value lines.
//   media-bench stack-serve LATENCY_MS           the HTTP packages' floor, server side (StackFloor.swift)
//   media-bench stack-run PORT REQUESTS CONCURRENCY   and client side: prints seconds and answered
import Foundation
import MediaAPI
import MediaHTTPClient
import MediaStore

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("media-bench: \(message)\n".utf8))
    exit(2)
}

/// Peak resident memory of this process in kB, from /proc (Linux).
func peakResidentKB() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
    return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
}

/// `duration` in seconds, for the lines media-bench prints.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// The consumer's "little work" per item: hashing its id for about `microseconds`.
func work(on item: MediaItem, microseconds: Int) -> UInt64 {
    let until = DispatchTime.now().uptimeNanoseconds + UInt64(microseconds) * 1000
    var hash: UInt64 = 14_695_981_039_346_656_037
    repeat {
        for byte in item.id.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
    } while DispatchTime.now().uptimeNanoseconds < until
    return hash
}

let arguments = CommandLine.arguments
switch arguments.dropFirst().first {
case "seed":
    guard arguments.count == 5, let count = Int(arguments[4]), count >= 0 else { fail("usage: media-bench seed STORE_DIR ACCOUNT COUNT") }
    let folder = URL(fileURLWithPath: arguments[2], isDirectory: true)
    let store: MediaStore
    do { store = try MediaStore(directory: folder) } catch { fail("cannot open the store: \(error)") }
    let service = store.service(account: arguments[3])
    let source = folder.appendingPathComponent("seed-source.bin")
    do { try Data("benchmark item\n".utf8).write(to: source) } catch { fail("cannot write \(source.path): \(error)") }
    let started = Date()
    let workers = 4
    do {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    for index in stride(from: worker, to: count, by: workers) {
                        _ = try await service.upload(MediaUpload(source: .file(source), fileName: "item-\(index).txt"))
                    }
                }
            }
            try await group.waitForAll()
        }
    } catch { fail("seeding failed: \(error)") }
    print("seeded=\(count) seconds=\(String(format: "%.1f", Date().timeIntervalSince(started)))")

case "list":
    guard arguments.count >= 5, let endpoint = URL(string: arguments[2]) else {
        fail("usage: media-bench list ENDPOINT KEY SECRET [PAGE_SIZE] [WORK_MICROSECONDS]")
    }
    let pageSize = arguments.count > 5 ? Int(arguments[5]) ?? 100 : 100
    let workMicroseconds = arguments.count > 6 ? Int(arguments[6]) ?? 0 : 0
    let client: MediaHTTPClient
    do {
        client = try MediaHTTPClient(endpoint: endpoint, credentials: .apiKey(key: arguments[3], secret: arguments[4]))
    } catch { fail("\(error)") }
    let clock = ContinuousClock()
    let started = clock.now
    var items = 0
    var bytes: Int64 = 0
    var digest: UInt64 = 0
    do {
        for try await item in client.list(MediaQuery(pageSize: pageSize)) {
            items += 1
            bytes += item.size
            digest ^= work(on: item, microseconds: workMicroseconds)
        }
    } catch {
        try? await client.shutdown()
        fail("listing failed: \(error)")
    }
    let elapsed = clock.now - started
    let requests = client.requestsSent
    try? await client.shutdown()
    print("items=\(items) requests=\(requests) seconds=\(String(format: "%.3f", seconds(elapsed))) bytes=\(bytes) digest=\(digest % 1000) peak_rss_kb=\(peakResidentKB() ?? -1)")

case "stack-serve":
    guard arguments.count == 3, let milliseconds = Int(arguments[2]), milliseconds >= 0 else { fail("usage: media-bench stack-serve LATENCY_MS") }
    do { try await serveStackFloor(latency: .milliseconds(milliseconds)) } catch { fail("stack-serve: \(error)") }

case "stack-run":
    guard arguments.count == 5, let port = Int(arguments[2]), let requests = Int(arguments[3]), let concurrency = Int(arguments[4]),
          (1...65535).contains(port), requests >= 0, concurrency >= 1 else { fail("usage: media-bench stack-run PORT REQUESTS CONCURRENCY") }
    do { try await runStackFloor(port: port, requests: requests, concurrency: concurrency) } catch { fail("stack-run: \(error)") }

default:
    fail("usage: media-bench seed STORE_DIR ACCOUNT COUNT | media-bench list ENDPOINT KEY SECRET [PAGE_SIZE] [WORK_MICROSECONDS] | media-bench stack-serve LATENCY_MS | media-bench stack-run PORT REQUESTS CONCURRENCY")
}
