import CMD5Lanes
import NIOCore
import Synchronization
import Testing
import VellumCore

/// `MD5Lanes` against swift-crypto's MD5 (BoringSSL): every vector width, lengths around every block boundary,
/// streams of different lengths in one call, and chunks split anywhere.
@Suite struct MD5LanesTests {
    /// Hashes `streams` in calls of `md5lanes_update` over all of them at once, each call adding the next `chunk(i)`
    /// bytes of stream i; returns the hex digests.
    func laneDigests(_ streams: [[UInt8]], chunk: (Int) -> Int) -> [String] {
        let contexts = streams.map { _ in UnsafeMutablePointer<md5lanes_ctx>.allocate(capacity: 1) }
        defer { for context in contexts { context.deallocate() } }
        for context in contexts { md5lanes_init(context) }
        var offsets = streams.map { _ in 0 }
        while zip(offsets, streams).contains(where: { $0 < $1.count }) {
            var data: [UnsafePointer<UInt8>?] = []
            var lengths: [Int] = []
            var copies: [[UInt8]] = []  // each call's bytes, alive until it returns
            for (i, stream) in streams.enumerated() {
                let end = min(offsets[i] + chunk(i), stream.count)
                copies.append(Array(stream[offsets[i]..<end]))
                lengths.append(end - offsets[i])
                offsets[i] = end
            }
            for copy in copies { data.append(copy.withUnsafeBufferPointer { $0.baseAddress }) }
            withExtendedLifetime(copies) {
                md5lanes_update(contexts.map(Optional.some), data, lengths, Int32(streams.count))
            }
        }
        return contexts.map { context in
            var digest = [UInt8](repeating: 0, count: 16)
            md5lanes_final(context, &digest)
            return digest.hexString
        }
    }

    @Test func everyLengthOfOneStream() {
        for length in 0..<300 {
            let bytes = Fixtures.bytes(length, seed: UInt8(length % 251))
            #expect(laneDigests([bytes]) { _ in 1 + length / 3 } == [Fixtures.md5(bytes)], "length \(length)")
        }
    }

    /// 2 to 16 streams in one call, with lengths and chunk sizes that differ between streams, so lanes drop out and
    /// buffered partial blocks carry over; with every vector width this CPU has (16 lanes: AVX-512, 8: AVX2, 1).
    @Test func streamsSideBySide() {
        defer { md5lanes_limit_width(MD5LANES_MAX) }
        for width in [16, 8, 1] where width <= md5lanes_width() {
            md5lanes_limit_width(Int32(width))
            for count in [2, 3, 8, 9, 16] {
                let streams = (0..<count).map { Fixtures.bytes(20_000 + 4_099 * $0, seed: UInt8($0)) }
                let expected = streams.map(Fixtures.md5)
                #expect(laneDigests(streams) { _ in 4_096 } == expected, "\(count) streams, width \(width)")
                #expect(laneDigests(streams) { 1_000 + 61 * $0 } == expected, "\(count) streams, width \(width)")
            }
        }
    }

    /// Concurrent tasks through the shared batcher, as fixity uses it.
    @Test func concurrentStreamsThroughTheBatcher() async {
        await withTaskGroup(of: Void.self) { group in
            for s in 0..<24 {
                group.addTask {
                    let bytes = Fixtures.bytes(50_000 + 997 * s, seed: UInt8(s))
                    let stream = MD5Lanes.Stream()
                    var offset = 0
                    while offset < bytes.count {
                        let end = min(offset + 4_096 + s, bytes.count)
                        await MD5Lanes.shared.update(stream, with: ByteBuffer(bytes: bytes[offset..<end]))
                        offset = end
                    }
                    #expect(stream.finalize() == Fixtures.md5(bytes), "stream \(s)")
                }
            }
        }
    }

    /// A batch waits for every stream's next chunk, but not for long: streams that stall (here: never send one)
    /// delay the others, never stop them.
    @Test func aStalledStreamDoesNotStopTheOthers() async throws {
        let lanes = MD5Lanes()
        let stalled = (0..<System.coreCount + 1).map { _ in MD5Lanes.Stream(lanes) }
        let bytes = Fixtures.bytes(100_000)
        // In a task of its own, so that the test fails rather than hangs if it never finishes.
        let digest = Mutex<String?>(nil)
        Task {
            let stream = MD5Lanes.Stream(lanes)
            for offset in stride(from: 0, to: bytes.count, by: 25_000) {
                await lanes.update(stream, with: ByteBuffer(bytes: bytes[offset..<offset + 25_000]))
            }
            digest.withLock { $0 = stream.finalize() }
        }
        // Four chunks wait 50 ms each; the deadline is generous because the whole suite shares two cores.
        let deadline = ContinuousClock.now + .seconds(120)
        while digest.withLock({ $0 }) == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(digest.withLock { $0 } == Fixtures.md5(bytes))
        withExtendedLifetime(stalled) {}
    }
}
