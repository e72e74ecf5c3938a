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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "MediaAPI"),
        .testTarget(name: "MediaAPITests", dependencies: ["MediaAPI"]),
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "LineEditor", dependencies: ["CEditLine"]),
        .testTarget(name: "LineEditorTests", dependencies: ["LineEditor"]),
    ],
    swiftLanguageModes: [.v6]
)
