extension Citable {
    /// "Lovelace, A., & Babbage, C. (2024). Title (Version 1.0) [Dataset]. Publisher. https://doi.org/…": APA's
    /// order, with DataCite's resource type.
    var citation: String {
        func short(_ creator: Creator) -> String {
            guard let family = creator.family, let given = creator.given else { return creator.name }
            let initials = given.split(separator: " ").compactMap(\.first).map { "\($0)." }.joined(separator: " ")
            return "\(family), \(initials)"
        }
        let names = creators.map(short)
        let who: String
        switch names.count {
        case 0: who = ""
        case 1: who = names[0] + " "
        default: who = names.dropLast().joined(separator: ", ") + ", & " + names[names.count - 1] + " "
        }
        let version = self.version.map { " (Version \($0))" } ?? ""
        let line = "\(who)(\(year)). \(title)\(version) [\(resourceType.dataCite)]. \(publisher). \(link)"
        return line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
