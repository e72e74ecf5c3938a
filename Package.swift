// swift-tools-version:6.0
import PackageDescription

// Dependencies point down: mediash → MediaShell/LineEditor/bindings → MediaAPI.
// See ARCHITECTURE.md in the design folder.

// The commit `mediash --version` names: letters, digits and '-' only (it becomes a C string literal).
let buildCommit: String? = Context.environment["MEDIASH_BUILD_COMMIT"].flatMap { commit in
    !commit.isEmpty && commit.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) ? commit : nil
}
let package = Package(
    name: "mediash",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MediaAPI", targets: ["MediaAPI"]),
        .library(name: "MediaShell", targets: ["MediaShell"]),
        .library(name: "MediaStore", targets: ["MediaStore"]),
        .library(name: "MediaServer", targets: ["MediaServer"]),
        .executable(name: "media-server", targets: ["media-server"]),
        .library(name: "MediaHTTPClient", targets: ["MediaHTTPClient"]),
        .library(name: "LineEditor", targets: ["LineEditor"]),
        .executable(name: "mediash", targets: ["mediash"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // mediash's config.toml (Sources/mediash/ConfigFile.swift); the mediash target only.
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Crypto: an ETag is the content's MD5 (HashingCopy), computed the same way by every binding.
        // BuildInfo: the commit in `--version` (MediaAPI/Version.swift).
        .target(name: "MediaAPI", dependencies: ["BuildInfo", .product(name: "Crypto", package: "swift-crypto")]),
        // The git commit a build was made from, when the scripts pass one (MEDIASH_BUILD_COMMIT,
        // scripts/lib/release.sh); a plain `swift build` names none. Only BuildInfo.c is compiled
        // with it, so a new commit recompiles one C file. (Not Context.gitInformation: SwiftPM
        // caches it with the manifest, so it goes stale across commits, swift-package-manager#8202.)
        .target(name: "BuildInfo", cSettings: buildCommit.map { [.define("MEDIASH_BUILD_COMMIT", to: "\"\($0)\"")] } ?? []),
        // Fetches an upload's url under a URLFetchPolicy (the SSRF defences), for both stores.
        // (URLSession would link FoundationNetworking and libcurl's thirty libraries into mediash,
        // ~12 ms of every start-up.)
        .target(name: "MediaURLFetch", dependencies: [
            "MediaAPI",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "MediaAPITests", dependencies: ["MediaAPI"]),
        // MD5 (a download's ETag check) is swift-crypto's, as everywhere else in the package.
        .target(name: "MediaShell", dependencies: ["MediaAPI", .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(name: "mediashell-bench", dependencies: ["MediaShell", "MediaMemory"]),
        .testTarget(name: "MediaShellTests", dependencies: ["MediaShell", "MediaMemory"]),
        // An in-memory MediaService for the language's tests and fuzzing (not a product).
        .target(name: "MediaMemory", dependencies: ["MediaAPI"]),
        .testTarget(name: "MediaMemoryTests", dependencies: ["MediaMemory", "MediaAPI", "MediaServiceContract"]),
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "LineEditor", dependencies: ["CEditLine"]),
        .testTarget(name: "LineEditorTests", dependencies: ["LineEditor"]),
        .executableTarget(name: "mediash", dependencies: [
            "MediaAPI", "MediaShell", "MediaStore", "MediaHTTPClient", "LineEditor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .testTarget(name: "mediashTests", dependencies: [
            "mediash", "embed-shell", "MediaServer",
            // A hostile Media API server in the tests (HostileServer.swift).
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        // The embedding example of the README; mediashTests runs it.
        .executableTarget(name: "embed-shell", dependencies: ["MediaShell", "MediaStore", "MediaAPI"], path: "Examples/embed-shell"),
        .target(
            name: "MediaStore",
            dependencies: [
                "MediaAPI",
                "MediaURLFetch",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C interface: MediaRow reads list rows straight from the statement.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "MediaStorePostgres",
            dependencies: [
                "MediaAPI",
                "MediaURLFetch",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MediaServer",
            dependencies: [
                "MediaAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "media-server",
            dependencies: [
                "MediaServer",
                "MediaStore",
                "MediaStorePostgres",
                "MediaURLFetch",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // What each libFuzzer target does with an input (fuzz/README.md), in the ordinary build too:
        // FuzzCorpusTests replays every committed input of fuzz/corpus/ through it.
        .target(name: "FuzzTargets", dependencies: [
            "MediaShell", "MediaMemory", "MediaAPI", "MediaServer", "MediaHTTPClient",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], path: "fuzz/Targets"),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzTargets"]),
        .target(name: "MediaServiceContract", dependencies: ["MediaAPI", .product(name: "Crypto", package: "swift-crypto")], path: "Tests/MediaServiceContract"),
        .executableTarget(name: "store-stress", dependencies: ["MediaStore", "MediaAPI"], path: "Tests/store-stress"),
        .testTarget(
            name: "MediaStoreTests",
            dependencies: [
                "MediaStore", "MediaAPI", "MediaURLFetch", "MediaServiceContract", "store-stress",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "MediaHTTPClient",
            dependencies: [
                "MediaAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "MediaHTTPClientTests",
            dependencies: [
                "MediaHTTPClient", "MediaAPI", "MediaServer", "MediaStore", "MediaServiceContract",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The list benchmark's driver (scripts/bench.d/list); not a product.
        .executableTarget(name: "media-bench", dependencies: [
            "MediaHTTPClient", "MediaStore", "MediaAPI",
            // The bulk benchmark's stack floor (StackFloor.swift): the HTTP packages on their own.
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(
            name: "BulkActionTests",
            dependencies: ["MediaShell", "MediaHTTPClient", "MediaServer", "MediaStore", "MediaAPI",
                           .product(name: "Hummingbird", package: "hummingbird")]
        ),
        // The throwaway PostgreSQL of the tests (MEDIA_TEST_DATABASE_URL), for every test target that uses it.
        .target(
            name: "PostgresTestSupport",
            dependencies: ["MediaAPI", "MediaStorePostgres", .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/PostgresTestSupport"),
        .testTarget(
            name: "PostgresTests",
            dependencies: [
                "MediaStorePostgres", "MediaAPI", "MediaServiceContract", "MediaServer", "MediaHTTPClient", "PostgresTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "MediaServerTests",
            dependencies: [
                "MediaServer",
                "MediaStore",
                // The same route tests on a PostgreSQL-backed server (URLUploadTests), when MEDIA_TEST_DATABASE_URL is set.
                "MediaStorePostgres", "PostgresTestSupport",
                "MediaAPI",
                // To write bytes into a store's file that no client could send (ListPageWritingTests).
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer targets (fuzz/README.md), only when MEDIASH_FUZZ is set: fuzz/build compiles them
// with -sanitize=fuzzer,address in their own build folder, so the normal build never sees them.
if Context.environment["MEDIASH_FUZZ"] != nil {
    package.targets += [
        .target(name: "FuzzDriver", path: "fuzz/Driver"),
        .executableTarget(name: "fuzz-program", dependencies: ["FuzzDriver", "FuzzTargets"], path: "fuzz/program"),
        .executableTarget(name: "fuzz-open", dependencies: ["FuzzDriver", "FuzzTargets"], path: "fuzz/open"),
        .executableTarget(name: "fuzz-server", dependencies: ["FuzzDriver", "FuzzTargets"], path: "fuzz/server"),
        .executableTarget(name: "fuzz-client", dependencies: ["FuzzDriver", "FuzzTargets"], path: "fuzz/client"),
    ]
}
