// swift-tools-version:6.1
import PackageDescription

// An example host, not part of the library: a Hummingbird service that accepts workflow commands as JSON over
// HTTP. It depends on PublicDataKit by path (the library itself has no package dependency) and on Hummingbird.
let package = Package(
    name: "PortalService",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "portal-service", targets: ["portal-service"])
    ],
    dependencies: [
        .package(name: "PublicDataKit", path: "../..", traits: ["PostgreSQL"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "PortalService",
            dependencies: [
                .product(name: "PublicDataKit", package: "PublicDataKit"),
                .product(name: "PublicDataSQLite", package: "PublicDataKit"),
                .product(name: "PublicDataPostgres", package: "PublicDataKit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "portal-service",
            dependencies: ["PortalService", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "PortalServiceTests",
            dependencies: [
                "PortalService",
                .product(name: "PublicDataTesting", package: "PublicDataKit"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
