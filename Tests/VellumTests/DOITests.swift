import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// DataCite's stand-in (scripts/datacite_standin.py): a real HTTP server on 127.0.0.1 that checks Basic auth and
/// validates every body with DataCite's JSON Schema 4.5, run with the exports' Python environment.
final class DataCiteStandIn: @unchecked Sendable {
    let port: Int
    let url: String
    var process: Process?

    init(port: Int? = nil) async throws {
        self.port = try port ?? TestServer.freePort()
        url = "http://127.0.0.1:\(self.port)"
        try await start()
    }

    func start() async throws {
        guard let python = ProcessInfo.processInfo.environment["VELLUM_PID_PYTHON"] else {
            throw TestError("VELLUM_PID_PYTHON is not set: run the suite with ./scripts/test.sh")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            root.appendingPathComponent("scripts/datacite_standin.py").path, "--port", String(port), "--username", "VELLUM.TEST",
            "--password", "standin-secret", "--prefix", "10.5072",
        ]
        try TestServer.spawn(process)
        self.process = process
        for _ in 0..<100 {
            if (try? await get("/heartbeat")) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestError("the DataCite stand-in did not start")
    }

    /// Kills it (a test's children may inherit an ignored SIGTERM).
    func stop() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process = nil
    }

    deinit { stop() }

    func get(_ path: String) async throws -> Data {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + path), timeout: .seconds(5))
        return Data(buffer: try await response.body.collect(upTo: 16 << 20))
    }

    func post(_ path: String, _ body: String) async throws {
        var request = HTTPClientRequest(url: url + path)
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: body))
        _ = try await HTTPClient.shared.execute(request, timeout: .seconds(5)).body.collect(upTo: 1 << 20)
    }

    /// The DOIs it holds: state and attributes.
    func dois() async throws -> [String: [String: Any]] {
        try JSONSerialization.jsonObject(with: try await get("/_standin/dois")) as? [String: [String: Any]] ?? [:]
    }

    /// The daemon's settings for this stand-in (`password`: another to be refused).
    func environment(password: String = "standin-secret") -> [String: String] {
        [
            "VELLUM_DOI_PREFIX": "10.5072", "VELLUM_DATACITE_URL": url, "VELLUM_DATACITE_USERNAME": "VELLUM.TEST",
            "VELLUM_DATACITE_PASSWORD": password, "VELLUM_PUBLISHER": "Vellum Test Repository",
        ]
    }
}

