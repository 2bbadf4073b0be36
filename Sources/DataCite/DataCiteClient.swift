import AsyncHTTPClient
import Foundation
import JSONSchema
import NIOCore
import NIOHTTP1

/// DataCite's REST API (`/dois`, JSON:API bodies, HTTP Basic auth), for the calls a repository makes: a DOI made
/// findable with its metadata and landing page (created, or updated: `PUT /dois/{doi}` does both), hidden, read.
/// DataCite's answers are sorted into `DataCiteError`: refused (a 4xx other than 429, with DataCite's messages),
/// or worth retrying (5xx, 429, no answer).
public struct DataCiteClient: Sendable {
    public let baseURL: String
    let authorization: String
    let http: HTTPClient
    let timeout: TimeAmount

    public init(baseURL: String, username: String, password: String, http: HTTPClient, timeout: TimeAmount = .seconds(30)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.authorization = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        self.http = http
        self.timeout = timeout
    }

    /// An HTTP client for DataCite: a connection refused or not made within 5 s fails at once (the DOI worker
    /// retries later), 30 s without a byte fails a request, no redirects. It lives as long as the process.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(30), write: .seconds(30)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Creates or updates the DOI with `attributes` (DataCite 4.5 JSON) and `url`, then `event` (`publish`:
    /// findable; `register`; `hide`: findable → registered). Returns DataCite's `state`.
    @discardableResult
    public func put(doi: String, attributes: JSON, url: String?, event: String?) async throws -> String? {
        var members = attributes.objectValue ?? [:]
        members["doi"] = .string(doi)
        if let url { members["url"] = .string(url) }
        if let event { members["event"] = .string(event) }
        let body = JSON.object(["data": .object(["id": .string(doi), "type": .string("dois"), "attributes": .object(members)])])
        let answer = try await send(.PUT, doi: doi, body: body)
        return answer["data"]?["attributes"]?["state"]?.stringValue
    }

    /// The DOI's record at DataCite (nil when DataCite has none).
    public func get(doi: String) async throws -> JSON? {
        do { return try await send(.GET, doi: doi, body: nil) } catch DataCiteError.refused(404, _) { return nil }
    }

    /// `/dois/{doi}`: the DOI's characters other than unreserved ones and its slashes percent-encoded.
    static func path(_ doi: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~/")
        return "/dois/" + (doi.addingPercentEncoding(withAllowedCharacters: allowed) ?? doi)
    }

    func send(_ method: HTTPMethod, doi: String, body: JSON?) async throws -> JSON {
        var request = HTTPClientRequest(url: baseURL + Self.path(doi))
        request.method = method
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Accept", value: "application/vnd.api+json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/vnd.api+json")
            request.body = .bytes(ByteBuffer(string: body.serialized()))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: timeout)
            bytes = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw DataCiteError.unavailable("DataCite did not answer: \(error)")
        }
        let json = try? JSON(parsing: Array(bytes.readableBytesView))
        let status = Int(response.status.code)
        switch status {
        case 200..<300: return json ?? .null
        case 429, 500...: throw DataCiteError.unavailable("DataCite answered \(status)")
        default: throw DataCiteError.refused(status, Self.messages(json) ?? String(buffer: bytes).prefix(500).description)
        }
    }

    /// DataCite's errors (`{"errors": [{"source", "title"}]}`) as one line.
    static func messages(_ json: JSON?) -> String? {
        guard let errors = json?["errors"]?.arrayValue, !errors.isEmpty else { return nil }
        return errors.map { error in
            [error["source"]?.stringValue, error["title"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        }.joined(separator: "; ")
    }
}

public enum DataCiteError: Error, Equatable, CustomStringConvertible {
    /// DataCite refused the request (a 4xx other than 429): sending it again would not help.
    case refused(Int, String)
    /// DataCite did not answer, or answered 5xx or 429: worth retrying later.
    case unavailable(String)

    public var description: String {
        switch self {
        case .refused(let status, let message): "DataCite refused it (\(status)): \(message)"
        case .unavailable(let message): message
        }
    }
}
