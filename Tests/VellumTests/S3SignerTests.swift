import Crypto
import Foundation
import Testing

@testable import S3Storage

/// Signature Version 4 against the examples of AWS's documentation
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html and sigv4-query-string-auth.html).
@Suite struct S3SignerTests {
    let signer = S3Signer(
        credentials: .init(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    let host = ("host", "examplebucket.s3.amazonaws.com")

    func signature(_ headers: [(String, String)]) -> String? {
        headers.first { $0.0 == "Authorization" }?.1.components(separatedBy: "Signature=").last
    }

    @Test func getObjectWithRange() {
        let headers = signer.sign(
            method: "GET", path: "/test.txt", headers: [host, ("Range", "bytes=0-9")], payloadHash: S3Signer.emptyPayload,
            date: date)
        #expect(headers.first { $0.0 == "x-amz-date" }?.1 == "20130524T000000Z")
        #expect(
            headers.first { $0.0 == "Authorization" }?.1
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObjectWithAnEncodedKey() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let headers = signer.sign(
            method: "PUT", path: "/test$file.text",
            headers: [host, ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: S3Signer.hex(SHA256Digest.of(body)), date: date)
        #expect(signature(headers) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func bucketQueries() {
        let lifecycle = signer.sign(
            method: "GET", path: "/", query: [("lifecycle", "")], headers: [host], payloadHash: S3Signer.emptyPayload,
            date: date)
        #expect(signature(lifecycle) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
        let list = signer.sign(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [host],
            payloadHash: S3Signer.emptyPayload, date: date)
        #expect(signature(list) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func presignedGet() {
        let query = signer.presignedQuery(method: "GET", path: "/test.txt", host: host.1, expires: 86400, date: date)
        #expect(
            query
                == "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func encoding() {
        #expect(S3URIEncoding.path("/a b/ü+é~._-/x") == "/a%20b/%C3%BC%2B%C3%A9~._-/x")
        #expect(S3URIEncoding.component("a/b=c&d") == "a%2Fb%3Dc%26d")
    }
}

/// SHA-256 of bytes, for the test (the signer takes the payload hash as text).
enum SHA256Digest {
    static func of(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = Crypto.SHA256()
        hasher.update(data: bytes)
        return Array(hasher.finalize())
    }
}

/// S3 location URIs (api.md §1) and the addresses they give.
@Suite struct S3LocationTests {
    @Test func pathStyleWithAnEndpoint() throws {
        let location = try S3Location(uri: "s3://archive/vellum/blobs?endpoint=http://127.0.0.1:9000&region=eu-west-1")
        #expect(location.bucket == "archive" && location.prefix == "vellum/blobs/" && location.region == "eu-west-1")
        #expect(!location.virtualHost && !location.redirectDownloads)
        let address = location.address(key: "ab/a b")
        #expect(address.url == "http://127.0.0.1:9000/archive/vellum/blobs/ab/a%20b")
        #expect(address.host == "127.0.0.1:9000" && address.path == "/archive/vellum/blobs/ab/a b")
        #expect(location.address(key: "").url == "http://127.0.0.1:9000/archive/")
    }

    @Test func virtualHostsAndAWS() throws {
        let minio = try S3Location(uri: "s3://data?endpoint=https://minio.example.org&virtual_host=true&redirect_downloads=true")
        #expect(minio.address(key: "k").url == "https://data.minio.example.org/k" && minio.redirectDownloads)
        let aws = try S3Location(uri: "s3://data?region=us-west-2")
        #expect(aws.address(key: "k") == ("https://data.s3.us-west-2.amazonaws.com/k", "data.s3.us-west-2.amazonaws.com", "/k"))
    }

    @Test func badURIs() {
        for uri in [
            "file:///x", "s3://", "s3://key:secret@bucket", "s3://b?endpoint=ftp://x", "s3://b?endpoint=nohost",
            "s3://b?colour=blue",
        ] {
            #expect(throws: S3LocationError.self, "\(uri)") { try S3Location(uri: uri) }
        }
    }
}
