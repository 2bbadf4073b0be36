import Crypto
import NIOCore

/// A `BlobWriter` that also hashes, in order, every byte it passes on: a multipart part's bytes continuing the
/// upload's whole-file digests where the store cannot give them back before completion (S3).
actor HashingWriter: BlobWriter {
    private let writer: any BlobWriter
    private var md5: Insecure.MD5
    private var sha256: SHA256

    init(_ writer: any BlobWriter, continuing state: MultipartProgress.PrefixState) {
        self.writer = writer
        md5 = state.md5
        sha256 = state.sha256
    }

    func write(_ buffers: [ByteBuffer]) async throws {
        hash(buffers)
        try await writer.write(buffers)
    }

    func finish(writing last: [ByteBuffer]) async throws {
        hash(last)
        try await writer.finish(writing: last)
    }

    func abort() async { await writer.abort() }

    /// The digests' states after everything written.
    func states() -> (Insecure.MD5, SHA256) { (md5, sha256) }

    private func hash(_ buffers: [ByteBuffer]) {
        for buffer in buffers {
            buffer.withUnsafeReadableBytes {
                md5.update(bufferPointer: $0)
                sha256.update(bufferPointer: $0)
            }
        }
    }
}
