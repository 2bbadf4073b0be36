import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `GET /records?q=…` (api.md §9) on a real daemon: the query language, facets, sorts, paging, visibility and
/// read-your-writes, on the suite's database (SQLite, or PostgreSQL in its pass).
@Suite(.disabled(if: TestServer.onS3, "search reads only the database: the PostgreSQL pass runs it")) struct SearchTests {
    /// Publishes a record with `metadata` (and `extra` members: access, files) as `token`; returns its id.
    static func publish(_ server: TestServer, _ token: String, _ metadata: [String: Any], _ extra: [String: Any] = [:]) async throws -> String {
        var body = extra.merging(["metadata": metadata]) { old, _ in old }
        if body["files"] == nil { body["files"] = ["enabled": false] }
        let draft = try await server.request(.POST, "/records", token: token, body: try RecordLifecycleTests.body(body))
        #expect(draft.status == 201, "\(draft.text)")
        let id = RecordLifecycleTests.id(try draft.json())
        let published = try await server.request(.POST, "/records/\(id)/publish", token: token)
        #expect(published.status == 200, "\(published.text)")
        return id
    }

    static func record(
        _ title: String, _ date: String, _ type: String = "dataset", keywords: [String] = [], license: String? = nil,
        description: String? = nil, creator: String = "Ada Lovelace"
    ) -> [String: Any] {
        var metadata: [String: Any] = [
            "title": title, "creators": [["name": creator]], "publication_date": date, "resource_type": type, "keywords": keywords,
        ]
        if let license { metadata["license"] = license }
        if let description { metadata["description"] = description }
        return metadata
    }

    /// The search's answer: ids in order, total, the JSON.
    static func search(_ server: TestServer, _ query: String, token: String? = nil) async throws -> (ids: [String], total: Int, json: [String: Any]) {
        let reply = try await server.request(.GET, "/records?" + query, token: token)
        #expect(reply.status == 200, "\(query): \(reply.text)")
        let json = (try? reply.json()) ?? [:]
        let hits = json["hits"] as? [String: Any]
        return (((hits?["hits"] as? [[String: Any]]) ?? []).map(RecordLifecycleTests.id), hits?["total"] as? Int ?? -1, json)
    }

    static func q(_ text: String) -> String {
        "q=" + (text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }

    @Test func theLanguageFacetsSortsAndPages() async throws {
        let server = try await TestServer()
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let ocean = try await Self.publish(
            server, alice,
            Self.record(
                "Océan temperatures of the North Sea", "2018-03", keywords: ["ocean", "climate"], license: "CC-BY-4.0",
                description: "Buoys measured the sea level."))
        let glacier = try await Self.publish(
            server, alice,
            Self.record("Glacier mass balance", "2020-12-31", keywords: ["ice", "climate"], license: "cc0-1.0", creator: "Marie Curie"))
        let code = try await Self.publish(server, alice, Self.record("Sea-level model", "2021", "software", keywords: ["sea"]))
        let hidden = try await Self.publish(server, alice, Self.record("Restricted sea data", "2019"), ["access": ["record": "restricted"]])

        // Words (all must match; case and accents folded), phrases, prefixes, fields, operators.
        #expect(try await Self.search(server, Self.q("ocean")).ids == [ocean])
        #expect(try await Self.search(server, Self.q("OCÉAN north")).ids == [ocean])
        #expect(Set(try await Self.search(server, Self.q("\"sea level\"")).ids) == [ocean, code])
        #expect(try await Self.search(server, Self.q("glac*")).ids == [glacier])
        #expect(try await Self.search(server, Self.q("creators:curie")).ids == [glacier])
        #expect(Set(try await Self.search(server, Self.q("ocean OR glacier")).ids) == [ocean, glacier])
        #expect(Set(try await Self.search(server, Self.q("sea -ocean")).ids) == [code])
        #expect(try await Self.search(server, Self.q("resource_type:software")).ids == [code])
        #expect(try await Self.search(server, Self.q("license:cc-by-4.0")).ids == [ocean])
        #expect(try await Self.search(server, Self.q("id:\(glacier)")).ids == [glacier])
        #expect(Set(try await Self.search(server, Self.q("publication_date:[2018 TO 2020]")).ids) == [ocean, glacier])
        #expect(try await Self.search(server, Self.q("publication_date:{2018 TO 2021}")).ids == [glacier])
        #expect(try await Self.search(server, Self.q("publication_date:>=2021")).ids == [code])
        #expect(try await Self.search(server, Self.q("metadata.keywords:ice")).ids == [glacier])
        // Restricted: its owner finds it, others do not.
        #expect(try await Self.search(server, Self.q("restricted")).ids == [])
        #expect(try await Self.search(server, Self.q("restricted"), token: alice).ids == [hidden])

        // Facets: each counts with the others' filters only.
        let faceted = try await Self.search(server, "resource_type=dataset&keywords=climate")
        #expect(Set(faceted.ids) == [ocean, glacier])
        let aggregations = faceted.json["aggregations"] as? [String: [String: [[String: Any]]]] ?? [:]
        func buckets(_ name: String) -> [String: Int] {
            Dictionary(
                uniqueKeysWithValues: (aggregations[name]?["buckets"] ?? []).map { ($0["key"] as? String ?? "", $0["doc_count"] as? Int ?? 0) })
        }
        #expect(buckets("resource_type") == ["dataset": 2])  // the software record has no "climate"
        #expect(buckets("keywords") == ["climate": 2, "ocean": 1, "ice": 1])
        #expect(buckets("year") == ["2018": 1, "2020": 1])
        #expect(buckets("access") == ["public": 2])

        // Sorts and pages.
        #expect(try await Self.search(server, "sort=title").ids == [glacier, ocean, code])
        #expect(try await Self.search(server, "sort=-publication_date").ids == [code, glacier, ocean])
        #expect(try await Self.search(server, "sort=oldest").ids == [ocean, glacier, code])
        let first = try await Self.search(server, "sort=oldest&size=2")
        #expect(first.ids == [ocean, glacier] && first.total == 3)
        let links = first.json["links"] as? [String: String] ?? [:]
        #expect(links["next"]?.contains("page=2") == true && links["prev"] == nil)
        #expect(try await Self.search(server, "sort=oldest&size=2&page=2").ids == [code])

        // Errors: 400 with the position; never a 5xx.
        for bad in [
            "q=%22open", "q=colour:red", "size=0", "size=101", "page=0", "page=1001&size=10", "sort=random", "page=x", "page=9223372036854775807",
            "size=-9223372036854775808",
        ] {
            let reply = try await server.request(.GET, "/records?" + bad)
            #expect(reply.status == 400, "\(bad) → \(reply.status): \(reply.text)")
            #expect((try? reply.json())?["message"] as? String != nil)
        }
        #expect((try await server.request(.GET, "/records?q=%22open").json()["message"] as? String)?.contains("position 1") == true)
    }

    @Test func hitsHighlightTheQuerysWords() async throws {
        let server = try await TestServer()
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let long =
            String(repeating: "Filler words before. ", count: 20) + "Here the brine shrimp appear. " + String(repeating: "More after. ", count: 30)
        _ = try await Self.publish(server, alice, Self.record("Salt & <b>brine</b> of the Océan", "2020", description: long))
        func highlight(_ query: String) async throws -> [String: String] {
            let hits = (try await Self.search(server, Self.q(query)).json["hits"] as? [String: Any])?["hits"] as? [[String: Any]]
            return hits?.first?["highlight"] as? [String: String] ?? [:]
        }
        let marked = try await highlight("brine ocean")
        #expect(marked["title"] == "Salt &amp; &lt;b&gt;<mark>brine</mark>&lt;/b&gt; of the <mark>Océan</mark>")
        let snippet = try #require(marked["description"])
        #expect(snippet.hasPrefix("…") && snippet.hasSuffix("…") && snippet.contains("the <mark>brine</mark> shrimp"), "\(snippet)")
        #expect(snippet.count < 300)
        #expect(try await highlight("shri*")["description"]?.contains("<mark>shrimp</mark>") == true)
        #expect(try await highlight("shrimp")["title"] == nil)
        // Without words to mark (no query, or only exact values), hits carry no highlight.
        for query in ["", Self.q("resource_type:dataset")] {
            let hits = (try await Self.search(server, query).json["hits"] as? [String: Any])?["hits"] as? [[String: Any]] ?? []
            #expect(hits.count == 1 && hits[0]["highlight"] == nil, "\(query)")
        }
    }

    @Test func suggestCompletesTitleWords() async throws {
        let server = try await TestServer()
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let tide = try await Self.publish(server, alice, Self.record("Tide gauges of the North Sea", "2020"))
        let tidal = try await Self.publish(server, alice, Self.record("Tidal energy", "2021", description: "gauges"))
        _ = try await Self.publish(server, alice, Self.record("Secret tides", "2021"), ["access": ["record": "restricted"]])
        func suggest(_ text: String) async throws -> [String] {
            let reply = try await server.request(.GET, "/records/_suggest?q=" + Self.formEncoded(text), token: nil)
            #expect(reply.status == 200, "\(reply.text)")
            return ((try? JSONSerialization.jsonObject(with: Data(reply.bytes))) as? [[String: Any]] ?? []).map { $0["id"] as? String ?? "" }
        }
        #expect(Set(try await suggest("tid")) == [tide, tidal])
        #expect(try await suggest("tide ga") == [tide])  // "gauges" of the other is in its description only
        #expect(try await suggest("TIDAL") == [tidal])
        for nothing in ["", "(\"", "zzz"] { #expect(try await suggest(nothing) == [], "\(nothing)") }
        let reply = try await server.request(.GET, "/records/_suggest?q=tide", token: nil)
        #expect(
            (try JSONSerialization.jsonObject(with: Data(reply.bytes)) as? [[String: Any]])?.first?["title"] as? String
                == "Tide gauges of the North Sea")
    }

    /// `?status=draft`: the caller's own drafts, the last changed first, paged; never anyone else's, never published ones.
    @Test func statusDraftListsTheCallersOwnDrafts() async throws {
        let server = try await TestServer()
        let (alice, bob) = (try await RecordLifecycleTests.token(server, "alice"), try await RecordLifecycleTests.token(server, "bob"))
        var drafts: [String] = []
        for n in 0..<3 {
            let reply = try await server.request(
                .POST, "/records", token: alice, body: try RecordLifecycleTests.body(["metadata": Self.record("Draft \(n)", "2020")]))
            drafts.append(RecordLifecycleTests.id(try reply.json()))
        }
        _ = try await RecordLifecycleTests.draft(server, bob)
        _ = try await Self.publish(server, alice, Self.record("Published", "2020"))
        // Changing the first makes it the last changed.
        let patch = try await server.request(
            .PATCH, "/records/\(drafts[0])", token: alice, headers: [("Content-Type", "application/merge-patch+json")],
            body: try RecordLifecycleTests.body(["metadata": ["title": "Draft 0, changed"]]))
        #expect(patch.status == 200, "\(patch.text)")
        func list(_ query: String, token: String?) async throws -> (status: Int, total: Int?, ids: [String], links: [String: String]) {
            let reply = try await server.request(.GET, "/records?status=draft" + query, token: token)
            let json = (try? reply.json()) ?? [:]
            let hits = json["hits"] as? [String: Any] ?? [:]
            return (
                reply.status, hits["total"] as? Int, (hits["hits"] as? [[String: Any]] ?? []).map(RecordLifecycleTests.id),
                json["links"] as? [String: String] ?? [:]
            )
        }
        let all = try await list("", token: alice)
        #expect(all.status == 200 && all.total == 3 && all.ids == [drafts[0], drafts[2], drafts[1]], "\(all)")
        let second = try await list("&size=1&page=2", token: alice)
        #expect(second.ids == [drafts[2]] && second.links["next"]?.contains("page=3") == true && second.links["prev"]?.contains("page=1") == true)
        #expect(try await list("&size=1&page=3", token: alice).links["next"] == nil)
        #expect(try await list("", token: bob).total == 1)
        #expect(try await list("", token: nil).status == 401)
        #expect(try await list("&q=draft", token: alice).status == 400)
        #expect(try await list("&size=0", token: alice).status == 400)
        #expect(try await server.request(.GET, "/records?status=deleted", token: alice).status == 400)
    }

    /// 200 rounds of publish → found → removed → not found, with no miss.
    @Test func aChangeIsFoundAsSoonAsItsRequestReturns() async throws {
        let server = try await TestServer()
        let alice = try await RecordLifecycleTests.token(server, "alice")
        for round in 0..<200 {
            let word = "round\(round)marker"
            let id = try await Self.publish(server, alice, Self.record("Record \(word)", "2022"))
            #expect(try await Self.search(server, Self.q(word)).ids == [id])
            let removal = try await server.request(.DELETE, "/records/\(id)", body: Array(#"{"reason": "test"}"#.utf8))
            #expect(removal.status == 204)
            #expect(try await Self.search(server, Self.q(word)).ids == [])
        }
        // A new version replaces the old one, unless every version is asked for.
        let first = try await Self.publish(server, alice, Self.record("Versioned thing", "2022"))
        let next = try await server.request(.POST, "/records/\(first)/versions", token: alice)
        let second = RecordLifecycleTests.id(try next.json())
        #expect(try await server.request(.POST, "/records/\(second)/publish", token: alice).status == 200)
        #expect(try await Self.search(server, Self.q("versioned")).ids == [second])
        #expect(Set(try await Self.search(server, Self.q("versioned") + "&allversions=true").ids) == [first, second])
    }

    @Test func theIndexIsVerifiedRebuiltAndBuiltAtStart() async throws {
        let server = try await TestServer()
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let first = try await Self.publish(server, alice, Self.record("Plankton counts", "2020"))
        let second = try await Self.publish(server, alice, Self.record("Krill counts", "2021"))
        #expect(try await server.cliStatus(["search", "verify"]) == (0, "The search index agrees with the records.\n"))
        try await Self.damageIndex(server, remove: first, retitle: second)
        let verified = try await server.cliStatus(["search", "verify"])
        #expect(verified.status == 1)
        #expect(verified.output.contains("record \(first): published, but not in the index"), "\(verified.output)")
        #expect(verified.output.contains("record \(second): the index has an old copy"), "\(verified.output)")
        #expect(try await Self.search(server, Self.q("counts")).ids == [second])
        // On OpenSearch, a rebuild also drops what an interrupted one left (an index of the alias's name and a time).
        let leftover = server.vellumEnvironment["VELLUM_SEARCH_URL"].map { $0 + "-records-1" }
        if let leftover { _ = try await TestServer.runTool("/usr/bin/curl", ["-sf", "-X", "PUT", leftover]) }
        #expect(try await server.cli(["search", "reindex"]).contains("2 records reindexed"))
        if let leftover {
            #expect(try await TestServer.runTool("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", leftover]) == "404")
        }
        #expect(try await server.cliStatus(["search", "verify"]).status == 0)
        #expect(Set(try await Self.search(server, Self.q("counts")).ids) == [first, second])
        // A database whose index is empty (as one from before search) is indexed when the daemon starts.
        try await Self.damageIndex(server, clear: true)
        #expect(try await Self.search(server, Self.q("counts")).ids == [])
        #expect(try await server.stop(signal: SIGTERM) == 0)
        try await server.start()
        #expect(Set(try await Self.search(server, Self.q("counts")).ids) == [first, second])
    }

    /// Changes the search index behind the daemon's back: the database's rows, or the documents in OpenSearch.
    static func damageIndex(_ server: TestServer, remove: String? = nil, retitle: String? = nil, clear: Bool = false) async throws {
        guard let url = server.vellumEnvironment["VELLUM_SEARCH_URL"] else {
            if let remove { _ = try await server.sql("DELETE FROM search_docs WHERE id = \(remove)") }
            if let retitle { _ = try await server.sql("UPDATE search_docs SET title = 'Something else' WHERE id = \(retitle)") }
            if clear { _ = try await server.sql("DELETE FROM search_docs") }
            return
        }
        let index = url + "-records"
        func curl(_ method: String, _ path: String, _ body: String) async throws {
            _ = try await TestServer.runTool(
                "/usr/bin/curl", ["-sf", "-X", method, "-H", "Content-Type: application/json", "--data", body, index + path])
        }
        if let remove { try await curl("DELETE", "/_doc/\(remove)?refresh=true", "") }
        if let retitle { try await curl("POST", "/_update/\(retitle)?refresh=true", #"{"doc": {"label": "Something else"}}"#) }
        if clear { try await curl("POST", "/_delete_by_query?refresh=true", #"{"query": {"match_all": {}}}"#) }
    }

    /// 5,000 random and hostile query strings over HTTP: each answers 200 or 400, never a 5xx.
    @Test func hostileQueriesAnswer200Or400() async throws {
        let server = try await TestServer()
        let alice = try await RecordLifecycleTests.token(server, "alice")
        _ = try await Self.publish(server, alice, Self.record("Ocean (sea) \"levels\" 10.5281/zenodo.1 NEAR/2 title:x", "2020"))
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "\"", "(", ")", "[", "]", "{", "}", ":", "*", "-", "+", "!", "&&", "||", "AND", "OR", "NOT", "TO", " ", "\t", "\u{1}", "\u{7f}",
            "title:", "publication_date:", "doi:", "metadata.a:", "metadata..:", "resource_type:", "10.5281/zenodo.1", "https://x.org/(a)",
            "0000-0002-1825-0097", "2020", "2020-02-30", ">=", "<", "\\", "é", "日本", "🙂", "NEAR", "NEAR(", "^", "~", "/", "ocean", "x*",
            "'", "%", ";", "--", "/*", "<->", ":*", "&", "|", "!!", "''", "\u{FEFF}", String(repeating: "a", count: 300),
        ]
        var statuses: [Int: Int] = [:]
        for n in 0..<5000 {
            let text = (0..<Int.random(in: 0...10, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let facet = n % 7 == 0 ? "&keywords=" + Self.formEncoded(text) + "&year=" + Self.formEncoded(text) : ""
            let reply = try await server.request(.GET, "/records?q=" + Self.formEncoded(text) + facet)
            statuses[reply.status, default: 0] += 1
            #expect(reply.status == 200 || reply.status == 400, "\(text.debugDescription) → \(reply.status) \(reply.text)")
        }
        print("hostile queries: statuses \(statuses.sorted { $0.key < $1.key })")
        #expect(statuses[200, default: 0] > 0 && statuses[400, default: 0] > 0)
    }

    static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
