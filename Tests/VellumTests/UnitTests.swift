import Foundation
import Testing
import VellumCore

@testable import VellumHTTP
@testable import VellumHTTPSupport

@Suite struct RangeParsingTests {
    @Test func parsesRanges() {
        #expect(ByteRanges(header: nil, size: 10) == .ignore)
        #expect(ByteRanges(header: "bytes=0-0", size: 10) == .ranges([0..<1]))
        #expect(ByteRanges(header: "bytes=-3", size: 10) == .ranges([7..<10]))
        #expect(ByteRanges(header: "bytes=8-", size: 10) == .ranges([8..<10]))
        #expect(ByteRanges(header: "bytes=0-1,4-5", size: 10) == .ranges([0..<2, 4..<6]))
        #expect(ByteRanges(header: "bytes=10-", size: 10) == .unsatisfiable)
        #expect(ByteRanges(header: "bytes=-0", size: 10) == .unsatisfiable)
        #expect(ByteRanges(header: "bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRanges(header: "bytes=3-2", size: 10) == .ignore)
        #expect(ByteRanges(header: "bytes=+1-2", size: 10) == .ignore)
        #expect(ByteRanges(header: "bytes=" + Array(repeating: "0-1", count: 101).joined(separator: ","), size: 10) == .ignore)
    }

    @Test func coalescesOverlappingAndAdjacentRanges() {
        #expect(ByteRanges(header: "bytes=" + Array(repeating: "0-", count: 100).joined(separator: ","), size: 10) == .ranges([0..<10]))
        #expect(ByteRanges(header: "bytes=4-5,0-1,2-3", size: 10) == .ranges([0..<6]))
        #expect(ByteRanges(header: "bytes=6-8,0-1,-3", size: 10) == .ranges([0..<2, 6..<10]))
        #expect(ByteRanges(header: "bytes=0-4,2-3", size: 10) == .ranges([0..<5]))
    }

    @Test func httpDatesRoundTrip() {
        let date = Date(timeIntervalSince1970: 784_111_777)
        #expect(HTTPDate.string(date) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == date)
        // The two obsolete forms RFC 9110 requires recipients to accept.
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == date)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == date)
        #expect(HTTPDate.parse("Thu, 29 Feb 2024 23:59:60 GMT") == Date(timeIntervalSince1970: 1_709_251_200))
        // Years below 1000 keep their four digits, and parse back.
        let early = Date(timeIntervalSince1970: -60_591_369_600)
        #expect(HTTPDate.string(early) == "Wed, 08 Dec 0049 00:00:00 GMT")
        #expect(HTTPDate.parse(HTTPDate.string(early)) == early)
    }

    @Test func outOfRangeDatesAreNotDates() {
        for text in [
            "Sun, 01 Jan -2147483648 00:00:00 GMT", "Sun, 01 Jan 2147483648 00:00:00 GMT", "Sun, 01 Jan 99999 00:00:00 GMT",
            "Sun, 01 Jan 0000 00:00:00 GMT", "Sun, 32 Jan 2020 00:00:00 GMT", "Sun, 29 Feb 2023 00:00:00 GMT",
            "Sun, 01 Foo 2020 00:00:00 GMT", "Sun, 01 Jan 2020 24:00:00 GMT", "Sun, 01 Jan 2020 00:60:00 GMT",
            "Sun, 01 Jan 2020 00:00:00 UTC", "Sun, -1 Jan 2020 00:00:00 GMT", "Sun, 01 Jan 2020 -0:00:00 GMT",
            "Sun, 01 Jan 2020 00:00 GMT", "Sun, 01 Jan 2020 00:00:00:00 GMT", "Sunday, 01-Jan-+9 00:00:00 GMT",
            "Sun Jan 99 00:00:00 2020", "Sun Jan  1 00:00:00 -2020", "", "GMT", "Sun, 01 Jan ２０２０ 00:00:00 GMT",
        ] {
            #expect(HTTPDate.parse(text) == nil, "\(text)")
        }
    }

    @Test func sanitisesTypes() {
        #expect(DownloadHeaders.sanitisedType("text/html; charset=utf-8", key: "a.html") == "text/plain")
        #expect(DownloadHeaders.sanitisedType("image/jpeg", key: "a.jpg") == "image/jpeg")
        #expect(DownloadHeaders.sanitisedType("application/pdf", key: "a.pdf") == "application/octet-stream")
        #expect(DownloadHeaders.sanitisedType("application/octet-stream", key: "dir/README") == "text/plain")
        #expect(DownloadHeaders.sanitisedType(nil, key: "x") == "application/octet-stream")
    }
}
