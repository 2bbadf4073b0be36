// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "vellum",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vellum", targets: ["vellum"]),
        .executable(name: "vellum-bench", targets: ["VellumBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.27.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
    ],
    targets: [
        .systemLibrary(name: "CMagic", path: "Sources/CMagic", providers: [.apt(["libmagic-dev"])]),
        .target(name: "CMD5Lanes"),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .systemLibrary(name: "CVips", path: "iiif/CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        .systemLibrary(
            name: "CCmarkGFM", path: "previewers/CCmarkGFM", pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "CArchive", path: "previewers/CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CXML2", path: "previewers/CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // One previewer per kind of file, each rendering a page from the file's bytes: pure, it imports no Vellum target.
        .target(name: "Previewers", dependencies: ["CArchive", "CCmarkGFM", "CXML2"], path: "previewers/Previewers"),
        // Preview pages, tickets and assets over HTTP.
        .target(
            name: "PreviewHTTP",
            dependencies: [
                "Previewers", "VellumCore", "VellumHTTPSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ], path: "previewers/PreviewHTTP"),
        .target(name: "CPixels", path: "iiif/CPixels", linkerSettings: [.linkedLibrary("tiff"), .linkedLibrary("jpeg")]),
        // The IIIF Image API's grammar (requests, info.json, limits): pure, it imports no Vellum target.
        .target(name: "IIIFGrammar", path: "iiif/IIIFGrammar"),
        .target(
            name: "IIIF",
            dependencies: [
                "CPixels", "CVips", "IIIFGrammar", "Previewers", "VellumCore",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ], path: "iiif/IIIF"),
        .target(
            name: "VellumCore",
            dependencies: [
                "CMagic", "CMD5Lanes",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "S3Storage",
            dependencies: [
                "VellumCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ], path: "storage-backends/S3Storage"),
        .target(
            name: "LocalStorage",
            dependencies: [
                "VellumCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ], path: "storage-backends/LocalStorage"),
        .target(
            name: "VellumStore",
            dependencies: [
                "VellumCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // JSON values, JSON Schema (draft-04 to 2020-12), JSON Patch and Merge Patch: pure, it imports no Vellum target.
        .target(name: "JSONSchema"),
        // Records: JSON metadata with schemas, revisions, drafts and versions, attached to buckets.
        // DataCite's REST API, for the DOI worker.
        .target(
            name: "DataCite",
            dependencies: [
                "JSONSchema", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        // A published record in DataCite JSON and XML, schema.org, CSL, BibTeX and Dublin Core: pure, from one mapping.
        .target(name: "RecordExports", dependencies: ["JSONSchema"]),
        .target(name: "SearchQuery"),
        .target(
            name: "VellumRecords",
            dependencies: ["JSONSchema", "RecordExports", "SearchQuery", "VellumCore", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "VellumRecordsStore",
            dependencies: [
                "JSONSchema", "SearchQuery", "VellumCore", "VellumRecords", "VellumStore", .product(name: "SQLKit", package: "sql-kit"),
            ]),
        // The records' search index in OpenSearch, through its REST API.
        .target(
            name: "VellumOpenSearch",
            dependencies: [
                "JSONSchema", "SearchQuery", "VellumCore", "VellumRecords", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .target(
            name: "VellumRecordsHTTP",
            dependencies: [
                "IIIFGrammar", "JSONSchema", "RecordExports", "SearchQuery", "VellumCore", "VellumHTTPSupport", "VellumRecords",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        // What every HTTP front-end shares: the request context, authentication, the JSON error body and the
        // mapping of domain errors to statuses, JSON writing.
        .target(
            name: "VellumHTTPSupport",
            dependencies: [
                "IIIFGrammar", "VellumCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .target(
            name: "VellumHTTP",
            dependencies: [
                "IIIF", "IIIFGrammar", "VellumCore", "VellumHTTPSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(
            name: "vellum",
            dependencies: [
                "CMagic", "CMalloc", "IIIF", "IIIFGrammar", "PreviewHTTP", "VellumCore", "VellumStore", "VellumHTTP", "VellumHTTPSupport",
                "LocalStorage", "S3Storage", "JSONSchema", "VellumRecords", "VellumRecordsStore", "VellumRecordsHTTP", "DataCite",
                "VellumOpenSearch",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ], resources: [.copy("Resources/vellum.magic")]),
        .executableTarget(
            name: "VellumBench",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ], path: "benchmarks/VellumBench"),
        .target(
            name: "VellumTesting",
            dependencies: [
                "IIIF", "IIIFGrammar", "LocalStorage", "PreviewHTTP", "VellumCore", "VellumHTTP", "VellumHTTPSupport", "VellumStore",
                "VellumRecords", "VellumRecordsHTTP", "VellumRecordsStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "IIIFGrammarTests", dependencies: ["IIIFGrammar"]),
        .testTarget(name: "PreviewersTests", dependencies: ["Previewers"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema"]),
        .testTarget(name: "RecordExportsTests", dependencies: ["RecordExports", "JSONSchema"]),
        .testTarget(name: "SearchQueryTests", dependencies: ["SearchQuery"]),
        .testTarget(name: "VellumRecordsTests", dependencies: ["VellumRecords", "JSONSchema"]),
        .testTarget(
            name: "VellumHTTPTests",
            dependencies: [
                "PreviewHTTP", "VellumCore", "VellumHTTP", "VellumTesting",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(
            name: "VellumTests",
            dependencies: [
                "CMD5Lanes", "CVips", "IIIF", "IIIFGrammar", "JSONSchema", "S3Storage", "VellumCore", "VellumStore", "VellumHTTP",
                "VellumHTTPSupport",
                "VellumRecords", "VellumRecordsStore", "SearchQuery",
                "LocalStorage",
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
    ]
)
