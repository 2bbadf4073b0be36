import Foundation
import Hummingbird
import VellumCore
import VellumHTTPSupport

/// Builds absolute URLs for `links`. The base is the configured public URL; a request's `Host` is used only
/// when it is listed in the allowed hosts, so links can never be pointed elsewhere by a client.
public struct LinkPolicy: Sendable {
    public var publicURL: String
    public var allowedHosts: Set<String>
    /// Links the attached modules add to every version's `links` (a preview page, say), by name.
    public var versionLinks: [VersionLink]
    /// `Link` header values the attached modules add to downloads from a bucket (a record's signposts, say).
    public var downloadLinks: [DownloadLink]

    /// A module's link for a version: its name in `links` and its URL, given the request's base URL.
    public typealias VersionLink = @Sendable (_ version: ObjectVersion, _ base: String) -> (name: String, url: String)?
    /// A module's `Link` header value for a download from the bucket, if it has one.
    public typealias DownloadLink = @Sendable (_ bucketID: UUID) async throws -> String?

    public init(publicURL: String, allowedHosts: Set<String> = [], versionLinks: [VersionLink] = [], downloadLinks: [DownloadLink] = []) {
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.allowedHosts = allowedHosts
        self.versionLinks = versionLinks
        self.downloadLinks = downloadLinks
    }

    func links(for request: Request) -> Links {
        if let host = request.head.authority, allowedHosts.contains(host) {
            return Links(base: "http://\(host)", versionLinks: versionLinks)
        }
        return Links(base: publicURL, versionLinks: versionLinks)
    }
}

/// URLs of one request's resources.
struct Links {
    let base: String
    var versionLinks: [LinkPolicy.VersionLink] = []

    func bucket(_ id: UUID) -> String { "\(base)/files/\(id.lowercased)" }

    func object(_ bucket: UUID, _ key: String) -> String { "\(self.bucket(bucket))/\(ObjectKeyPath.encode(key))" }

    static let queryAllowed: CharacterSet = {
        var set = CharacterSet.asciiAlphanumerics
        set.insert(charactersIn: "-._~/!$'()*,;:@")
        return set
    }()

    static func encodeQuery(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? value
    }
}
