import Foundation
import Testing
import VellumCore
@testable import VellumHTTP

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

    @Test func httpDatesRoundTrip() {
        let date = Date(timeIntervalSince1970: 784_111_777)
        #expect(HTTPDate.string(date) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == date)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
    }

    @Test func sanitisesTypes() {
        #expect(DownloadHeaders.sanitisedType("text/html; charset=utf-8", key: "a.html") == "text/plain")
        #expect(DownloadHeaders.sanitisedType("image/jpeg", key: "a.jpg") == "image/jpeg")
        #expect(DownloadHeaders.sanitisedType("application/pdf", key: "a.pdf") == "application/octet-stream")
        #expect(DownloadHeaders.sanitisedType("application/octet-stream", key: "dir/README") == "text/plain")
        #expect(DownloadHeaders.sanitisedType(nil, key: "x") == "application/octet-stream")
    }
}
