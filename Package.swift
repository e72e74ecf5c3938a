// swift-tools-version:6.0
import PackageDescription

// Dependencies point down: mediash → MediaShell/LineEditor/bindings → MediaAPI.
// See ARCHITECTURE.md in the design folder.
let package = Package(
    name: "mediash",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MediaAPI", targets: ["MediaAPI"]),
        .library(name: "LineEditor", targets: ["LineEditor"]),
        .library(name: "MediaStore", targets: ["MediaStore"]),
        .library(name: "MediaShell", targets: ["MediaShell"]),
        .executable(name: "mediash", targets: ["mediash"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .target(name: "MediaAPI"),
        .testTarget(name: "MediaAPITests", dependencies: ["MediaAPI"]),
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "LineEditor", dependencies: ["CEditLine"]),
        .testTarget(name: "LineEditorTests", dependencies: ["LineEditor"]),
        .target(
            name: "MediaStore",
            dependencies: [
                "MediaAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "MediaShell", dependencies: ["MediaAPI"]),
        .testTarget(name: "MediaShellTests", dependencies: ["MediaShell"]),
        .executableTarget(name: "mediash", dependencies: [
            "MediaAPI", "MediaShell", "MediaStore", "LineEditor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "mediashTests", dependencies: ["mediash"]),
    ],
    swiftLanguageModes: [.v6]
)
