import Foundation
import JSONSchema
import VellumCore

/// A published record's FAIR Signposting level 1 links (api.md §8): `cite-as`, `describedby` (each metadata
/// format), `item` (each file), `license`, `type`, `author` (ORCID iDs). The record's response carries them as its
/// `Link` header, unless there are more than five items or authors (a header that long can break proxies): then
/// the header has one `linkset` link to the linkset document (RFC 9264, `application/linkset+json`), which has them
/// all, and a context per file pointing back to the record (`collection`).
public struct Signposts: Sendable, Equatable {
    public struct Target: Sendable, Equatable {
        public var href: String
        public var type: String?

        public init(_ href: String, type: String? = nil) {
            self.href = href
            self.type = type
        }
    }

    /// The record's URL, the links' context.
    public var anchor: String
    /// The links by relation, in the order they are written.
    public var links: [(rel: String, targets: [Target])]

    public static func == (a: Signposts, b: Signposts) -> Bool {
        a.anchor == b.anchor && a.links.map(\.rel) == b.links.map(\.rel) && a.links.map(\.targets) == b.links.map(\.targets)
    }

    /// `describedBy`: the metadata formats as URL and media type; `files`: each file's URL and media type;
    /// `schemaOrgType`: the record's schema.org type (`https://schema.org/Dataset`).
    public init(
        anchor: String, citeAs: String, describedBy: [Target], files: [Target], metadata: JSON?, schemaOrgType: String
    ) {
        self.anchor = anchor
        let orcids = (metadata?["creators"]?.arrayValue ?? []).compactMap { $0["orcid"]?.stringValue }
        let license = metadata?["license"]?.stringValue
        links = [
            ("cite-as", [Target(citeAs)]),
            ("describedby", describedBy),
            ("item", files),
            ("license", license.map { [Target("https://spdx.org/licenses/\($0)")] } ?? []),
            ("type", [Target(schemaOrgType), Target("https://schema.org/AboutPage")]),
            ("author", orcids.map { Target("https://orcid.org/\($0)") }),
        ].filter { !$0.targets.isEmpty }
    }

    var linksetURL: String { anchor + "/linkset" }

    /// The `Link` header's value.
    public var header: String {
        let many = links.contains { ($0.rel == "item" || $0.rel == "author") && $0.targets.count > 5 }
        let written: [(rel: String, targets: [Target])] =
            many ? [("linkset", [Target(linksetURL, type: "application/linkset+json")])] : links
        return written.flatMap { link in
            link.targets.map { target in
                "<\(target.href)>; rel=\"\(link.rel)\"" + (target.type.map { "; type=\"\($0)\"" } ?? "")
            }
        }.joined(separator: ", ")
    }

    /// The linkset document (RFC 9264's JSON form).
    public var linkset: JSON {
        func targets(_ list: [Target]) -> JSON {
            .array(list.map { target in .object(["href": .string(target.href)].merging(target.type.map { ["type": .string($0)] } ?? [:]) { $1 }) })
        }
        var record: [String: JSON] = ["anchor": .string(anchor)]
        for link in links { record[link.rel] = targets(link.targets) }
        let items = links.first { $0.rel == "item" }?.targets ?? []
        let files = items.map { item in
            JSON.object(["anchor": .string(item.href), "collection": targets([Target(anchor, type: "application/json")])])
        }
        return .object(["linkset": .array([.object(record)] + files)])
    }
}

extension RecordsService {
    /// What a published record's signposts are made of, if anyone may see it (nil otherwise): how to cite it (its
    /// DOI, else its URL) and the files of its bucket (at most 10,000).
    public func signpostSources(of record: Record, publicURL: String) async throws -> (citeAs: String, files: [ObjectVersion])? {
        guard record.status == .published, record.access.isPublic(at: Date()).record else { return nil }
        return try await store.read { session in
            let citeAs = try await citeAs(record, publicURL: publicURL, session)
            return (citeAs, try await session.listVersions(ListQuery(bucketID: record.bucketID, limit: 10_000, allVersions: false)))
        }
    }
}
