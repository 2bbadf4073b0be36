import Foundation
import Testing
import VellumRecords

/// api.md §9 on a corpus nobody here wrote: 2,000 of this machine's Debian packages (`apt-cache dumpavail`) as
/// records — title the package's description, creator its maintainer, keywords its section and tags, description
/// its tags, dependencies and home page; dates, licences, types and access derived from its sizes — published
/// through the API, then searched. Every expected answer is computed here, from the corpus, by this file's own
/// reading of the rules (words split on what is not a letter or digit, folded with Foundation).
@Suite(.disabled(if: TestServer.onS3, "search reads only the database: the PostgreSQL pass runs it")) struct SearchCorpusTests {
    struct Package {
        var name = "", version = "", summary = "", maintainer = "", section = "", tags: [String] = [], depends = ""
        var homepage = "", installedSize = 0, size = 0
    }

    struct Entry {
        var id = ""
        var metadata: [String: Any]
        var restricted: Bool
        var title: String { metadata["title"] as? String ?? "" }
        var date: String { metadata["publication_date"] as? String ?? "" }
        var fields: [String: [String]] = [:]  // folded words per text field
        var words: Set<String> { Set(fields.values.joined()) }
    }

    static func packages(_ count: Int) throws -> [Package] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/apt-cache")
        process.arguments = ["dumpavail"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var all: [Package] = []
        for stanza in text.components(separatedBy: "\n\n") {
            var fields: [String: String] = [:]
            var last = ""
            for line in stanza.split(separator: "\n") {
                if line.hasPrefix(" "), !last.isEmpty {
                    fields[last, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
                } else if let colon = line.firstIndex(of: ":") {
                    last = String(line[..<colon])
                    fields[last] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            guard let name = fields["Package"], let summary = fields["Description"], !summary.isEmpty else { continue }
            all.append(
                Package(
                    name: name, version: fields["Version"] ?? "", summary: summary,
                    maintainer: String((fields["Maintainer"] ?? "Debian").prefix { $0 != "<" }).trimmingCharacters(in: .whitespaces),
                    section: fields["Section"] ?? "misc",
                    tags: (fields["Tag"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                    depends: fields["Depends"] ?? "", homepage: fields["Homepage"] ?? "", installedSize: Int(fields["Installed-Size"] ?? "") ?? 0,
                    size: Int(fields["Size"] ?? "") ?? 0))
        }
        all.sort { $0.name < $1.name }
        guard all.count >= count else { throw TestError("apt-cache dumpavail lists \(all.count) packages; \(count) are needed") }
        let step = all.count / count
        return (0..<count).map { all[$0 * step] }
    }

    static func entry(_ p: Package) -> Entry {
        let types = ["software", "software", "dataset", "publication", "image", "audio", "video", "workflow"]
        let licenses = ["cc-by-4.0", "CC0-1.0", "MIT", "GPL-3.0-or-later", "Apache-2.0"]
        let year = 2000 + p.installedSize % 25
        let month = 1 + p.size % 12
        let day = 1 + (p.size / 12) % 28
        let date =
            switch p.size % 3 {
            case 0: String(year)
            case 1: String(format: "%04d-%02d", year, month)
            default: String(format: "%04d-%02d-%02d", year, month, day)
            }
        var description = "Tags: " + p.tags.joined(separator: ", ")
        if !p.depends.isEmpty { description += ". Depends: " + p.depends }
        if !p.homepage.isEmpty { description += ". Home page: " + p.homepage }
        var metadata: [String: Any] = [
            "title": p.summary, "creators": [["name": p.maintainer.isEmpty ? "Debian" : p.maintainer]], "publication_date": date,
            "resource_type": types[p.installedSize % types.count], "keywords": [p.section] + p.tags.prefix(3), "description": description,
            "license": licenses[p.size % licenses.count],
        ]
        if !p.version.isEmpty { metadata["version"] = p.version }
        var entry = Entry(metadata: metadata, restricted: p.size % 10 == 0)
        entry.fields = [
            "title": words(p.summary), "creators": words(p.maintainer.isEmpty ? "Debian" : p.maintainer), "description": words(description),
            "keywords": words(([p.section] + p.tags.prefix(3)).joined(separator: " ")),
        ]
        return entry
    }

    /// A text's words, as this test reads them: runs of letters and digits, folded.
    static func words(_ text: String) -> [String] {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    /// The phrase's words appear in this order, next to each other, in one field.
    static func hasPhrase(_ entry: Entry, _ phrase: String, field: String? = nil) -> Bool {
        let wanted = words(phrase)
        return entry.fields.contains { name, words in
            (field == nil || field == name) && words.count >= wanted.count
                && (0...(words.count - wanted.count)).contains { Array(words[$0..<$0 + wanted.count]) == wanted }
        }
    }

    /// Every hit of a search, page by page (ids), and its total.
    static func all(_ server: TestServer, _ query: String, token: String? = nil) async throws -> (ids: [String], total: Int) {
        var ids: [String] = []
        var page = 1
        var total = 0
        while true {
            let reply = try await server.request(.GET, "/records?\(query)&size=100&page=\(page)", token: token)
            #expect(reply.status == 200, "\(query): \(reply.text)")
            let hits = (try reply.json())["hits"] as? [String: Any] ?? [:]
            total = hits["total"] as? Int ?? -1
            let found = (hits["hits"] as? [[String: Any]] ?? []).map(RecordLifecycleTests.id)
            ids += found
            if found.count < 100 || page * 100 >= total { break }
            page += 1
        }
        return (ids, total)
    }

    @Test func everyRuleOnTwoThousandDebianPackages() async throws {
        let server = try await TestServer(environment: ["VELLUM_DOI_PREFIX": "10.5072"])
        let alice = try await RecordLifecycleTests.token(server, "alice")
        var corpus = try Self.packages(2000).map(Self.entry)
        let clock = ContinuousClock.now
        // Published by 8 clients at once.
        let made = try await withThrowingTaskGroup(of: [(Int, String)].self) { group in
            for lane in 0..<8 {
                // Sendable: each record's metadata as JSON, and whether it is restricted.
                let lanes = try stride(from: lane, to: corpus.count, by: 8).map {
                    ($0, try JSONSerialization.data(withJSONObject: corpus[$0].metadata), corpus[$0].restricted)
                }
                group.addTask {
                    var made: [(Int, String)] = []
                    for (n, json, restricted) in lanes {
                        let metadata = try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:]
                        let extra: [String: Any] = restricted ? ["access": ["record": "restricted"]] : [:]
                        made.append((n, try await SearchTests.publish(server, alice, metadata, extra)))
                    }
                    return made
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        for (n, id) in made { corpus[n].id = id }
        print("search corpus: published in \(ContinuousClock.now - clock)")
        let visible = corpus.filter { !$0.restricted }
        func expect(_ query: String, token: String? = nil, _ predicate: (Entry) -> Bool, sourceLocation: SourceLocation = #_sourceLocation)
            async throws
        {
            let wanted = Set((token == nil ? visible : corpus).filter(predicate).map(\.id))
            let found = try await Self.all(server, "q=" + SearchTests.formEncoded(query), token: token)
            #expect(
                Set(found.ids) == wanted && found.total == wanted.count && found.ids.count == wanted.count,
                "\(query): \(found.total) found, \(wanted.count) expected; missing \(wanted.subtracting(found.ids).prefix(5)), extra \(Set(found.ids).subtracting(wanted).prefix(5))",
                sourceLocation: sourceLocation)
        }

        // Words that are neither rare nor everywhere, and pairs of them that meet.
        var frequency: [String: Int] = [:]
        for entry in visible { for word in entry.words { frequency[word, default: 0] += 1 } }
        let common = frequency.filter { (15...300).contains($0.value) && $0.key.count >= 4 && $0.key.allSatisfy(\.isLetter) }
            .sorted { ($0.value, $0.key) > ($1.value, $1.key) }.map(\.key)
        try #require(common.count >= 12, "too few words in the corpus")
        let words = Array(common.prefix(12))
        var checks = 0
        for word in words {
            try await expect(word) { $0.words.contains(word) }
            try await expect(word.uppercased()) { $0.words.contains(word) }
            try await expect(String(word.prefix(4)) + "*") { $0.words.contains { $0.hasPrefix(word.prefix(4)) } }
            for field in ["title", "creators", "description", "keywords"] {
                try await expect("\(field):\(word)") { $0.fields[field]?.contains(word) == true }
            }
            checks += 7
        }
        for (a, b) in zip(words, words.dropFirst()) {
            try await expect("\(a) \(b)") { $0.words.contains(a) && $0.words.contains(b) }
            try await expect("\(a) OR \(b)") { $0.words.contains(a) || $0.words.contains(b) }
            try await expect("\(a) -\(b)") { $0.words.contains(a) && !$0.words.contains(b) }
            try await expect("\(a) AND NOT \(b)") { $0.words.contains(a) && !$0.words.contains(b) }
            try await expect("(\(a) OR \(b)) \(words[0])") { ($0.words.contains(a) || $0.words.contains(b)) && $0.words.contains(words[0]) }
            checks += 5
        }
        // Phrases: two words next to each other in some title.
        for entry in visible.prefix(40) where (entry.fields["title"]?.count ?? 0) >= 3 {
            let title = entry.fields["title"]!
            let phrase = title[1] + " " + title[2]
            try await expect("\"\(phrase)\"") { Self.hasPhrase($0, phrase) }
            try await expect("title:\"\(phrase)\"") { Self.hasPhrase($0, phrase, field: "title") }
            checks += 2
        }
        // Exact values, identifiers, dates.
        for type in ["software", "dataset", "audio"] {
            try await expect("resource_type:\(type)") { $0.metadata["resource_type"] as? String == type }
        }
        try await expect("license:mit") { ($0.metadata["license"] as? String)?.lowercased() == "mit" }
        try await expect("license:CC-BY-4.0 OR license:cc0-1.0") {
            ["cc-by-4.0", "cc0-1.0"].contains(($0.metadata["license"] as? String)?.lowercased())
        }
        for entry in visible.prefix(5) {
            try await expect("id:\(entry.id)") { $0.id == entry.id }
            try await expect("doi:10.5072/vellum.\(entry.id)") { $0.id == entry.id }
            try await expect("10.5072/vellum.\(entry.id)") { $0.id == entry.id }  // pasted bare
            if let version = entry.metadata["version"] as? String {
                try await expect("metadata.version:\"\(version)\"") { $0.metadata["version"] as? String == version }
            }
        }
        func firstDay(_ date: String) -> String { date.count == 4 ? date + "-01-01" : date.count == 7 ? date + "-01" : date }
        try await expect("publication_date:[2005 TO 2007]") { firstDay($0.date) >= "2005-01-01" && firstDay($0.date) < "2008-01-01" }
        try await expect("publication_date:{2005 TO 2007}") { firstDay($0.date).hasPrefix("2006") }
        try await expect("publication_date:[2010-06 TO 2011-02]") { firstDay($0.date) >= "2010-06-01" && firstDay($0.date) < "2011-03-01" }
        try await expect("publication_date:>=2023") { firstDay($0.date) >= "2023-01-01" }
        try await expect("publication_date:<2001 \(words[1])") { firstDay($0.date) < "2001-01-01" && $0.words.contains(words[1]) }
        // Restricted records: their owner finds them too.
        try await expect(words[2], token: alice) { $0.words.contains(words[2]) }
        checks += 30

        print("search corpus: queries done at \(ContinuousClock.now - clock)")
        // Facets: each counts with the query and the other facets' filters.
        let word = words[0]
        let section = (visible.first { $0.words.contains(word) }?.metadata["keywords"] as? [String])?.first ?? "misc"
        let reply = try await server.request(
            .GET, "/records?q=\(word)&resource_type=software&resource_type=dataset&keywords=\(SearchTests.formEncoded(section))", token: nil)
        let json = try reply.json()
        let aggregations = json["aggregations"] as? [String: [String: [[String: Any]]]] ?? [:]
        func buckets(_ name: String) -> [String: Int] {
            Dictionary(
                uniqueKeysWithValues: (aggregations[name]?["buckets"] ?? []).map { ($0["key"] as? String ?? "", $0["doc_count"] as? Int ?? 0) })
        }
        let matching = visible.filter { $0.words.contains(word) }
        let typed = matching.filter { ["software", "dataset"].contains($0.metadata["resource_type"] as? String) }
        let sectioned = matching.filter { ($0.metadata["keywords"] as? [String])?.contains(section) == true }
        var types: [String: Int] = [:]
        for entry in sectioned { types[entry.metadata["resource_type"] as! String, default: 0] += 1 }
        #expect(buckets("resource_type") == types)
        let both = typed.filter { sectioned.map(\.id).contains($0.id) }
        #expect((json["hits"] as? [String: Any])?["total"] as? Int == both.count)
        var keywordCounts: [String: Int] = [:]
        for entry in typed { for keyword in Set(entry.metadata["keywords"] as? [String] ?? []) { keywordCounts[keyword, default: 0] += 1 } }
        for (key, count) in buckets("keywords") { #expect(keywordCounts[key] == count, "keyword \(key)") }
        #expect(buckets("keywords").count == min(10, keywordCounts.count))
        var years: [String: Int] = [:]
        for entry in both { years[String(entry.date.prefix(4)), default: 0] += 1 }
        let topYears = years.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(10)
        #expect(buckets("year") == Dictionary(uniqueKeysWithValues: topYears.map { ($0.key, $0.value) }))
        #expect(buckets("access") == (both.isEmpty ? [:] : ["public": both.count]))

        // Sorts, walked page by page and by cursor.
        let byTitle = visible.sorted {
            let (a, b) = (Self.folded($0.title), Self.folded($1.title))
            return a == b ? Int($0.id)! < Int($1.id)! : a.utf8.lexicographicallyPrecedes(b.utf8)
        }.map(\.id)
        #expect(try await Self.all(server, "sort=title").ids == byTitle)
        let byDate = visible.sorted {
            let (a, b) = (firstDay($0.date), firstDay($1.date))
            return a == b ? Int($0.id)! > Int($1.id)! : a > b
        }.map(\.id)
        #expect(try await Self.all(server, "sort=-publication_date").ids == byDate)
        // osmem-server 0.1.6, OpenSearch's stand-in here, answers `search_after` on `_score` with the hits scored
        // strictly below the value given, whatever the tie-breakers say (ties are lost, and a score it printed
        // rounded comes back): a real cluster pages by Lucene's searchAfter. The walk by score is left to a real one.
        var standIn = false
        if server.searchBackend == "OpenSearch", let url = TestServer.openSearch {
            standIn = try await TestServer.runTool("/usr/bin/curl", ["-s", url]).contains(#""cluster_name":"osmem""#)
        }
        for sort in RecordSearch.Sort.allCases where !(sort == .bestmatch && standIn) {
            let query = sort == .bestmatch ? "q=\(word)" : "q=&sort=\(sort.rawValue)"
            let paged = try await Self.all(server, query)
            // From a cursor placed before the first hit, following `next` links of 37 hits each.
            let before: SearchKey =
                switch sort {
                case .bestmatch: .real(1e300)  // scores are better the higher, on every backend
                case .title, .publicationDate: .text("")
                case .publicationDateDescending: .text("\u{10FFFF}")
                case .oldest: .integer(Int64.min)
                case .newest, .updated: .integer(Int64.max)
                }
            let width = sort == .bestmatch ? 3 : 2
            var link: String? =
                "/records?\(query)&sort=\(sort.rawValue)&size=37&cursor="
                + SearchCursor(sort: sort, key: [before] + Array(repeating: SearchKey.integer(0), count: width - 1)).encoded
            var walked: [String] = []
            while let next = link, walked.count <= paged.ids.count {
                let page = try await server.request(.GET, next.replacingOccurrences(of: server.baseURL, with: ""), token: nil)
                #expect(page.status == 200, "\(sort): \(page.text)")
                let body = try page.json()
                walked += ((body["hits"] as? [String: Any])?["hits"] as? [[String: Any]] ?? []).map(RecordLifecycleTests.id)
                link = (body["links"] as? [String: String])?["next"]
            }
            let split = zip(walked, paged.ids).prefix { $0.0 == $0.1 }.count
            #expect(
                walked == paged.ids,
                "\(sort): the cursor walk and the pages differ from hit \(split) (of \(walked.count) and \(paged.ids.count)): \(walked.dropFirst(split).prefix(5)) against \(paged.ids.dropFirst(split).prefix(5))"
            )
        }
        print("search corpus: sorts and cursors done at \(ContinuousClock.now - clock)")
        // Relevance: the top 10 of 50 queries (25 words that are neither rare nor everywhere, 25 pairs of title words)
        // against PyPI's tantivy (BM25) over the same public records, with the same weights per field.
        let pairs = stride(from: 0, to: visible.count, by: visible.count / 25).prefix(25).compactMap { n -> String? in
            let title = visible[n].fields["title"]!.filter { $0.count >= 4 && $0.allSatisfy(\.isLetter) }
            return title.count >= 2 ? title[0] + " " + title[1] : title.first
        }
        let queries = Array(common.prefix(25)) + pairs
        var ours: [[String]] = []
        for query in queries {
            let reply = try await server.request(.GET, "/records?q=" + SearchTests.formEncoded(query) + "&size=10", token: nil)
            ours.append(((try reply.json()["hits"] as? [String: Any])?["hits"] as? [[String: Any]] ?? []).map(RecordLifecycleTests.id))
        }
        let reference = try await Self.tantivy(visible, queries, boosts: ["title": 10, "creators": 3, "description": 1, "keywords": 3])
        let overlaps = zip(ours, reference).map { ours, theirs in
            theirs.isEmpty ? (ours.isEmpty ? 1 : 0) : Double(Set(ours).intersection(theirs).count) / Double(theirs.count)
        }
        let overlap = overlaps.reduce(0, +) / Double(overlaps.count)
        print(
            "search corpus: top-10 overlap with tantivy (BM25) over \(queries.count) queries, \(server.searchBackend): \(Int(overlap * 100)) %"
        )
        #expect(queries.count == 50 && overlap >= 0.6, "top-10 overlap \(overlap) per query \(overlaps)")
        // Suggest.
        let stem = String(words[3].prefix(3))
        let suggested =
            try JSONSerialization.jsonObject(with: Data(try await server.request(.GET, "/records/_suggest?q=\(stem)", token: nil).bytes))
            as? [[String: Any]] ?? []
        let titled = visible.filter { $0.fields["title"]!.contains { $0.hasPrefix(stem) } }
        #expect(suggested.count == min(10, titled.count))
        #expect(suggested.allSatisfy { hit in titled.contains { $0.id == hit["id"] as? String } })
        // A syntax error names its position.
        let bad = try await server.request(.GET, "/records?q=" + SearchTests.formEncoded("\(word) \"open"), token: nil)
        let message = try bad.json()["message"] as? String ?? ""
        #expect(bad.status == 400 && message.contains("position \(word.count + 2)"), "\(message)")
        print(
            "search corpus: \(corpus.count) records (\(visible.count) public), \(checks) query checks, backend \(server.searchBackend)"
        )
    }

    /// The top `k` public records of each query as PyPI's tantivy ranks them (scripts/tantivy_rank.py).
    static func tantivy(_ entries: [Entry], _ queries: [String], boosts: [String: Int], k: Int = 10) async throws -> [[String]] {
        guard let python = ProcessInfo.processInfo.environment["VELLUM_SEARCH_PYTHON"] else {
            throw TestError("VELLUM_SEARCH_PYTHON is not set: run the suite with ./scripts/test.sh")
        }
        let docs = entries.map { entry in
            ["id": entry.id, "title": entry.title]
                .merging(["creators", "description", "keywords"].map { ($0, entry.fields[$0]!.joined(separator: " ")) }) { $1 }
        }
        let input = try JSONSerialization.data(withJSONObject: ["docs": docs, "queries": queries, "k": k, "boosts": boosts])
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try await TestServer.execute(
            python, [root.appendingPathComponent("scripts/tantivy_rank.py").path], input: String(decoding: input, as: UTF8.self))
        guard result.status == 0,
            let results = (try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])?["results"] as? [[String]]
        else { throw TestError("tantivy_rank.py: \(result.status) \(result.errors)") }
        return results
    }

    static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }
}

extension TestServer {
    /// Which index this daemon searches.
    var searchBackend: String {
        vellumEnvironment["VELLUM_SEARCH_URL"] != nil
            ? "OpenSearch" : vellumEnvironment["VELLUM_DATABASE_URL"]?.hasPrefix("postgres") == true ? "PostgreSQL" : "SQLite"
    }
}
