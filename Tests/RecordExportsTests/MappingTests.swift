import Foundation
import JSONSchema
import Testing

@testable import RecordExports

/// The mapping's decisions, format by format.
@Suite struct MappingTests {
    @Test func dataCiteCarriesTheMetadata() throws {
        let json = Exports.dataCite(try .sample(ExportRecord.full))
        #expect(json["types"]?["resourceTypeGeneral"] == .string("Dataset"))
        #expect(json["publicationYear"] == .string("2024"))
        #expect(json["dates"] == .array([.object(["date": .string("2024-05-01"), "dateType": .string("Issued")])]))
        let creator = json["creators"]?[0]
        #expect(creator?["familyName"] == .string("Lovelace") && creator?["givenName"] == .string("Ada"))
        #expect(creator?["nameType"] == .string("Personal"))
        #expect(creator?["nameIdentifiers"]?[0]?["nameIdentifier"] == .string("0000-0002-1825-0097"))
        #expect(creator?["nameIdentifiers"]?[0]?["schemeUri"] == .string("https://orcid.org"))
        #expect(creator?["affiliation"]?[0]?["name"] == .string("Analytical Engines Ltd"))
        #expect(json["creators"]?[1] == .object(["name": .string("Royal Society")]))
        #expect(json["rightsList"]?[0]?["rightsIdentifier"] == .string("cc-by-4.0"))
        #expect(json["rightsList"]?[0]?["rightsUri"] == .string("https://spdx.org/licenses/CC-BY-4.0"))
        #expect(json["subjects"] == .array([.object(["subject": .string("tides")]), .object(["subject": .string("sea level")])]))
        #expect(json["doi"] == .string("10.5072/vellum.12"))
        #expect(json["url"] == .string("https://data.example.org/records/12"))
        #expect(json["alternateIdentifiers"]?[0]?["alternateIdentifierType"] == .string("URL"))
        #expect(json["sizes"] == .array([.string("100 bytes"), .string("200 bytes")]))
        #expect(json["formats"] == .array([.string("text/csv")]))
        #expect(json["language"] == .string("eng") && json["version"] == .string("1.0"))
        let relations = json["relatedIdentifiers"]?.arrayValue?.compactMap { $0["relationType"]?.stringValue }
        #expect(relations == ["IsSupplementTo", "IsVersionOf"])
    }

