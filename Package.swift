// swift-tools-version:6.0
import PackageDescription

// Dependencies point down: mediash → MediaShell/LineEditor/bindings → MediaAPI.
// See ARCHITECTURE.md in the design folder.
let package = Package(
    name: "mediash",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MediaAPI", targets: ["MediaAPI"]),
        .library(name: "MediaShell", targets: ["MediaShell"]),
        .library(name: "MediaStore", targets: ["MediaStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .target(name: "MediaAPI"),
        .testTarget(name: "MediaAPITests", dependencies: ["MediaAPI"]),
        .target(name: "MediaShell", dependencies: ["MediaAPI"]),
        .executableTarget(name: "mediashell-bench", dependencies: ["MediaShell", "MediaStore", "MediaAPI"]),
        .testTarget(name: "MediaShellTests", dependencies: ["MediaShell", "MediaStore"]),
        .target(
            name: "MediaStore",
            dependencies: [
                "MediaAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "MediaServiceContract", dependencies: ["MediaAPI"], path: "Tests/MediaServiceContract"),
        .executableTarget(name: "store-stress", dependencies: ["MediaStore", "MediaAPI"], path: "Tests/store-stress"),
        .testTarget(
            name: "MediaStoreTests",
            dependencies: [
                "MediaStore", "MediaAPI", "MediaServiceContract", "store-stress",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
