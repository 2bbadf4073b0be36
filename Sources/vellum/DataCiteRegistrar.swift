import AsyncHTTPClient
import DataCite
import JSONSchema
import VellumRecords

/// The DOI worker's DataCite: DOIs made findable (`publish`) with their metadata, or hidden; DataCite's refusals
/// are `DOIRefused` (failed, not retried), everything else is retried.
struct DataCiteRegistrar: DOIRegistrar {
    let client: DataCiteClient

    init(settings: PIDSettings) {
        client = DataCiteClient(
            baseURL: settings.dataCiteURL, username: settings.dataCiteUsername, password: settings.dataCitePassword,
            http: DataCiteClient.makeHTTPClient())
    }

    func register(doi: String, url: String, attributes: JSON) async throws {
        try await refusals { try await client.put(doi: doi, attributes: attributes, url: url, event: "publish") }
    }

    func hide(doi: String, url: String) async throws {
        try await refusals { try await client.put(doi: doi, attributes: .object([:]), url: url, event: "hide") }
    }

    func refusals(_ body: () async throws -> String?) async throws {
        do { _ = try await body() } catch DataCiteError.refused(let status, let message) { throw DOIRefused("\(status): \(message)") }
    }
}
