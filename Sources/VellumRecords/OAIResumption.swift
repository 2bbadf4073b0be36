import Crypto
import Foundation
import JSONSchema

/// A resumption token (api.md §10): the list request's arguments and the last id sent, signed. It keeps nothing on
/// the server, so it never expires and outlives restarts; the signature turns away tokens that were not issued.
public struct OAIResumption: Sendable, Equatable {
    public var verb: String
    public var metadataPrefix: String?
    public var set: String?
    public var from: Date?
    /// Exclusive.
    public var until: Date?
    /// The last id sent.
    public var after: Int64
    /// Items sent before the next page.
    public var cursor: Int
    /// The list's size when it started.
    public var total: Int

    public init(
        verb: String, metadataPrefix: String?, set: String?, from: Date?, until: Date?, after: Int64, cursor: Int, total: Int
    ) {
        self.verb = verb
        self.metadataPrefix = metadataPrefix
        self.set = set
        self.from = from
        self.until = until
        self.after = after
        self.cursor = cursor
        self.total = total
    }

    /// `base64url(JSON).base64url(HMAC-SHA256)`.
    public func token(key: [UInt8]) -> String {
        var fields: [String: JSON] = [
            "v": .string(verb), "a": .string(String(after)), "c": .number(Double(cursor)), "t": .number(Double(total)),
        ]
        if let metadataPrefix { fields["m"] = .string(metadataPrefix) }
        if let set { fields["s"] = .string(set) }
        if let from { fields["f"] = .string(String(from.oaiMicros)) }
        if let until { fields["u"] = .string(String(until.oaiMicros)) }
        let body = Data(JSON.object(fields).serialized(sortedKeys: true).utf8)
        return body.base64url + "." + Data(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key))).base64url
    }

    /// The token's contents, if this site signed it.
    public init?(token: String, key: [UInt8]) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.count <= 4096, parts.count == 2, let body = Data(base64url: parts[0]), let mac = Data(base64url: parts[1]),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: key)),
            let json = try? JSON(parsing: Array(body)), let verb = json["v"]?.stringValue, let after = json["a"]?.stringValue.flatMap({ Int64($0) }),
            let cursor = json["c"]?.numberValue, let total = json["t"]?.numberValue
        else { return nil }
        let date = { (name: String) in json[name]?.stringValue.flatMap { Int64($0) }.map { Date(timeIntervalSince1970: Double($0) / 1e6) } }
        self.init(
            verb: verb, metadataPrefix: json["m"]?.stringValue, set: json["s"]?.stringValue, from: date("f"), until: date("u"),
            after: after, cursor: Int(cursor), total: Int(total))
    }
}

extension Date {
    var oaiMicros: Int64 { Int64((timeIntervalSince1970 * 1e6).rounded()) }
}
