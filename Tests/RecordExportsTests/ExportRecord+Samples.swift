import Foundation
import JSONSchema

@testable import RecordExports

/// Records to export in the tests: one built from a metadata document, and ~30 varied ones.
extension ExportRecord {
    /// A version (id `id`, concept `id - 1`) with `files` CSV files and, when `minted`, its DOI (`doi`, else
    /// `10.5072/vellum.{id}`) and its concept's.
    static func sample(
        _ metadata: String, id: Int64 = 12, minted: Bool = true, doi: String? = nil, files: Int = 2, updated: Date? = nil
    ) throws -> ExportRecord {
        let doi = minted ? doi ?? "10.5072/vellum.\(id)" : nil
        return ExportRecord(
            id: id, conceptID: id - 1, doi: doi, conceptDOI: doi.map { _ in "10.5072/vellum.\(id - 1)" },
            url: "https://data.example.org/records/\(id)", publisher: "Example Data", metadata: try JSON(parsing: metadata),
            created: Date(timeIntervalSince1970: 1_700_000_000), updated: updated, versionIndex: 1,
            files: (0..<files).map {
                ExportRecord.File(
                    key: "table \($0).csv", size: Int64(100 * ($0 + 1)), mimetype: "text/csv",
                    url: "https://data.example.org/files/b/table%20\($0).csv")
            })
    }

