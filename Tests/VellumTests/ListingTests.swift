import Foundation
import Testing

@Suite struct ListingTests {
    func keys(_ reply: TestServer.Reply) throws -> [String] {
        let contents = try #require(try reply.json()["contents"] as? [[String: Any]])
        return contents.compactMap { $0["key"] as? String }
    }

    @Test func listsHeadsInKeyOrderWithPrefix() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        for key in ["b/2", "a", "b/1", "c"] {
            #expect(try await server.request(.PUT, "/files/\(bucket)/\(key)", body: Array(key.utf8)).status == 200)
        }
        #expect(try await server.request(.PUT, "/files/\(bucket)/a", body: Array("again".utf8)).status == 200)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/c").status == 204)
        let all = try await server.request(.GET, "/files/\(bucket)")
        #expect(try keys(all) == ["a", "b/1", "b/2"])
        let json = try all.json()
        #expect(json["size"] as? Int == 1 + 3 + 3 + 1 + 5)
        let contents = try #require(json["contents"] as? [[String: Any]])
        #expect(contents[0]["size"] as? Int == 5)
        #expect(try keys(await server.request(.GET, "/files/\(bucket)?prefix=b/")) == ["b/1", "b/2"])
        #expect(try keys(await server.request(.GET, "/files/\(bucket)?prefix=B")) == [])
        let versions = try await server.request(.GET, "/files/\(bucket)?versions")
        #expect(try keys(versions) == ["a", "a", "b/1", "b/2", "c", "c"])
        let first = try #require(try versions.json()["contents"] as? [[String: Any]])
        #expect(first[0]["is_head"] as? Bool == true)
        #expect(first[1]["is_head"] as? Bool == false)
        #expect(first[4]["delete_marker"] as? Bool == true)
        #expect(first[4]["checksum"] is NSNull)
        #expect(first[5]["delete_marker"] as? Bool == false)
    }

    @Test func prefixesMatchByCodePointAndNFC() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        for key in ["caf%C3%A9/1", "cafe/2", "%F0%9F%91%8D%F0%9F%8F%BD/3"] {
            #expect(try await server.request(.PUT, "/files/\(bucket)/\(key)", body: [1]).status == 200)
        }
        #expect(try keys(await server.request(.GET, "/files/\(bucket)?prefix=caf%C3%A9")) == ["caf\u{E9}/1"])
        #expect(try keys(await server.request(.GET, "/files/\(bucket)?prefix=cafe%CC%81")) == ["caf\u{E9}/1"])
        #expect(try keys(await server.request(.GET, "/files/\(bucket)?prefix=%F0%9F%91%8D%F0%9F%8F%BD")).count == 1)
    }

    @Test func paginatesWithKeysetLinks() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let names = (0..<25).map { String(format: "k%03d", $0) }
        for name in names {
            #expect(try await server.request(.PUT, "/files/\(bucket)/\(name)", body: [1]).status == 200)
        }
        var seen: [String] = []
        var url: String? = "\(server.baseURL)/files/\(bucket)?size=10"
        var pages = 0
        while let next = url {
            let reply = try await server.request(.GET, String(next.dropFirst(server.baseURL.count)))
            #expect(reply.status == 200)
            seen += try keys(reply)
            url = (try reply.json()["links"] as? [String: String])?["next"]
            pages += 1
        }
        #expect(seen == names)
        #expect(pages == 3)
        #expect(try keys(await server.request(.GET, "/files/\(bucket)?after=k020")) == Array(names[21...]))
    }

    @Test func paginatesVersionsOfOneKeyAcrossPages() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        for i in 0..<5 {
            #expect(try await server.request(.PUT, "/files/\(bucket)/same", body: [UInt8(i)]).status == 200)
        }
        #expect(try await server.request(.PUT, "/files/\(bucket)/tail", body: [9]).status == 200)
        var versionIDs: [String] = []
        var url: String? = "/files/\(bucket)?versions&size=2"
        while let next = url {
            let reply = try await server.request(.GET, next)
            let contents = try #require(try reply.json()["contents"] as? [[String: Any]])
            versionIDs += contents.compactMap { $0["version_id"] as? String }
            url = (try reply.json()["links"] as? [String: String])?["next"].map { String($0.dropFirst(server.baseURL.count)) }
        }
        #expect(versionIDs.count == 6)
        #expect(Set(versionIDs).count == 6)
    }

    @Test func rejectsBadPageSizes() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        for size in ["0", "1001", "abc"] {
            let reply = try await server.request(.GET, "/files/\(bucket)?size=\(size)")
            #expect(reply.status == 400)
            #expect(try reply.json()["status"] as? Int == 400)
        }
        let uploads = try await server.request(.GET, "/files/\(bucket)?uploads")
        #expect(uploads.status == 200)
        #expect(uploads.text == "[]")
    }
}
