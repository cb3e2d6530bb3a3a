// swift-tools-version:6.1
import PackageDescription

/// One target per stage of the data flow (see README "Layout").
let package = Package(
    name: "sintra",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sintra", targets: ["sintra"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        // OpenTelemetry tracing, off unless configured (docs/observability.md). Only the OTLP/HTTP
        // exporter: the gRPC one would add grpc-swift to every build for nothing we use.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // System libraries.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Libraries.
        .target(name: "CanonicalJSON"),
        .target(name: "Cryptography", dependencies: ["COpenSSL"]),
        .target(name: "CivilDays"),
        .target(name: "Postgres", dependencies: ["CLibPQ", "CivilDays"]),
        .target(name: "EventLog", dependencies: ["Postgres", "Cryptography", "CanonicalJSON"]),
        .target(name: "Catalog", dependencies: ["CanonicalJSON", "CivilDays"]),
        .target(name: "Definitions", dependencies: ["Catalog", "CanonicalJSON"]),
        .target(name: "Privacy", dependencies: ["Definitions", "Cryptography", "EventLog", "Postgres", "CanonicalJSON"]),
        .target(name: "Projections", dependencies: ["EventLog", "Postgres", "CanonicalJSON"]),
        .target(name: "Indicators", dependencies: ["Postgres", "CanonicalJSON", "Catalog", "Cryptography"]),
        .target(name: "Publications", dependencies: ["Indicators", "Statistics", "Projections", "Commands", "Streams", "Cryptography", "Postgres", "CanonicalJSON", "Catalog"]),
        .target(name: "Streams", dependencies: ["Definitions", "Privacy", "EventLog", "Postgres", "CanonicalJSON", "Catalog"]),
        .target(name: "CaseFiles", dependencies: ["Streams", "Privacy", "Definitions", "EventLog", "Postgres", "CanonicalJSON", "Catalog"]),
        .target(name: "API", dependencies: [
            "Accounts", "Commands", "Streams", "CaseFiles", "Records", "Indicators", "Statistics", "Reports", "AnnualReport", "Publications", "Privacy", "Cryptography", "Definitions", "Projections", "CanonicalJSON", "Catalog", "Postgres", "EventLog",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "CompressNIO", package: "compress-nio"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
        .target(name: "Web", dependencies: [
            "API", "Accounts", "Commands", "Streams", "CaseFiles", "Definitions", "Catalog", "CanonicalJSON", "Privacy", "EventLog", "Postgres", "Cryptography",
            "Records",
            "Projections", "Indicators", "Publications", "Statistics", "Reports", "AnnualReport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Templates"), .copy("Static")]),
        .target(name: "Statistics", dependencies: ["EventLog", "Postgres", "CanonicalJSON", "Catalog"]),
        .target(name: "Reports", dependencies: ["Statistics", "Projections", "Definitions", "Postgres", "CanonicalJSON", "Catalog"]),
        .target(name: "AnnualReport", dependencies: ["Reports", "Indicators", "Publications", "Statistics", "Projections", "EventLog", "Catalog", "CanonicalJSON"]),
        .target(name: "Demo", dependencies: ["Commands", "Streams", "Definitions", "Catalog", "CanonicalJSON"]),
        .target(name: "Commands", dependencies: ["Streams", "Definitions", "Privacy", "EventLog", "Postgres", "Catalog", "CanonicalJSON", "Cryptography",
                                                 .product(name: "Tracing", package: "swift-distributed-tracing")]),
        .target(name: "Records", dependencies: ["Commands", "Streams", "Definitions", "Privacy", "EventLog", "Postgres", "CanonicalJSON", "Catalog"]),
        .target(name: "Accounts", dependencies: ["Commands", "Streams", "Definitions", "Privacy", "EventLog", "Postgres", "Catalog", "CanonicalJSON", "Cryptography"]),

        // The command-line tool.
        .executableTarget(name: "sintra", dependencies: [
            "EventLog", "Definitions", "Privacy", "Commands", "Streams", "Demo", "Projections", "Indicators", "Publications", "CaseFiles", "Statistics", "Reports", "AnnualReport", "API", "Accounts", "Records", "Web",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "OTel", package: "swift-otel"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),

        // Benchmarks (ops/bench runs it beside pgbench; not a test).
        .executableTarget(name: "sintra-bench", dependencies: ["EventLog", "Definitions", "Projections", "Indicators", "Publications", "Catalog"],
                          path: "Sources/SintraBench"),

        // Tests.
        .target(name: "TestDatabase", dependencies: ["Postgres", "EventLog", "Definitions", "Commands", "Streams", "Privacy", "Projections", "Catalog", "CanonicalJSON"],
                path: "Tests/TestDatabase"),
        .testTarget(name: "CanonicalJSONTests", dependencies: ["CanonicalJSON"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog"]),
        .testTarget(name: "DefinitionsTests", dependencies: ["Definitions", "TestDatabase"]),
        .testTarget(name: "CryptographyTests", dependencies: ["Cryptography"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestDatabase"]),
        .testTarget(name: "EventLogTests", dependencies: ["Demo", "EventLog", "CanonicalJSON", "Postgres", "Projections", "TestDatabase"]),
        .testTarget(name: "IndicatorsTests", dependencies: ["Indicators", "Projections", "Commands", "Streams", "Definitions", "Privacy", "Catalog", "TestDatabase"]),
        .testTarget(name: "ProjectionsTests", dependencies: ["Projections", "Records", "Commands", "Streams", "Demo", "Definitions", "Privacy", "Catalog", "TestDatabase"]),
        .testTarget(name: "PublicationsTests", dependencies: ["Publications", "Statistics", "Demo", "Cryptography", "Indicators", "Projections", "Commands", "Streams", "Definitions", "Privacy", "Catalog", "TestDatabase"]),
        .testTarget(name: "CaseFilesTests", dependencies: ["CaseFiles", "Accounts", "Commands", "Streams", "Postgres", "Projections", "Definitions", "Privacy", "Catalog", "TestDatabase"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "Demo", "Projections", "Commands", "Streams", "Definitions", "Privacy", "Catalog", "CanonicalJSON", "Postgres", "TestDatabase"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "AnnualReport", "Indicators", "Publications", "Demo", "Statistics", "Projections", "Commands", "Streams", "Definitions", "Privacy", "Catalog", "CanonicalJSON", "Postgres", "TestDatabase"]),
        .testTarget(name: "AccountsTests", dependencies: ["Accounts", "Commands", "Streams", "Projections", "Definitions", "Privacy", "Cryptography", "Postgres", "TestDatabase"]),
        .testTarget(name: "APITests", dependencies: [
            "API", "Accounts", "CaseFiles", "Commands", "Streams", "Definitions", "EventLog", "Indicators", "Postgres", "Privacy", "Projections", "Publications", "Statistics", "Reports", "AnnualReport", "CanonicalJSON",
            "Catalog", "TestDatabase",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "CompressNIO", package: "compress-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "WebTests", dependencies: [
            "Web", "API", "Accounts", "CaseFiles", "Commands", "Streams", "Definitions", "EventLog", "Postgres", "Privacy", "Projections", "CanonicalJSON", "Catalog", "TestDatabase",
            "Cryptography", "Records",
            "Indicators", "Publications", "Statistics", "Reports", "AnnualReport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CommandsTests", dependencies: ["Commands", "Streams", "Definitions", "Privacy", "Cryptography", "Demo", "TestDatabase"]),
    ],
    swiftLanguageModes: [.v6]
)
