import Foundation
import JSONSchema
import LocalStorage
import Logging
import NIOPosix
import Testing
import VellumCore
import VellumRecordsStore
import VellumStore

@testable import VellumRecords

/// Records on the files store (SQLite, or PostgreSQL in its pass): drafts with their buckets, revisions chained by
/// hash, the one `If-Match` rule, visibility.
@Suite struct RecordsStoreTests {
    static let owner = Principal(tokenID: "owner-token", isAdmin: false)
    static let other = Principal(tokenID: "other-token", isAdmin: false)

    func withRecords(_ body: (RecordsService, any MetadataStore) async throws -> Void) async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store: any MetadataStore
        if TestServer.postgres != nil {
            store = try await PostgresMetadataStore.open(
                url: try await TestServer.newPostgresDatabase().url, logger: Logger(label: "test"), modules: [RecordsSchema.module])
        } else {
            store = try await SQLiteMetadataStore.open(path: dir + "/test.sqlite", logger: Logger(label: "test"), modules: [RecordsSchema.module])
        }
        try await store.whileRunning {
            try await store.write { try await $0.insertLocation(Location(name: "default", uri: "file://\(dir)/d", isDefault: true, created: Date())) }
            let pool = NIOThreadPool(numberOfThreads: 1)
            pool.start()
            defer { pool.shutdownGracefully { _ in } }
            let storage = StorageRegistry(store: store, factory: LocalFactory(pool: pool))
            try await body(RecordsService(files: FilesContext(store: store, storage: storage, logger: Logger(label: "test"))), store)
        }
    }

    /// `file://` locations.
    struct LocalFactory: StorageBackendFactory {
        let pool: NIOThreadPool
        func makeBackend(for location: Location) throws -> any StorageBackend {
            try LocalStorage(root: String(location.uri.dropFirst("file://".count)), threadPool: pool)
        }
        func prepare(_ location: Location) async throws { try LocalStorage.prepare(root: String(location.uri.dropFirst("file://".count))) }
    }

    @Test func aDraftComesWithItsBucketAndFirstRevision() async throws {
        try await withRecords { records, store in
            let draft = try await records.createDraft(try JSON(parsing: #"{"metadata": {"title": "Tides"}, "id": "ignored"}"#), by: Self.owner)
            #expect(draft.status == .draft && draft.revision == 1 && draft.owner == "owner-token")
            #expect(draft.conceptID != draft.id)
            #expect(draft.document["metadata"] == .object(["title": .string("Tides")]))
            #expect(draft.document["$schema"] == .string("local://record-v1.0.0.json"))
            #expect(draft.document["access"]?["record"] == .string("public"))
            let bucket = try await store.read { try await $0.bucket(draft.bucketID) }
            #expect(bucket?.owner == "owner-token")
            // Ids are never given twice, across records and concepts.
            let second = try await records.createDraft(.object([:]), by: Self.owner)
            #expect(Set([draft.id, draft.conceptID, second.id, second.conceptID]).count == 4)
            // Drafts are their owner's.
            let read = try await records.record(draft.id, by: Self.owner)
            #expect(read.document == draft.document && read.bucketID == draft.bucketID && read.conceptID == draft.conceptID)
            #expect(abs(read.created.timeIntervalSince(draft.created)) < 0.000_01)  // stored in microseconds
            await #expect(throws: RecordsError.self) { try await records.record(draft.id, by: Self.other) }
            await #expect(throws: RecordsError.self) { try await records.record(draft.id, by: .anonymous) }
        }
    }

    @Test func everyChangeIsARevisionChainedByItsHash() async throws {
        try await withRecords { records, store in
            let draft = try await records.createDraft(try JSON(parsing: #"{"metadata": {"title": "A"}}"#), by: Self.owner)
            let b = try await records.replace(draft.id, with: try JSON(parsing: #"{"metadata": {"title": "B"}}"#), ifMatch: 1, by: Self.owner)
            #expect(b.revision == 2)
            // The one If-Match rule: the revision the client last saw, or 412's reason.
            do {
                _ = try await records.replace(draft.id, with: try JSON(parsing: #"{"metadata": {"title": "C"}}"#), ifMatch: 1, by: Self.owner)
                Issue.record("a stale If-Match was accepted")
            } catch let error as RecordsError {
                #expect(error.reason == .revisionMismatch)
            }
            let c = try await records.replace(draft.id, with: try JSON(parsing: #"{"metadata": {"title": "C"}}"#), ifMatch: nil, by: Self.owner)
            #expect(c.revision == 3)
            // The same document again makes no revision.
            #expect(
                try await records.replace(draft.id, with: try JSON(parsing: #"{"metadata": {"title": "C"}}"#), ifMatch: 3, by: Self.owner).revision
                    == 3)
            // Another token cannot see the draft, so it cannot change it either: as if there were none.
            await #expect(throws: RecordsService.notFound) {
                try await records.replace(draft.id, with: .object([:]), ifMatch: nil, by: Self.other)
            }
            let revisions = try await records.revisions(draft.id, by: Self.owner)
            #expect(revisions.map(\.revision) == [1, 2, 3])
            #expect(revisions.map { $0.document["metadata"]?["title"] } == [.string("A"), .string("B"), .string("C")])
            #expect(revisions[1].hash == RevisionChain.hash(after: revisions[0].hash, revisions[1].document))

            // A stored revision changed behind the service's back is found.
            try await store.write { session in
                try await (session as! SQLMetadataSession).db.raw(
                    "UPDATE record_revisions SET document = '{\"metadata\":{\"title\":\"forged\"}}' WHERE revision = 2"
                ).run()
            }
            do {
                _ = try await records.revisions(draft.id, by: Self.owner)
                Issue.record("a forged revision went unnoticed")
            } catch let error as RecordsError {
                #expect(error.reason == .tampered)
                #expect(error.message.contains("Revision 2"))
            }
        }
    }

    @Test func concurrentChangesWithIfMatchHaveOneWinner() async throws {
        try await withRecords { records, _ in
            let draft = try await records.createDraft(.object([:]), by: Self.owner)
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for n in 0..<8 {
                    group.addTask {
                        let body = JSON.object(["metadata": .object(["title": .string("writer \(n)")])])
                        return (try? await records.replace(draft.id, with: body, ifMatch: 1, by: Self.owner)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await records.record(draft.id, by: Self.owner).revision == 2)
        }
    }

    @Test func wrongTypesAreEachNamed() async throws {
        try await withRecords { records, _ in
            let body = try JSON(parsing: #"{"metadata": [], "$schema": 3, "access": {"record": "open"}, "files": {"enabled": "yes"}}"#)
            do {
                _ = try await records.createDraft(body, by: Self.owner)
                Issue.record("a body of wrong types was accepted")
            } catch let error as RecordsError {
                #expect(error.fieldErrors.map(\.field) == ["/$schema", "/access/record", "/files/enabled", "/metadata"])
            }
            await #expect(throws: RecordsError.self) { try await records.createDraft(.array([]), by: Self.owner) }
            await #expect(throws: FilesError.self) { try await records.createDraft(.object([:]), by: .anonymous) }
        }
    }

    @Test func patchesApplyWhollyOrNotAtAll() async throws {
        try await withRecords { records, _ in
            let draft = try await records.createDraft(try JSON(parsing: #"{"metadata": {"title": "A", "keywords": ["x"]}}"#), by: Self.owner)
            let patched = try await records.patch(
                draft.id,
                try JSON(
                    parsing:
                        #"[{"op": "replace", "path": "/metadata/title", "value": "B"}, {"op": "add", "path": "/metadata/keywords/-", "value": "y"}]"#),
                kind: .jsonPatch, ifMatch: 1, by: Self.owner)
            #expect(patched.revision == 2)
            #expect(patched.document["metadata"] == (try JSON(parsing: #"{"title": "B", "keywords": ["x", "y"]}"#)))
            // A failed test: nothing of the patch applies.
            do {
                _ = try await records.patch(
                    draft.id,
                    try JSON(
                        parsing:
                            #"[{"op": "replace", "path": "/metadata/title", "value": "C"}, {"op": "test", "path": "/metadata/title", "value": "A"}]"#),
                    kind: .jsonPatch, ifMatch: nil, by: Self.owner)
                Issue.record("a patch whose test fails was applied")
            } catch let error as RecordsError {
                #expect(error.reason == .conflict)
            }
            #expect(try await records.record(draft.id, by: Self.owner).document["metadata"]?["title"] == .string("B"))
            // Merge Patch: null removes, objects merge.
            let merged = try await records.patch(
                draft.id, try JSON(parsing: #"{"metadata": {"keywords": null, "description": "D"}}"#), kind: .mergePatch, ifMatch: 2,
                by: Self.owner)
            #expect(merged.document["metadata"] == (try JSON(parsing: #"{"title": "B", "description": "D"}"#)))
            // A patch may not make the record's JSON of the wrong types.
            await #expect(throws: RecordsError.self) {
                try await records.patch(draft.id, try JSON(parsing: #"{"metadata": 5}"#), kind: .mergePatch, ifMatch: nil, by: Self.owner)
            }
        }
    }
}