    @Test func aConceptHasItsVersions() throws {
        var record = try ExportRecord.sample(ExportRecord.full)
        record.isConcept = true
        let json = Exports.dataCite(record)
        #expect(json["doi"] == .string("10.5072/vellum.11"))
        #expect(
            json["relatedIdentifiers"]?[1]
                == .object([
                    "relatedIdentifier": .string("10.5072/vellum.12"), "relatedIdentifierType": .string("DOI"), "relationType": .string("HasVersion"),
                ]))
        #expect(ExportFormat.bibtex.render(record).hasPrefix("@misc{vellum_12_concept,\n"))
    }

    @Test(arguments: [
        ("dataset", "Dataset", "Dataset", "dataset"), ("software", "Software", "SoftwareSourceCode", "software"),
        ("publication", "Text", "ScholarlyArticle", "article"), ("poster", "Text", "Poster", "graphic"),
        ("presentation", "Text", "PresentationDigitalDocument", "speech"), ("image", "Image", "ImageObject", "graphic"),
        ("video", "Audiovisual", "VideoObject", "motion_picture"), ("audio", "Sound", "AudioObject", "song"),
        ("workflow", "Workflow", "HowTo", "software"), ("physicalobject", "PhysicalObject", "Thing", "document"),
        ("other", "Other", "CreativeWork", "document"), ("thesis", "Other", "CreativeWork", "document"),
    ])
    func resourceTypesMap(type: String, dataCite: String, schemaOrg: String, csl: String) throws {
        let record = try ExportRecord.sample(#"{"title": "t", "resource_type": "\#(type)"}"#)
        #expect(Exports.dataCite(record)["types"]?["resourceTypeGeneral"] == .string(dataCite))
        #expect(Exports.schemaOrgType(type) == schemaOrg)
        #expect(try JSON(parsing: ExportFormat.csl.render(record))[0]?["type"] == .string(csl))
    }

    @Test func namesSplitIntoFamilyAndGiven() throws {
        let record = try ExportRecord.sample(
            #"{"title": "t", "creators": [{"name": "Doe, Jr., John"}, {"name": "  Curie ,  Marie  "}, {"name": "Ada"}, {"name": ", x"}]}"#)
        let creators = Exports.dataCite(record)["creators"]?.arrayValue ?? []
        #expect(creators.map { $0["familyName"]?.stringValue } == ["Doe", "Curie", nil, nil])
        #expect(creators.map { $0["givenName"]?.stringValue } == ["Jr., John", "Marie", nil, nil])
        #expect(creators.map { $0["nameType"]?.stringValue } == ["Personal", "Personal", nil, nil])
        let csl = try JSON(parsing: ExportFormat.csl.render(record))[0]?["author"]
        #expect(csl?[0] == .object(["family": .string("Doe"), "given": .string("Jr., John")]))
        #expect(csl?[2] == .object(["literal": .string("Ada")]))
        let schemaOrg = try JSON(parsing: ExportFormat.schemaOrg.render(record))["creator"]
        #expect(schemaOrg?[1]?["@type"] == .string("Person") && schemaOrg?[2]?["@type"] == .string("Organization"))
    }

    @Test func datesAreReadOrLeftOut() throws {
        for (given, date, year) in [
            ("2024", "2024", "2024"), ("2024-02", "2024-02", "2024"), ("2024-02-29", "2024-02-29", "2024"), ("2023-02-29", nil, "2023"),
            ("2024-13", nil, "2023"), ("24-01-01", nil, "2023"), ("2024-1-1", nil, "2023"), ("2024-05-01T10:00:00Z", nil, "2023"),
            ("0000", nil, "2023"), ("２０２４", nil, "2023"),
        ] as [(String, String?, String)] {
            let json = Exports.dataCite(try .sample(#"{"title": "t", "publication_date": "\#(given)"}"#))
            #expect(json["publicationYear"] == .string(year), "\(given)")
            #expect(json["dates"]?[0]?["date"]?.stringValue == date, "\(given)")
        }
        let csl = try JSON(parsing: ExportFormat.csl.render(try .sample(#"{"title": "t", "publication_date": "2024-02"}"#)))
        #expect(csl[0]?["issued"] == .object(["date-parts": .array([.array([.number(2024), .number(2)])])]))
        let bibtex = ExportFormat.bibtex.render(try .sample(#"{"title": "t", "publication_date": "2024-02-29"}"#))
        #expect(bibtex.contains("  year = {2024},\n  month = {2},\n"))
    }

    @Test func anUpdateAfterPublicationIsDated() throws {
        let later = try ExportRecord.sample(ExportRecord.full, updated: Date(timeIntervalSince1970: 1_750_000_000))
        #expect(Exports.dataCite(later)["dates"]?[1] == .object(["date": .string("2025-06-15"), "dateType": .string("Updated")]))
        #expect(try JSON(parsing: ExportFormat.schemaOrg.render(later))["dateModified"] == .string("2025-06-15"))
        let same = try ExportRecord.sample(ExportRecord.full, updated: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(Exports.dataCite(same)["dates"]?.arrayValue?.count == 1)
    }

    @Test func latexAndXMLSpecialsAreEscaped() throws {
        let record = try ExportRecord.sample(
            #"{"title": "50% of {H_2O} & <salt> #1 $5 ~ ^ \\", "creators": [{"name": "Ó Súilleabháin, Seán"}], "publication_date": "2020"}"#)
        let bibtex = ExportFormat.bibtex.render(record)
        let title = ##"title = {{50\% of \{H\_2O\} \& \textless{}salt\textgreater{} \#1 \$5 \textasciitilde{} \textasciicircum{} \textbackslash{}}}"##
        #expect(bibtex.contains(title), "\(bibtex)")
        #expect(bibtex.contains("author = {Ó Súilleabháin, Seán}"))
        let xml = ExportFormat.dataCiteXML.render(record)
        #expect(xml.contains("<title>50% of {H_2O} &amp; &lt;salt&gt; #1 $5 ~ ^ \\</title>"), "\(xml)")
        #expect(ExportFormat.dublinCore.render(record).contains("<dc:title>50% of {H_2O} &amp; &lt;salt&gt; #1 $5 ~ ^ \\</dc:title>"))
        #expect(XML.escape("a\"b'c\u{1}d\u{FFFF}e\tf") == "a&quot;b&apos;cde\tf")
    }

    @Test func bracesThatDoNotPairAreSpelledOut() {
        #expect(Citable.latex("a {b} c") == #"a \{b\} c"#)
        #expect(Citable.latex("} a {") == #"\textbraceright{} a \textbraceleft{}"#)
        #expect(Citable.latex("a\nb\tc") == "a b c")
        #expect(Citable.latex("a--b --- ``q'' !` ?` ,, -") == "a-{}-b -{}-{}- `{}`q'{}' !{}` ?{}` ,{}, -")
    }

    @Test func bibtexKeepsNamesWhole() throws {
        let record = try ExportRecord.sample(
            #"{"title": "t", "creators": [{"name": "van der Berg, Anna and Bob"}, {"name": "Smith and Sons"}, {"name": "a, b, c, d"}]}"#)
        #expect(ExportFormat.bibtex.render(record).contains("author = {van der Berg, Anna {and} Bob and {Smith and Sons} and {a, b, c, d}},"))
        let odd = try ExportRecord.sample(#"{"title": "t"}"#, doi: "10.5072/a b{c}\\d")
        let bibtex = ExportFormat.bibtex.render(odd)
        #expect(bibtex.contains("doi = {10.5072/a%20b%7Bc%7D%5Cd},"), "\(bibtex)")
    }

    /// Metadata of another schema: what cannot be read is left out, and what DataCite requires is still there.
    @Test func oddMetadataStillExports() throws {
        let record = try ExportRecord.sample(
            #"{"title": 3, "creators": "nobody", "publication_date": "2024-02-30", "keywords": [1, ""], "license": ["MIT"]}"#, minted: false, files: 0
        )
        let json = Exports.dataCite(record)
        #expect(json["titles"]?[0]?["title"] == .string("Untitled"))
        #expect(json["creators"]?[0]?["name"] == .string("(:unav)"))
        #expect(json["publicationYear"] == .string("2023"))
        #expect(json["dates"] == nil && json["subjects"] == nil && json["rightsList"] == nil && json["doi"] == nil)
        for metadata in ["[]", "null", "\"text\"", "{}", #"{"creators": [null, 1, {"name": {"a": 1}}]}"#] {
            let other = try ExportRecord.sample(metadata, minted: false, files: 0)
            for format in ExportFormat.allCases { #expect(!format.render(other).isEmpty) }
        }
    }

    @Test func valuesOffTheirVocabularyAreLeftOut() throws {
        let record = try ExportRecord.sample(
            #"""
            {"title": "t", "creators": [{"name": "A, B", "orcid": "https://orcid.org/0000-0002-1825-0097"}, {"name": "C, D", "orcid": "12"}],
            "license": "CC BY 4.0", "language": "English (UK)",
            "related_identifiers": [{"identifier": "10.1/x", "scheme": "DOI", "relation": "cites"}, {"identifier": "10.1/x", "scheme": "doi", "relation": "Cites"},
            {"identifier": "x", "scheme": "gnd", "relation": "Cites"}, {"identifier": "y", "scheme": "url", "relation": "Likes"}]}
            """#, minted: false)
        let json = Exports.dataCite(record)
        #expect(json["creators"]?[0]?["nameIdentifiers"]?[0]?["nameIdentifier"] == .string("0000-0002-1825-0097"))
        #expect(json["creators"]?[1]?["nameIdentifiers"] == nil && json["creators"]?[1]?["nameType"] == .string("Personal"))
        #expect(json["rightsList"] == .array([.object(["rights": .string("CC BY 4.0")])]))
        #expect(json["language"] == nil)
        #expect(
            json["relatedIdentifiers"]
                == .array([
                    .object(["relatedIdentifier": .string("10.1/x"), "relatedIdentifierType": .string("DOI"), "relationType": .string("Cites")])
                ]))
        let schemaOrg = try JSON(parsing: ExportFormat.schemaOrg.render(record))
        #expect(schemaOrg["license"] == .string("CC BY 4.0") && schemaOrg["creator"]?[0]?["@id"] == .string("https://orcid.org/0000-0002-1825-0097"))
        #expect(Citable.isLanguage("de-CH") && Citable.isLanguage("eng") && !Citable.isLanguage("en_US") && !Citable.isLanguage("ëng"))
        #expect(Citable.isSPDX("GPL-3.0-or-later") && Citable.isSPDX("LicenseRef-x.1+") && !Citable.isSPDX("-MIT") && !Citable.isSPDX("CC BY"))
    }

    @Test func controlCharactersAndSpaceAreCleaned() throws {
        let record = try ExportRecord.sample(#"{"title": "  Bell\u0007 tower\r\nof Pisa\u0000 ", "keywords": ["\u0002", " a ", "a"]}"#)
        let json = Exports.dataCite(record)
        #expect(json["titles"]?[0]?["title"] == .string("Bell tower\nof Pisa"))
        #expect(json["subjects"] == .array([.object(["subject": .string("a")])]))
    }

    @Test func unicodeStaysAsItIs() throws {
        let record = try ExportRecord.sample(#"{"title": "東京湾 🌊 מדידות Ἀρχιμήδης", "creators": [{"name": "山田, 太郎"}]}"#)
        #expect(Exports.dataCite(record)["titles"]?[0]?["title"] == .string("東京湾 🌊 מדידות Ἀρχιμήδης"))
        #expect(ExportFormat.dataCiteXML.render(record).contains("<familyName>山田</familyName>"))
        #expect(ExportFormat.bibtex.render(record).contains("title = {{東京湾 🌊 מדידות Ἀρχιμήδης}}"))
    }

    @Test func theCitationReadsAsOne() throws {
        #expect(
            Exports.citation(try .sample(ExportRecord.full))
                == "Lovelace, A., & Royal Society (2024). Tide gauges of the North Sea (Version 1.0) [Dataset]. Example Data. https://doi.org/10.5072/vellum.12"
        )
        #expect(
            Exports.citation(try .sample(#"{"title": "Two\nlines"}"#, minted: false))
                == "(2023). Two lines [Other]. Example Data. https://data.example.org/records/12")
    }

    @Test func everyFormatHasItsOwnNames() {
        #expect(Set(ExportFormat.allCases.map(\.fileExtension)).count == ExportFormat.allCases.count)
        #expect(Set(ExportFormat.allCases.map(\.mediaType)).count == ExportFormat.allCases.count)
        #expect(ExportFormat(rawValue: "datacite-xml") == .dataCiteXML && ExportFormat(rawValue: "json") == nil)
    }
}