    static let full = #"""
        {"title": "Tide gauges of the North Sea", "creators": [{"name": "Lovelace, Ada", "orcid": "0000-0002-1825-0097",
        "affiliation": "Analytical Engines Ltd"}, {"name": "Royal Society"}], "publication_date": "2024-05-01",
        "resource_type": "dataset", "description": "Hourly heights.", "keywords": ["tides", "sea level"],
        "license": "CC-BY-4.0", "version": "1.0", "language": "eng",
        "related_identifiers": [{"identifier": "10.5072/x", "scheme": "doi", "relation": "IsSupplementTo"}]}
        """#
}

/// A sample record with what an outside reader must find in every format of it.
struct Sample {
    var record: ExportRecord
    /// The title as exported (trimmed, without control characters; "Untitled" when there is none).
    var title: String
    /// The year exported: the publication date's, else the creation's (2023).
    var year: String
    /// The creators exported, by name.
    var creators: [String]

    /// What scripts/exports_check.py reads as `NAME.expect.json`.
    var expectation: JSON {
        .object([
            "title": .string(title), "year": .string(year), "creators": .array(creators.map(JSON.string)),
            "doi": record.isConcept ? record.conceptDOI.map(JSON.string) ?? .null : record.doi.map(JSON.string) ?? .null,
        ])
    }

    init(_ record: ExportRecord, title: String, year: String, creators: [String]) {
        self.record = record
        self.title = title
        self.year = year
        self.creators = creators
    }

    /// Varied records: every resource type, a full one, organisations, Unicode, the characters XML and LaTeX escape in
    /// every field, a very long title, other schemas' odd values and documents, no DOI, a concept, bad identifiers,
    /// control characters, many creators and files.
    static func all() throws -> [Sample] {
        var samples: [Sample] = []
        for (n, type) in RecordSchemaTypes.all.enumerated() {
            let metadata = #"""
                {"title": "Type \#(type)", "creators": [{"name": "Roe, Rita"}], "publication_date": "2019-0\#(n % 9 + 1)",
                "resource_type": "\#(type)"}
                """#
            samples.append(Sample(try .sample(metadata, id: Int64(100 + n)), title: "Type \(type)", year: "2019", creators: ["Roe, Rita"]))
        }
        samples.append(
            Sample(
                try .sample(ExportRecord.full, updated: Date(timeIntervalSince1970: 1_750_000_000)), title: "Tide gauges of the North Sea",
                year: "2024", creators: ["Lovelace, Ada", "Royal Society"]))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "Royal Society minutes", "creators": [{"name": "Royal Society"}, {"name": "CERN", "affiliation": "Geneva"},
                    {"name": "Smith and Sons"}], "publication_date": "1665", "resource_type": "publication"}
                    """#, id: 200), title: "Royal Society minutes", year: "1665", creators: ["Royal Society", "CERN", "Smith and Sons"]))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "Données marégraphiques 東京湾 🌊 מדידות", "creators": [{"name": "Ó Súilleabháin, Seán"}, {"name": "山田, 太郎"},
                    {"name": "Øster, Ånund", "affiliation": "Universitetet i Bergen"}], "publication_date": "2021-12-31",
                    "resource_type": "dataset", "keywords": ["océan", "海", "océan"], "language": "fra", "description": "Ἀρχιμήδης 👩🏽‍🔬"}
                    """#, id: 201), title: "Données marégraphiques 東京湾 🌊 מדידות", year: "2021",
                creators: ["Ó Súilleabháin, Seán", "山田, 太郎", "Øster, Ånund"]))
        let specials = #"Salt & <brine> 50% {H_2O} #1 $5 ~x^2 \\ \"q\" 'a' ]]> <!-- -->"#
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "\#(specials)", "creators": [{"name": "O'Brien & Sons <Ltd>"}, {"name": "Fish_{1}, Jo%n$ #2 ~^",
                    "affiliation": "A&B <x>"}], "publication_date": "2022", "resource_type": "software",
                    "description": "a < b & c > d; 100% {ok}\n\tnext line \\end{document}", "keywords": ["<k>", "&", "{x}", "50%"],
                    "version": "2.0_beta#1 & {x}", "license": "MIT"}
                    """#, id: 202), title: #"Salt & <brine> 50% {H_2O} #1 $5 ~x^2 \ "q" 'a' ]]> <!-- -->"#, year: "2022",
                creators: ["O'Brien & Sons <Ltd>", "Fish_{1}, Jo%n$ #2 ~^"]))
        let long = String(repeating: "Sediment cores of the Baltic ", count: 300).trimmingCharacters(in: .whitespaces)
        samples.append(
            Sample(
                try .sample(
                    #"{"title": "\#(long)", "creators": [{"name": "Lee, Kim"}], "publication_date": "2023-07", "resource_type": "dataset"}"#, id: 203),
                title: long, year: "2023", creators: ["Lee, Kim"]))
        samples.append(
            Sample(
                try .sample(
                    #"{"title": 3, "creators": "nobody", "publication_date": "2024-02-30", "keywords": [1, ""], "resource_type": "novel"}"#, id: 204,
                    minted: false, files: 0), title: "Untitled", year: "2023", creators: []))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "No DOI yet", "creators": [{"name": "Poe, Ed", "orcid": "0000-0002-1825-0097"}], "publication_date": "2020-01-01",
                    "resource_type": "image"}
                    """#, id: 205, minted: false), title: "No DOI yet", year: "2020", creators: ["Poe, Ed"]))
        var concept = try ExportRecord.sample(ExportRecord.full, id: 206)
        concept.isConcept = true
        samples.append(Sample(concept, title: "Tide gauges of the North Sea", year: "2024", creators: ["Lovelace, Ada", "Royal Society"]))
        samples.append(Sample(try .sample(#"{"title": "Only a title"}"#, id: 207, files: 0), title: "Only a title", year: "2023", creators: []))
        samples.append(Sample(try .sample(#"[1, 2, {"title": "inside"}]"#, id: 208), title: "Untitled", year: "2023", creators: []))
        samples.append(Sample(try .sample("{}", id: 209, minted: false, files: 0), title: "Untitled", year: "2023", creators: []))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": ["a list"], "creators": [{"name": 5}, "x", {"name": "  "}, null, {"name": "Valid, Name",
                    "orcid": "https://orcid.org/0000-0002-1825-0097", "affiliation": 7}, {"name": "Bad, Orcid", "orcid": "0000-0000"}],
                    "publication_date": 2024, "resource_type": ["dataset"], "description": {"en": "x"}, "keywords": "tides",
                    "license": 1, "version": 2.5, "language": true, "related_identifiers": {"identifier": "x"}}
                    """#, id: 210), title: "Untitled", year: "2023", creators: ["Valid, Name", "Bad, Orcid"]))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "Names that hold and", "creators": [{"name": "van der Berg, Anna and Bob"}, {"name": "Doe, Jr., John"},
                    {"name": "a, b, c, d"}, {"name": "AND"}, {"name": "Ada"}], "publication_date": "2018-02", "resource_type": "other"}
                    """#, id: 211), title: "Names that hold and", year: "2018",
                creators: ["van der Berg, Anna and Bob", "Doe, Jr., John", "a, b, c, d", "AND", "Ada"]))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "Identifiers off the vocabularies", "creators": [{"name": "Roe, Rita"}], "publication_date": "2017",
                    "resource_type": "dataset", "license": "CC BY 4.0 International", "language": "English (UK)",
                    "related_identifiers": [{"identifier": "10.5072/y", "scheme": "DOI", "relation": "issupplementto"},
                    {"identifier": "10.5072/y", "scheme": "doi", "relation": "IsSupplementTo"},
                    {"identifier": "arXiv:2101.00001", "scheme": "arxiv", "relation": "Cites"},
                    {"identifier": "https://example.org/a?b=1&c=<2>", "scheme": "url", "relation": "References"},
                    {"identifier": "x", "scheme": "gnd", "relation": "Cites"}, {"identifier": "y", "scheme": "doi", "relation": "Likes"},
                    {"identifier": "", "scheme": "doi", "relation": "Cites"}]}
                    """#, id: 212), title: "Identifiers off the vocabularies", year: "2017", creators: ["Roe, Rita"]))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "  Bell\u0007 tower\u000B of\r\nPisa \uFFFF ", "creators": [{"name": "Roe,\u0001 Rita"}],
                    "publication_date": "2016-03-04", "resource_type": "dataset", "description": "line one\r\nline two\rthree\u0000",
                    "version": "\u001B[1m", "keywords": ["\u0002"]}
                    """#, id: 213), title: "Bell tower of\nPisa", year: "2016", creators: ["Roe, Rita"]))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "A leap day", "creators": [{"name": "Roe, Rita"}], "publication_date": "2024-02-29", "resource_type": "audio"}
                    """#, id: 214, updated: Date(timeIntervalSince1970: 1_800_000_000)), title: "A leap day", year: "2024", creators: ["Roe, Rita"]))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "A date with a time", "creators": [{"name": "Roe, Rita"}], "publication_date": "2024-05-01T10:00:00Z",
                    "resource_type": "video"}
                    """#, id: 215), title: "A date with a time", year: "2023", creators: ["Roe, Rita"]))
        let many = (0..<50).map { #"{"name": "Author\#($0), Given\#($0)", "orcid": "0000-0002-1825-00\#(String(format: "%02d", $0))"}"# }
        var crowded = try ExportRecord.sample(
            #"{"title": "Fifty authors", "creators": [\#(many.joined(separator: ", "))], "publication_date": "2015", "resource_type": "dataset"}"#,
            id: 216)
        let types: [String?] = [nil, "text/csv", ""]
        crowded.files = (0..<60).map { (n: Int) -> ExportRecord.File in
            ExportRecord.File(
                key: "dir/a&b<\(n)>.csv", size: Int64(n) * 1_000_000_007, mimetype: types[n % 3],
                url: "https://data.example.org/files/b/a%26b%3C\(n)%3E.csv")
        }
        samples.append(Sample(crowded, title: "Fifty authors", year: "2015", creators: (0..<50).map { "Author\($0), Given\($0)" }))
        var odd = try ExportRecord.sample(
            #"{"title": "An odd DOI", "creators": [{"name": "Roe, Rita"}], "publication_date": "2014", "resource_type": "workflow"}"#, id: 217,
            doi: "10.5072/ABC_(1)-x;y{z}")
        odd.versionIndex = 3
        samples.append(Sample(odd, title: "An odd DOI", year: "2014", creators: ["Roe, Rita"]))
        var empty = try ExportRecord.sample(
            #"{"title": "", "creators": [{"name": ""}], "description": "   ", "keywords": [], "publication_date": ""}"#, id: 218, files: 0)
        empty.publisher = " "
        samples.append(Sample(empty, title: "Untitled", year: "2023", creators: []))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "HTML in the description", "creators": [{"name": "Roe, Rita"}], "publication_date": "2013-11-30",
                    "resource_type": "presentation", "description": "<p>Hello &amp; <b>world</b></p><script>x</script>",
                    "keywords": ["Zeitreihe", "zeitreihe", "Zeitreihe"], "license": "Apache-2.0", "language": "de-CH"}
                    """#, id: 219), title: "HTML in the description", year: "2013", creators: ["Roe, Rita"]))
        samples.append(
            Sample(
                try .sample(
                    #"""
                    {"title": "} Braces { that do not pair {", "creators": [{"name": "Brace, {Open"}, {"name": "Close} Ltd"}],
                    "publication_date": "2012", "resource_type": "physicalobject", "keywords": ["{", "}"]}
                    """#, id: 220), title: "} Braces { that do not pair {", year: "2012", creators: ["Brace, {Open", "Close} Ltd"]))
        return samples
    }
}

/// The built-in schema's resource types, and one it does not know.
enum RecordSchemaTypes {
    static let all = [
        "dataset", "software", "publication", "poster", "presentation", "image", "video", "audio", "workflow", "physicalobject", "other",
        "thesis",
    ]
}
