/// Where records are published: the public URL their links start with, the publisher their exports and DOIs name,
/// and, with one (`VELLUM_DOI_PREFIX`), the DOI prefix publishing mints `{prefix}/vellum.{id}` under (api.md §8).
public struct RecordsSite: Sendable {
    public var publicURL: String
    public var publisher: String
    public var doiPrefix: String?

    public init(publicURL: String = "http://localhost", publisher: String? = nil, doiPrefix: String? = nil) {
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        // Without a name of its own, the site's host name.
        self.publisher = publisher ?? (publicURL.split(separator: "/").dropFirst().first.map(String.init) ?? "Vellum")
        self.doiPrefix = doiPrefix?.lowercased()
    }

    public func recordURL(_ id: Int64) -> String { "\(publicURL)/records/\(id)" }
}
