import Foundation
import Hummingbird
import VellumCore

#if canImport(Glibc)
    import Glibc
#endif

/// Conditional request evaluation (RFC 9110 §13.2.2) against a strong ETag and a modification time.
enum Preconditions {
    enum Outcome: Equatable {
        case proceed
        case notModified
        case failed
    }

    static func evaluate(_ headers: HTTPFields, etag: String, lastModified: Date, isGetOrHead: Bool) -> Outcome {
        if let ifMatch = headers[.ifMatch] {
            if !WriteCondition.matches(ifMatch, etag: etag, weak: false) { return .failed }
        } else if let since = headers[.ifUnmodifiedSince].flatMap(HTTPDate.parse), floor(lastModified) > since {
            return .failed
        }
        if let ifNoneMatch = headers[.ifNoneMatch] {
            if WriteCondition.matches(ifNoneMatch, etag: etag, weak: true) { return isGetOrHead ? .notModified : .failed }
        } else if isGetOrHead, let since = headers[.ifModifiedSince].flatMap(HTTPDate.parse),
            floor(lastModified) <= since
        {
            return .notModified
        }
        return .proceed
    }

    /// Whether `If-Range` allows serving a range: a strong ETag match, or an exact HTTP-date match.
    static func ifRangeAllows(_ headers: HTTPFields, etag: String, lastModified: Date) -> Bool {
        guard let value = headers[.ifRange]?.trimmingCharacters(in: .whitespaces) else { return true }
        if value.hasPrefix("\"") || value.hasPrefix("W/") { return value == etag }
        return HTTPDate.parse(value) == floor(lastModified)
    }

    private static func floor(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
