import Foundation
import HTTPTypes
import Hummingbird
import VellumCore

/// Invenio's safe-serving rules: a sanitised `Content-Type`, `Content-Disposition`, and headers that keep stored
/// HTML, SVG or scripts from ever running in a browser.
public enum DownloadHeaders {
    static let kept: Set<String> = [
        "audio/mpeg", "audio/ogg", "audio/wav", "audio/webm", "image/gif", "image/jpeg", "image/png", "image/tiff",
        "text/plain",
    ]
    static let asText: Set<String> = [
        "application/javascript", "application/json", "application/xhtml+xml", "application/xml", "text/css",
        "text/csv", "text/html", "image/svg+xml",
    ]

    /// The type a download is served with.
    public static func sanitisedType(_ mimetype: String?, key: String) -> String {
        let bare =
            mimetype.map { type in
                type.utf8.contains { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: " ") }
                    ? type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
                    : type.lowercased()
            } ?? ""
        if ObjectKey.basename(key).lowercased() == "readme" { return "text/plain" }
        if kept.contains(bare) { return bare }
        if asText.contains(bare) { return "text/plain" }
        return "application/octet-stream"
    }

    /// `attachment` when forced or for octet-stream, `inline` otherwise; non-ASCII names get RFC 6266 `filename*`.
    static func disposition(key: String, type: String, forceDownload: Bool) -> String {
        let kind = forceDownload || type == "application/octet-stream" ? "attachment" : "inline"
        let name = ObjectKey.basename(key)
        func plain(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\"
        }
        let ascii =
            name.unicodeScalars.allSatisfy(plain)
            ? name : String(name.decomposedStringWithCompatibilityMapping.unicodeScalars.filter(plain).map(Character.init))
        var value = "\(kind); filename=\"\(ascii)\""
        if ascii != name {
            let encoded = name.addingPercentEncoding(withAllowedCharacters: rfc5987) ?? ascii
            value += "; filename*=UTF-8''\(encoded)"
        }
        return value
    }

    static let rfc5987: CharacterSet = {
        var set = CharacterSet.asciiAlphanumerics
        set.insert(charactersIn: "!#$&+-.^_`|~")
        return set
    }()

    /// Headers common to every download response (200, 206, 304, 416).
    static func common(_ version: ObjectVersion, file: FileInstance, forceDownload: Bool) -> HTTPFields {
        let type = sanitisedType(version.mimetype, key: version.key)
        var headers = HTTPFields()
        headers.reserveCapacity(18)
        // Appended, not assigned: each field is new, and assignment searches the fields first.
        headers.append(HTTPField(name: .contentType, value: type))
        headers.append(
            HTTPField(name: .contentDisposition, value: disposition(key: version.key, type: type, forceDownload: forceDownload)))
        headers.append(HTTPField(name: .eTag, value: file.checksums.etag))
        headers.append(HTTPField(name: .lastModified, value: HTTPDate.string(version.created)))
        headers.append(HTTPField(name: .acceptRanges, value: "bytes"))
        headers.append(HTTPField(name: .cacheControl, value: "no-cache"))
        headers.append(HTTPField(name: .contentSecurityPolicy, value: "default-src 'none';"))
        headers.append(HTTPField(name: .xContentTypeOptions, value: "nosniff"))
        headers.append(HTTPField(name: .xDownloadOptions, value: "noopen"))
        headers.append(HTTPField(name: .xPermittedCrossDomainPolicies, value: "none"))
        headers.append(HTTPField(name: .xFrameOptions, value: "deny"))
        headers.append(HTTPField(name: .xXSSProtection, value: "1; mode=block"))
        headers.append(
            HTTPField(
                name: .reprDigest,
                value: "md5=:\(Checksums.base64(fromHex: file.checksums.md5)):, "
                    + "sha-256=:\(Checksums.base64(fromHex: file.checksums.sha256)):"))
        return headers
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let xDownloadOptions = Self("X-Download-Options")!
    static let xPermittedCrossDomainPolicies = Self("X-Permitted-Cross-Domain-Policies")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let xXSSProtection = Self("X-XSS-Protection")!
    public static let reprDigest = Self("Repr-Digest")!
    public static let digest = Self("Digest")!
    public static let contentMD5 = Self("Content-MD5")!
    public static let fileTags = Self("X-Invenio-File-Tags")!
    public static let copySource = Self("X-Vellum-Copy-Source")!
    public static let link = Self("Link")!
    public static let vellumCache = Self("X-Vellum-Cache")!
}

extension CharacterSet {
    /// A–Z, a–z, 0–9: the base of every percent-encoding set used here.
    public static let asciiAlphanumerics = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
}
