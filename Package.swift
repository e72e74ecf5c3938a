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
    ],
    dependencies: [
    ],
    targets: [
        .target(name: "MediaAPI"),
        .testTarget(name: "MediaAPITests", dependencies: ["MediaAPI"]),
        .target(name: "MediaShell", dependencies: ["MediaAPI"]),
        .testTarget(name: "MediaShellTests", dependencies: ["MediaShell"]),
    ],
    swiftLanguageModes: [.v6]
)
