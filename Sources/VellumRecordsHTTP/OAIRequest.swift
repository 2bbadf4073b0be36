import Foundation
import VellumRecords

/// An OAI-PMH error: its code (`badArgument`, …) and what to tell the harvester. Answered with HTTP 200.
struct OAIError: Error, Equatable {
    var code: String
    var message: String

    init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// An OAI-PMH request's verb and arguments, checked against the verb's rules (OAI-PMH 2.0 §3.1, §4).
struct OAIRequest: Equatable {
    enum Verb: String, CaseIterable {
        case identify = "Identify"
        case listMetadataFormats = "ListMetadataFormats"
        case listSets = "ListSets"
        case getRecord = "GetRecord"
        case listIdentifiers = "ListIdentifiers"
        case listRecords = "ListRecords"

        /// Arguments the verb requires, may have, and may have alone (`resumptionToken`).
        var rules: (required: [String], optional: [String], exclusive: String?) {
            switch self {
            case .identify: ([], [], nil)
            case .listMetadataFormats: ([], ["identifier"], nil)
            case .listSets: ([], [], "resumptionToken")
            case .getRecord: (["identifier", "metadataPrefix"], [], nil)
            case .listIdentifiers, .listRecords: (["metadataPrefix"], ["from", "until", "set"], "resumptionToken")
            }
        }
    }

    var verb: Verb
    var arguments: [String: String]

    init(_ pairs: [(String, String)]) throws(OAIError) {
        let verbs = pairs.filter { $0.0 == "verb" }.map(\.1)
        guard verbs.count == 1 else {
            throw OAIError("badVerb", verbs.isEmpty ? "The request has no verb." : "The verb is given more than once.")
        }
        guard let verb = Verb(rawValue: verbs[0]) else {
            throw OAIError("badVerb", "'\(verbs[0])' is not an OAI-PMH verb: \(Verb.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        var arguments: [String: String] = [:]
        let rules = verb.rules
        let known = Set(rules.required + rules.optional + (rules.exclusive.map { [$0] } ?? []))
        for (name, value) in pairs where name != "verb" {
            guard known.contains(name) else { throw OAIError("badArgument", "\(verb.rawValue) takes no argument '\(name)'.") }
            guard arguments[name] == nil else { throw OAIError("badArgument", "The argument '\(name)' is given more than once.") }
            arguments[name] = value
        }
        if let exclusive = rules.exclusive, arguments[exclusive] != nil {
            guard arguments.count == 1 else { throw OAIError("badArgument", "\(exclusive) must be the only argument besides the verb.") }
        } else if let missing = rules.required.first(where: { arguments[$0] == nil }) {
            throw OAIError("badArgument", "\(verb.rawValue) needs the argument '\(missing)'.")
        }
        // Values the answer echoes must fit OAI-PMH.xsd's types; anything else is a malformed argument.
        if let prefix = arguments["metadataPrefix"], !Self.fits(prefix, RecordsService.oaiNameCharacters) {
            throw OAIError("badArgument", "'\(prefix)' is not a metadataPrefix: letters, digits and -_.!~*'().")
        }
        if let set = arguments["set"], !RecordsService.isSetSpec(set) {
            throw OAIError("badArgument", "'\(set)' is not a setSpec: letters, digits and -_.!~*'(), parts joined by ':'.")
        }
        if let identifier = arguments["identifier"], !Self.fits(identifier, Self.uriCharacters) {
            throw OAIError("badArgument", "'\(identifier)' is not an identifier: a URI, such as oai:example.org:12.")
        }
        self.verb = verb
        self.arguments = arguments
    }

    /// RFC 3986's characters (unreserved, reserved, and `%` of an escape).
    static let uriCharacters = RecordsService.oaiNameCharacters.union(":/?#[]@$&+,;=%".unicodeScalars)

    static func fits(_ value: String, _ allowed: Set<Unicode.Scalar>) -> Bool {
        !value.isEmpty && value.unicodeScalars.allSatisfy(allowed.contains)
    }

    /// A `from` or `until` value: a day (`2024-05-01`) or a second (`2024-05-01T12:00:00Z`), in UTC; the instant it
    /// starts, and the one after its end.
    static func datestamp(_ text: String, name: String) throws(OAIError) -> (start: Date, end: Date, seconds: Bool) {
        let day = text.count == 10
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = day ? [.withFullDate] : [.withInternetDateTime]
        // Only a value that reads back the same is taken (the formatter rolls 2024-02-30 over to March).
        guard let date = formatter.date(from: text), formatter.string(from: date) == text else {
            throw OAIError("badArgument", "\(name) must be a day (YYYY-MM-DD) or a second (YYYY-MM-DDThh:mm:ssZ), in UTC: '\(text)' is not.")
        }
        return (date, date.addingTimeInterval(day ? 86_400 : 1), !day)
    }
}
