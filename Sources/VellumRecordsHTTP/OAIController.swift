import Foundation
import Hummingbird
import NIOCore
import RecordExports
import VellumCore
import VellumHTTPSupport
import VellumRecords

/// `/oai2d` (api.md §10): OAI-PMH 2.0 over GET and POST, for public published records and the deleted headers of
/// those that were. Every answer, errors included, is an OAI-PMH document with HTTP 200.
public struct OAIController: Sendable {
    let service: RecordsService
    let baseURL: String
    let namespace: String
    let adminEmail: String
    let repositoryName: String
    /// The DataCite repository's symbol, for `oai_datacite` (the namespace without one).
    let dataCentre: String

    public init(service: RecordsService, settings: OAISettings, dataCentre: String?) {
        self.service = service
        let site = service.site
        let host = URL(string: site.publicURL)?.host ?? "localhost"
        self.baseURL = site.publicURL + "/oai2d"
        self.namespace = settings.namespace ?? host
        self.adminEmail = settings.adminEmail ?? "admin@\(host)"
        self.repositoryName = settings.repositoryName ?? site.publisher
        self.dataCentre = dataCentre.flatMap { $0.isEmpty ? nil : $0 } ?? self.namespace
    }

    public func routes() -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
        routes.get { request, _ in try await answer(request.uri.query) }
        routes.post { request, _ in
            let body = try await request.smallBody(limit: 64 << 10)
            return try await answer(String(buffer: body))
        }
        return routes
    }

    /// The answer to a query string or a form body.
    func answer(_ query: String?) async throws -> Response {
        let now = Date()
        var echoed: [(String, String)] = []
        var body: [String]
        do {
            let pairs: [(String, String)]
            do {
                pairs = try RecordsController.formParameters(query)
            } catch {
                throw OAIError("badArgument", "The arguments have a malformed percent-encoding.")
            }
            let request = try OAIRequest(pairs)
            echoed = [("verb", request.verb.rawValue)] + request.arguments.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            body = try await answer(request, now: now)
        } catch let error as OAIError {
            // The request's arguments are echoed unless they were not valid (OAI-PMH 2.0 §3.2).
            if error.code == "badVerb" || error.code == "badArgument" { echoed = [] }
            body = [XML.element("error", error.message, [("code", error.code)], indent: 1)]
        }
        let lines =
            [
                #"<?xml version="1.0" encoding="UTF-8"?>"#,
                #"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">"#,
                XML.element("responseDate", OAIXML.datestamp(now), indent: 1),
                XML.element("request", baseURL, echoed, indent: 1),
            ] + body + ["</OAI-PMH>", ""]
        return Response(
            status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n"))))
    }

    func answer(_ request: OAIRequest, now: Date) async throws -> [String] {
        switch request.verb {
        case .identify:
            return OAIXML.wrap(
                "Identify",
                [
                    XML.element("repositoryName", repositoryName, indent: 2), XML.element("baseURL", baseURL, indent: 2),
                    XML.element("protocolVersion", "2.0", indent: 2), XML.element("adminEmail", adminEmail, indent: 2),
                    XML.element("earliestDatestamp", OAIXML.datestamp(try await service.oaiEarliest(now: now)), indent: 2),
                    XML.element("deletedRecord", "persistent", indent: 2),
                    XML.element("granularity", "YYYY-MM-DDThh:mm:ssZ", indent: 2),
                ])
        case .listMetadataFormats:
            if let identifier = request.arguments["identifier"] { _ = try await item(identifier, now: now) }
            return OAIXML.wrap(
                "ListMetadataFormats",
                OAIFormat.allCases.flatMap { format in
                    [
                        "    <metadataFormat>", XML.element("metadataPrefix", format.rawValue, indent: 3),
                        XML.element("schema", format.schema, indent: 3), XML.element("metadataNamespace", format.namespace, indent: 3),
                        "    </metadataFormat>",
                    ]
                })
        case .listSets:
            if request.arguments["resumptionToken"] != nil {
                throw OAIError("badResumptionToken", "ListSets is answered whole: it gives no resumption tokens.")
            }
            let sets = try await service.oaiSetList(now: now)
            guard !sets.isEmpty else { throw OAIError("noSetHierarchy", "There are no sets yet.") }
            return OAIXML.wrap(
                "ListSets",
                sets.flatMap {
                    ["    <set>", XML.element("setSpec", $0.spec, indent: 3), XML.element("setName", $0.name, indent: 3), "    </set>"]
                })
        case .getRecord:
            let item = try await item(request.arguments["identifier"] ?? "", now: now)
            let format = try Self.format(request.arguments["metadataPrefix"] ?? "")
            return OAIXML.wrap("GetRecord", try await records([item], format))
        case .listIdentifiers, .listRecords:
            return try await list(request, now: now)
        }
    }

    /// A page of `ListIdentifiers` or `ListRecords`, and the token of the next.
    func list(_ request: OAIRequest, now: Date) async throws -> [String] {
        let key = try await service.oaiKey()
        var state: OAIResumption
        if let token = request.arguments["resumptionToken"] {
            guard let resumed = OAIResumption(token: token, key: key), resumed.verb == request.verb.rawValue else {
                throw OAIError("badResumptionToken", "The resumption token was not given by this repository for \(request.verb.rawValue).")
            }
            state = resumed
        } else {
            state = OAIResumption(
                verb: request.verb.rawValue, metadataPrefix: request.arguments["metadataPrefix"], set: request.arguments["set"],
                from: nil, until: nil, after: 0, cursor: 0, total: 0)
            let from = try request.arguments["from"].map { try OAIRequest.datestamp($0, name: "from") }
            let until = try request.arguments["until"].map { try OAIRequest.datestamp($0, name: "until") }
            if let from, let until {
                guard from.seconds == until.seconds else { throw OAIError("badArgument", "from and until must have the same granularity.") }
                guard from.start <= until.start else { throw OAIError("badArgument", "from is later than until.") }
            }
            state.from = from?.start
            state.until = until?.end
        }
        let format = try Self.format(state.metadataPrefix ?? "")
        var set: OAIListing.Set?
        if let spec = state.set {
            set = try await service.oaiSet(spec)
            if set == nil {
                if try await service.oaiSetList(now: now).isEmpty { throw OAIError("noSetHierarchy", "There are no sets yet.") }
                throw OAIError("noRecordsMatch", "There is no set '\(spec)'.")
            }
        }
        let listing = OAIListing(
            after: state.after, from: state.from, until: state.until, set: set, limit: RecordsService.oaiPageSize + 1, now: now)
        let first = request.arguments["resumptionToken"] == nil
        let (found, total) = try await service.oaiPage(listing, count: first)
        guard !found.isEmpty else { throw OAIError("noRecordsMatch", "No records match the request.") }
        let items = Array(found.prefix(RecordsService.oaiPageSize))
        let more = found.count > items.count
        if first { state.total = total ?? 0 }
        var lines =
            request.verb == .listRecords
            ? try await records(items, format) : items.map { header($0, indent: 2) }
        if more || !first {
            let size = max(state.total, state.cursor + items.count + (more ? 1 : 0))
            let attributes = [("completeListSize", String(size)), ("cursor", String(state.cursor))]
            if more {
                var next = state
                next.after = items[items.count - 1].id
                next.cursor += items.count
                next.total = size
                lines.append(XML.element("resumptionToken", next.token(key: key), attributes, indent: 2))
            } else {
                lines.append("    <resumptionToken" + attributes.map { " \($0.0)=\"\($0.1)\"" }.joined() + "/>")
            }
        }
        return OAIXML.wrap(request.verb.rawValue, lines)
    }

    /// `<record>` elements: a deleted item's header alone, a live one's with its metadata.
    func records(_ items: [OAIItem], _ format: OAIFormat) async throws -> [String] {
        let live = try await service.oaiRecords(items.filter { !$0.deleted }.map(\.id))
        let publicURL = service.site.publicURL
        let exports = try await service.exportRecords(live) {
            "\(publicURL)/files/\($0.bucketID.lowercased)/\(ObjectKeyPath.encode($0.key))"
        }
        let byID = Dictionary(exports.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return items.flatMap { item -> [String] in
            var lines = ["    <record>", header(item, indent: 3)]
            if !item.deleted, let export = byID[item.id] {
                lines += ["      <metadata>", format.render(export, dataCentre: dataCentre), "      </metadata>"]
            }
            return lines + ["    </record>"]
        }
    }

    func header(_ item: OAIItem, indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent)
        var lines = [pad + (item.deleted ? #"<header status="deleted">"# : "<header>")]
        lines.append(XML.element("identifier", "oai:\(namespace):\(item.id)", indent: indent + 1))
        lines.append(XML.element("datestamp", OAIXML.datestamp(item.datestamp), indent: indent + 1))
        if let type = item.resourceType, RecordsService.isSetSpec(type), !type.contains(":") {
            lines.append(XML.element("setSpec", "\(RecordsService.oaiResourceTypeSet):\(type)", indent: indent + 1))
        }
        lines += item.sets.map { XML.element("setSpec", $0, indent: indent + 1) }
        return (lines + [pad + "</header>"]).joined(separator: "\n")
    }

    /// The item an `oai:{namespace}:{id}` identifier names, if harvesters may see it.
    func item(_ identifier: String, now: Date) async throws -> OAIItem {
        let prefix = "oai:\(namespace):"
        guard identifier.hasPrefix(prefix), let id = Int64(identifier.dropFirst(prefix.count)),
            let item = try await service.oaiItem(id, now: now)
        else { throw OAIError("idDoesNotExist", "No record has the identifier '\(identifier)'.") }
        return item
    }

    static func format(_ prefix: String) throws -> OAIFormat {
        guard let format = OAIFormat(rawValue: prefix) else {
            throw OAIError(
                "cannotDisseminateFormat",
                "'\(prefix)' is not a format of this repository: \(OAIFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return format
    }
}

/// The lines of an OAI-PMH document.
enum OAIXML {
    /// A verb's element, one level in, around `lines`.
    static func wrap(_ name: String, _ lines: [String]) -> [String] { ["  <\(name)>"] + lines + ["  </\(name)>"] }

    /// `2024-05-01T12:00:00Z`: OAI-PMH's seconds, in UTC.
    static func datestamp(_ date: Date) -> String {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970).rounded(.down)).formatted(.iso8601)
    }
}
