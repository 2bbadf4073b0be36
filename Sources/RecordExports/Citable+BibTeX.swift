extension Citable {
    /// A BibTeX `@misc` entry (keyed `vellum_{id}`); values in braces, LaTeX's special characters escaped, the title
    /// braced again so that styles keep its case.
    var bibtex: String {
        func value(_ text: String) -> String {
            var out = ""
            for character in text {
                switch character {
                case "\\": out += "\\textbackslash{}"
                case "{", "}", "%", "$", "&", "#", "_": out += "\\\(character)"
                case "~": out += "\\textasciitilde{}"
                case "^": out += "\\textasciicircum{}"
                case "\n", "\r", "\t": out += " "
                default: out.append(character)
                }
            }
            return out
        }
        var fields: [(String, String)] = [("title", "{\(value(title))}")]
        if !creators.isEmpty {
            fields.append(
                (
                    "author",
                    creators.map { creator in creator.isPerson == true ? value(creator.name) : "{\(value(creator.name))}" }.joined(separator: " and ")
                ))
        }
        fields.append(("year", year))
        if let date, date.count >= 7 { fields.append(("month", String(Int(date.dropFirst(5).prefix(2)) ?? 1))) }
        fields.append(("publisher", value(record.publisher)))
        if let version { fields.append(("version", value(version))) }
        if let doi { fields.append(("doi", value(doi))) }
        fields.append(("url", value(link)))
        if !keywords.isEmpty { fields.append(("keywords", value(keywords.joined(separator: ", ")))) }
        fields.append(("howpublished", value(resourceType.dataCite)))
        let key = "vellum_\(record.id)" + (record.isConcept ? "_concept" : "")
        return "@misc{\(key),\n" + fields.map { "  \($0.0) = {\($0.1)}" }.joined(separator: ",\n") + "\n}\n"
    }
}
