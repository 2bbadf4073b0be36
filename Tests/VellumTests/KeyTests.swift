import Foundation
import Testing
import VellumCore

@Suite struct KeyTests {
    @Test(arguments: ["a", "dir/sub/file.txt", "ünïcødé 文件.txt", "a..b", ".hidden", String(repeating: "x", count: 1024)])
    func acceptsValidKeys(_ key: String) throws {
        #expect(try ObjectKey(key).value == key.precomposedStringWithCanonicalMapping)
    }

    @Test(arguments: [
        "", "/leading", "a/../b", "..", ".", "a/./b", "trailing/..", "nul\u{0}", "bell\u{7}", "line\nbreak", "del\u{7F}",
        String(repeating: "x", count: 1025), String(repeating: "é", count: 513),
        // A combining mark after `/` makes one Character of both; the bytes still hold the slash.
        "/\u{338}x", "a/../\u{301}b", "a/./\u{338}", "\u{301}/..",
    ])
    func rejectsInvalidKeys(_ key: String) {
        #expect(throws: FilesError.invalidKey) { try ObjectKey(key).value }
    }

    @Test func basenamesAreCutAtSlashBytes() {
        #expect(ObjectKey.basename("dir/file.txt") == "file.txt")
        #expect(ObjectKey.basename("a/\u{338}") == "\u{338}")
        #expect(ObjectKey.basename("dir/") == "dir")
        #expect(ObjectKey.basename("plain") == "plain")
    }

    @Test func normalisesToNFC() throws {
        #expect(try ObjectKey("e\u{301}").value == "\u{E9}")
    }

    @Test func invalidKeysOverHTTP() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        for path in ["a/%2E%2E/b", "bad%01key", "%2Fleading", "x/./y"] {
            let reply = try await server.request(.PUT, "/files/\(bucket)/\(path)", body: [1])
            #expect(reply.status == 400, "\(path)")
            #expect(try reply.json()["message"] as? String == "Invalid key.")
        }
        // An NFD key is stored as NFC and found by either form.
        #expect(try await server.request(.PUT, "/files/\(bucket)/caf%65%CC%81", body: [1]).json()["key"] as? String == "caf\u{E9}")
        #expect(try await server.request(.GET, "/files/\(bucket)/caf%C3%A9").status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)/caf%65%CC%81").status == 200)
        #expect(try await server.storedBlobs().allSatisfy { !$0.contains("caf") })
        // Sent as they are (an HTTP client library would re-encode them): escapes that are not UTF-8 are invalid,
        // and every character is kept, a leading U+FEFF too, which names another object than the key without it.
        func put(_ path: String) async throws -> String {
            let connection = try RawConnection(port: server.port)
            try connection.sendPut("/files/\(bucket)/\(path)", length: 1, extraHeaders: "Connection: close\r\n")
            try connection.send("x")
            return await connection.receiveAll()
        }
        for path in ["bad%FFutf8", "bad%C3", "bad%4", "bad%zz"] {
            let answer = try await put(path)
            #expect(answer.hasPrefix("HTTP/1.1 400") && answer.hasSuffix(#"{"status":400,"message":"Invalid key."}"#), "\(path)")
        }
        #expect(Array(try await put("%EF%BB%BFbom").utf8).firstRange(of: Array("\"key\":\"\u{FEFF}bom\"".utf8)) != nil)
        #expect(try await server.request(.GET, "/files/\(bucket)/%EF%BB%BFbom").status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)/bom").status == 404)
    }
}
