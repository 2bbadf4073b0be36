extension Citable {
    /// A BibTeX `@misc` entry (keyed `vellum_{id}`, `vellum_{id}_concept` for a concept); values in braces, LaTeX's
    /// special characters escaped, the title braced again so that styles keep its case, persons as "Family, Given"
    /// and other names (and names of more than three parts) braced whole, so that neither a comma nor an "and" in
    /// them splits them.
    var bibtex: String {
        var fields: [(String, String)] = [("title", "{\(Self.latex(title))}")]
        if !creators.isEmpty {
            let names = creators.map { creator in
                creator.isPerson == true && creator.name.count(where: { $0 == "," }) <= 2
                    ? Self.protectingAnd(Self.latex(creator.name)) : "{\(Self.latex(creator.name))}"
            }
            fields.append(("author", names.joined(separator: " and ")))
        }
        fields.append(("year", year))
        if let date, date.count >= 7 { fields.append(("month", String(Int(date.dropFirst(5).prefix(2)) ?? 1))) }
        fields.append(("publisher", Self.latex(publisher)))
        if let version { fields.append(("version", Self.latex(version))) }
        if let doi { fields.append(("doi", Self.verbatim(doi))) }
        fields.append(("url", Self.verbatim(link)))
        if !keywords.isEmpty { fields.append(("keywords", Self.latex(keywords.joined(separator: ", ")))) }
        if let language { fields.append(("language", language)) }
        fields.append(("howpublished", Self.latex(resourceType.dataCite)))
        let key = "vellum_\(record.id)" + (record.isConcept ? "_concept" : "")
        return "@misc{\(key),\n" + fields.map { "  \($0.0) = {\($0.1)}" }.joined(separator: ",\n") + "\n}\n"
    }

    /// The text with LaTeX's special characters escaped (`\ % $ & # _ ~ ^ < >`, and braces: `\{` and `\}` when they
    /// pair up, `\textbraceleft{}` and `\textbraceright{}` when they do not, as BibTeX counts even escaped braces),
    /// the ligatures of TeX's fonts broken (`--`, `''`, `!``, …: a `{}` between the two), and line breaks as spaces.
    static func latex(_ text: String) -> String {
        var depth = 0
        var paired = true
        for character in text where character == "{" || character == "}" {
            depth += character == "{" ? 1 : -1
            if depth < 0 { paired = false }
        }
        paired = paired && depth == 0
        var out = ""
        var previous: Character?
        for character in text {
            if let previous, character == "`" ? "!?`".contains(previous) : "-',".contains(character) && character == previous { out += "{}" }
            previous = character
            switch character {
            case "\\": out += "\\textbackslash{}"
            case "{": out += paired ? "\\{" : "\\textbraceleft{}"
            case "}": out += paired ? "\\}" : "\\textbraceright{}"
            case "%", "$", "&", "#", "_": out += "\\\(character)"
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "<": out += "\\textless{}"
            case ">": out += "\\textgreater{}"
            case "\n", "\r", "\t", "\r\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    /// A DOI or URL as it is (biblatex reads `doi` and `url` verbatim), but for braces, backslashes and white space,
    /// which BibTeX cannot hold there: percent-encoded.
    static func verbatim(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "{": out += "%7B"
            case "}": out += "%7D"
            case "\\": out += "%5C"
            default: out += character.isWhitespace ? "%20" : String(character)
            }
        }
        return out
    }

    /// A person's name with every word "and" braced, which BibTeX would otherwise read as between two names.
    static func protectingAnd(_ name: String) -> String {
        name.split(separator: " ", omittingEmptySubsequences: false).map { $0.lowercased() == "and" ? "{\($0)}" : String($0) }
            .joined(separator: " ")
    }
}
