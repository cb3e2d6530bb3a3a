// swift-tools-version:6.0
import PackageDescription

/// The Swift client of SINTRA's API, generated at build time from `events/openapi.json` by Apple's
/// swift-openapi-generator, and a smoke run through it. `ops/test` builds it (`ops/swift-client/build`)
/// and `GeneratedClientTests` runs the smoke flow against a live server. A separate package so the
/// server never depends on the generator.
let package = Package(
    name: "sintra-cliente",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.0"),
        .package(url: "https://github.com/apple/swift-openapi-urlsession", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "SintraClienteSmoke",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
    ]
)
