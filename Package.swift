// swift-tools-version:6.1
import PackageDescription

// PublicDataKit: the rules engine and system of record for the authorized operation of public data.
//
// Layers (a lower layer never imports a higher one):
//   PublicDataModel
//     -> PublicDataPolicy, PublicDataPricing, PublicDataAudit
//       -> PublicDataWorkflow
//         -> PublicDataKit (umbrella)
// Stores: PublicDataSQLite (embedded default), PublicDataPostgres (opt-in trait `PostgreSQL`).
// Signatures: PublicDataCrypto (Ed25519 and SM2 keys, libcrypto hashers; opt-in trait `OpenSSL`).
// Test kits: PublicDataTesting, PublicDataPostgresTesting (behind the trait).

let package = Package(
    name: "PublicDataKit",
    platforms: [.macOS(.v13), .iOS(.v16)],
    products: [
        .library(name: "PublicDataKit", targets: ["PublicDataKit"]),
        .library(name: "PublicDataModel", targets: ["PublicDataModel"]),
        .library(name: "PublicDataPolicy", targets: ["PublicDataPolicy"]),
        .library(name: "PublicDataPricing", targets: ["PublicDataPricing"]),
        .library(name: "PublicDataAudit", targets: ["PublicDataAudit"]),
        .library(name: "PublicDataWorkflow", targets: ["PublicDataWorkflow"]),
        .library(name: "PublicDataTesting", targets: ["PublicDataTesting"]),
        .library(name: "PublicDataSQLite", targets: ["PublicDataSQLite"]),
        .library(name: "PublicDataPostgres", targets: ["PublicDataPostgres"]),
        .library(name: "PublicDataPostgresTesting", targets: ["PublicDataPostgresTesting"]),
        .library(name: "PublicDataCrypto", targets: ["PublicDataCrypto"]),
        .executable(name: "publicdata-demo", targets: ["PublicDataDemo"]),
    ],
    traits: [
        .trait(
            name: "PostgreSQL",
            description: "Builds PublicDataPostgres against the system libpq (Debian libpq-dev, Homebrew libpq)."
        ),
        .trait(
            name: "OpenSSL",
            description: "Builds PublicDataCrypto against the system libcrypto (Debian libssl-dev, Homebrew openssl@3)."
        ),
    ],
    targets: [
        // MARK: - System libraries
        .systemLibrary(
            name: "CPublicDataSQLite",
            path: "Sources/CPublicDataSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CPublicDataLibPQ",
            path: "Sources/CPublicDataLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .systemLibrary(
            name: "CPublicDataOpenSSL",
            path: "Sources/CPublicDataOpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),

        // MARK: - Layers
        .target(name: "PublicDataModel"),
        .target(
            name: "PublicDataPolicy",
            dependencies: ["PublicDataModel", "PublicDataAudit"],
            resources: [.process("Resources")]
        ),
        .target(name: "PublicDataPricing", dependencies: ["PublicDataModel"]),
        .target(name: "PublicDataAudit", dependencies: ["PublicDataModel"]),
        .target(
            name: "PublicDataWorkflow",
            dependencies: ["PublicDataModel", "PublicDataPolicy", "PublicDataPricing", "PublicDataAudit"]
        ),
        .target(
            name: "PublicDataKit",
            dependencies: [
                "PublicDataModel", "PublicDataPolicy", "PublicDataPricing", "PublicDataAudit", "PublicDataWorkflow",
            ]
        ),

        // MARK: - Stores and test kit
        .target(name: "PublicDataSQLite", dependencies: ["PublicDataModel", "CPublicDataSQLite"]),
        .target(
            name: "PublicDataPostgres",
            dependencies: [
                "PublicDataModel",
                .target(name: "CPublicDataLibPQ", condition: .when(traits: ["PostgreSQL"])),
            ]
        ),
        .target(
            name: "PublicDataCrypto",
            dependencies: [
                "PublicDataAudit",
                .target(name: "CPublicDataOpenSSL", condition: .when(traits: ["OpenSSL"])),
            ]
        ),
        .target(name: "PublicDataTesting", dependencies: ["PublicDataModel", "PublicDataPolicy", "PublicDataAudit"]),
        // PostgreSQL test kit: a throwaway cluster for tests and benchmarks (empty without the trait).
        .target(name: "PublicDataPostgresTesting", dependencies: ["PublicDataModel"]),

        // MARK: - Executables
        .target(
            name: "PublicDataCommandLine",
            dependencies: [
                "PublicDataKit", "PublicDataSQLite", "PublicDataPostgres", "PublicDataCrypto",
            ]
        ),
        .executableTarget(
            name: "PublicDataDemo",
            dependencies: ["PublicDataCommandLine"],
            path: "Sources/PublicDataDemo"
        ),
        .executableTarget(
            name: "PublicDataFuzz",
            dependencies: ["PublicDataModel", "PublicDataPolicy", "PublicDataAudit", "PublicDataWorkflow"],
            path: "Fuzz/PublicDataFuzz"
        ),
        .executableTarget(
            name: "PublicDataBenchmarks",
            dependencies: [
                "PublicDataKit", "PublicDataSQLite", "PublicDataPostgres", "CPublicDataSQLite", "PublicDataTesting",
                "PublicDataPostgresTesting", "PublicDataCrypto",
            ],
            path: "Benchmarks/PublicDataBenchmarks"
        ),

        // MARK: - Tests
        .testTarget(name: "PublicDataModelTests", dependencies: ["PublicDataModel", "PublicDataTesting"]),
        // Test support: a fault-injecting SQLite VFS (C), used only by the SQLite tests.
        .target(
            name: "CPublicDataSQLiteFaults",
            dependencies: ["CPublicDataSQLite"],
            path: "Tests/CPublicDataSQLiteFaults"
        ),
        .testTarget(
            name: "PublicDataSQLiteTests",
            dependencies: [
                "PublicDataSQLite", "PublicDataTesting", "CPublicDataSQLite", "CPublicDataSQLiteFaults", "PublicDataAudit",
            ]
        ),
        .testTarget(
            name: "PublicDataPolicyTests",
            dependencies: ["PublicDataPolicy", "PublicDataTesting"],
            resources: [.copy("Suites")]
        ),
        .testTarget(name: "PublicDataPricingTests", dependencies: ["PublicDataPricing", "PublicDataTesting"]),
        .testTarget(
            name: "PublicDataAuditTests",
            dependencies: ["PublicDataAudit", "PublicDataTesting", "PublicDataSQLite"]
        ),
        .testTarget(
            name: "PublicDataWorkflowTests",
            dependencies: [
                "PublicDataKit", "PublicDataTesting", "PublicDataSQLite", "PublicDataPostgres", "PublicDataPostgresTesting",
            ]
        ),
        .testTarget(
            name: "PublicDataCommandLineTests",
            dependencies: [
                "PublicDataCommandLine", "PublicDataKit", "PublicDataSQLite", "PublicDataTesting", "CPublicDataSQLite",
                "PublicDataPostgres", "PublicDataPostgresTesting",
            ]
        ),
        .testTarget(
            name: "PublicDataPostgresTests",
            dependencies: ["PublicDataPostgres", "PublicDataTesting", "PublicDataPostgresTesting", "PublicDataAudit"]
        ),
        .testTarget(name: "PublicDataCryptoTests", dependencies: ["PublicDataCrypto", "PublicDataAudit"]),
    ]
)

// One settings block for every target: Swift 6 language mode, complete strict concurrency.
for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableExperimentalFeature("StrictConcurrency=complete"))
    target.swiftSettings = settings
}