/// DOIs registered with DataCite by the DOI worker (api.md §8), against the stand-in: registered, updated and
/// hidden; a DataCite outage never fails a publish and the DOIs follow once it is back, even through a killed
/// daemon; a body DataCite refuses is listed as failed with DataCite's error.
@Suite struct DOITests {
    /// Waits (up to `seconds`: a liveness bound, generous for a loaded machine) until `condition` holds.
    static func eventually(_ seconds: Double = 60, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    static func doiStatus(_ server: TestServer, _ id: String) async throws -> String? {
        (try await server.request(.GET, "/records/\(id)").json()["pids"] as? [String: [String: String]])?["doi"]?["status"]
    }

    @Test func doisAreRegisteredUpdatedAndHidden() async throws {
        let datacite = try await DataCiteStandIn()
        let server = try await TestServer(environment: datacite.environment())
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let record = try await PIDTests.published(server, alice)
        let id = RecordLifecycleTests.id(record)
        let concept = try #require((record["versions"] as? [String: Any])?["parent_id"] as? String)
        let doi = "10.5072/vellum.\(id)"
        #expect(try await Self.eventually { try await Self.doiStatus(server, id) == "registered" })
        var dois = try await datacite.dois()
        #expect(dois[doi]?["state"] as? String == "findable", "\(dois)")
        let attributes = try #require(dois[doi]?["attributes"] as? [String: Any])
        #expect(attributes["url"] as? String == "\(server.baseURL)/records/\(id)")
        #expect((attributes["titles"] as? [[String: Any]])?.first?["title"] as? String == "Tide gauges of the North Sea")
        #expect((attributes["publisher"] as? [String: Any])?["name"] as? String == "Vellum Test Repository")
        // The concept's DOI lands on its resolver URL and has this version.
        let conceptDOI = try #require(dois["10.5072/vellum.\(concept)"]?["attributes"] as? [String: Any])
        #expect(conceptDOI["url"] as? String == "\(server.baseURL)/pid/recid/\(concept)")

        // A change of the metadata is sent again.
        let edit = try await server.request(
            .PATCH, "/records/\(id)", token: alice, headers: [("Content-Type", "application/merge-patch+json")],
            body: Array(#"{"metadata": {"title": "Tide gauges, revised"}}"#.utf8))
        #expect(edit.status == 200)
        #expect(
            try await Self.eventually {
                let titles = (try await datacite.dois()[doi]?["attributes"] as? [String: Any])?["titles"] as? [[String: Any]]
                return titles?.first?["title"] as? String == "Tide gauges, revised"
            })

        // Removed: hidden (findable → registered), still pointing at the record, which answers its tombstone.
        let removal = try await server.request(.DELETE, "/records/\(id)", body: Array(#"{"reason": "Withdrawn by the authors."}"#.utf8))
        #expect(removal.status == 204)
        #expect(try await Self.eventually { try await datacite.dois()[doi]?["state"] as? String == "registered" })
        dois = try await datacite.dois()
        #expect((dois[doi]?["events"] as? [String])?.last == "hide", "\(dois[doi] ?? [:])")
        let events = try await server.cli(["pid", "status", "doi:\(doi)"])
        #expect(events.contains("datacite-sent") && events.contains("deleted"), "\(events)")
    }

    @Test func anOutageNeverFailsAPublishAndTheDOIsFollow() async throws {
        let datacite = try await DataCiteStandIn()
        let server = try await TestServer(environment: datacite.environment())
        let alice = try await RecordLifecycleTests.token(server, "alice")
        datacite.stop()
        let id = RecordLifecycleTests.id(try await PIDTests.published(server, alice))
        // `published` checked the publish answered 200: DataCite being down fails nothing (no timing is asserted).
        #expect(
            try await Self.eventually {
                (try await server.sql("SELECT last_error FROM doi_tasks WHERE doi = '10.5072/vellum.\(id)'").first ?? "").contains("did not answer")
            })
        #expect(try await Self.doiStatus(server, id) == "reserved")
        let pending = try await server.request(.GET, "/pids?status=pending").json()
        let hit = ((pending["hits"] as? [String: Any])?["hits"] as? [[String: Any]])?.first { $0["identifier"] as? String == "10.5072/vellum.\(id)" }
        #expect((hit?["last_error"] as? String)?.contains("DataCite did not answer") == true, "\(pending)")
        // Back, on the same port: the DOIs are registered (after the back-off).
        try await datacite.start()
        #expect(try await Self.eventually(90) { try await Self.doiStatus(server, id) == "registered" })
        // A DataCite answering 500 for a while: the same.
        try await datacite.post("/_standin/mode", #"{"mode": "error500"}"#)
        let second = RecordLifecycleTests.id(try await PIDTests.published(server, alice))
        #expect(
            try await Self.eventually {
                (try await server.sql("SELECT last_error FROM doi_tasks WHERE doi = '10.5072/vellum.\(second)'").first ?? "").contains("500")
            })
        try await datacite.post("/_standin/mode", #"{"mode": "ok"}"#)
        #expect(try await Self.eventually(90) { try await Self.doiStatus(server, second) == "registered" })
    }

    @Test func pendingDOIsSurviveAKilledDaemon() async throws {
        let datacite = try await DataCiteStandIn()
        let server = try await TestServer(environment: datacite.environment())
        let alice = try await RecordLifecycleTests.token(server, "alice")
        try await datacite.post("/_standin/mode", #"{"mode": "error500"}"#)
        let id = RecordLifecycleTests.id(try await PIDTests.published(server, alice))
        let doi = "10.5072/vellum.\(id)"
        #expect(
            try await Self.eventually {
                (try await server.sql("SELECT last_error FROM doi_tasks WHERE doi = '\(doi)'").first ?? "").contains("500")
            })
        #expect(try await server.stop(signal: SIGKILL) == SIGKILL)
        try await datacite.post("/_standin/mode", #"{"mode": "ok"}"#)
        try await server.start()
        // The outbox is in the database: the next daemon sends it (within the back-off; a claim the killed daemon
        // held would expire after 120 s), and DataCite gets the DOI made once.
        #expect(try await Self.eventually(180) { try await Self.doiStatus(server, id) == "registered" })
        #expect(try await datacite.dois()[doi]?["state"] as? String == "findable")
        let requests = try JSONSerialization.jsonObject(with: try await datacite.get("/_standin/requests")) as? [[String: Any]] ?? []
        let created = requests.filter { $0["path"] as? String == "/dois/\(doi)" && $0["status"] as? Int == 201 }
        #expect(created.count == 1, "\(requests)")
    }

    @Test func whatDataCiteRefusesIsListedAsFailed() async throws {
        let datacite = try await DataCiteStandIn()
        let server = try await TestServer(environment: datacite.environment())
        let alice = try await RecordLifecycleTests.token(server, "alice")
        // The DataCite account allows landing pages on another domain than this repository's (a setting DataCite
        // checks on every registration): DataCite refuses the DOI with 422.
        try await datacite.post("/_standin/domains", #"{"domains": ["repository.example.org"]}"#)
        let id = RecordLifecycleTests.id(try await PIDTests.published(server, alice))
        let doi = "10.5072/vellum.\(id)"
        #expect(try await Self.eventually { try await Self.doiStatus(server, id) == "failed" })
        let failed = try await server.request(.GET, "/pids?status=failed").json()
        let hit = ((failed["hits"] as? [String: Any])?["hits"] as? [[String: Any]])?.first { $0["identifier"] as? String == doi }
        let error = hit?["last_error"] as? String ?? ""
        #expect(error.contains("422") && error.contains("URL is not allowed by repository domain settings"), "\(failed)")
        #expect(try await datacite.dois()[doi] == nil)
        #expect(try await server.cli(["pid", "status"]).contains("\(doi)\tfailed"))
        // Once the account allows the domain, a retry registers it.
        try await datacite.post("/_standin/domains", #"{"domains": ["127.0.0.1"]}"#)
        #expect(try await server.cli(["pid", "retry", doi]).contains("1 DOIs to be sent again"))
        #expect(try await Self.eventually { try await Self.doiStatus(server, id) == "registered" })
        // A wrong password: refused (401), failed with DataCite's message.
        let locked = try await TestServer(environment: datacite.environment(password: "wrong"))
        let other = RecordLifecycleTests.id(try await PIDTests.published(locked, TestServer.adminToken))
        #expect(try await Self.eventually { try await Self.doiStatus(locked, other) == "failed" })
        // The version's DOI (its concept's may not have been tried yet), with DataCite's status and message.
        let tasks = try await locked.sql("SELECT doi, state, last_error FROM doi_tasks")
        #expect(tasks.contains("10.5072/vellum.\(other)|failed|401: Bad credentials."), "\(tasks)")
    }
}
