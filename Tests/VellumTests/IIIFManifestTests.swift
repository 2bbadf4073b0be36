import Foundation
import Testing

/// IIIF Presentation API 3.0 manifests (api.md §11) on a real daemon, read by PyPI's iiif-prezi3 models.
@Suite struct IIIFManifestTests {
    /// Validates `manifest` (JSON) with iiif-prezi3's `Manifest` model; the validation's error, if any.
    static func prezi3(_ manifest: String) async throws -> String? {
        guard let python = ProcessInfo.processInfo.environment["VELLUM_IIIF_PREZI3_PYTHON"] else {
            throw TestError("VELLUM_IIIF_PREZI3_PYTHON is not set: run the suite with ./scripts/test.sh")
        }
        let run = try await TestServer.execute(
            python, ["-c", "import json, sys; from iiif_prezi3 import Manifest; Manifest.model_validate(json.load(sys.stdin))"],
            input: manifest)
        return run.status == 0 ? nil : run.errors
    }

    @Test func aBucketsImagesInKeyOrderWithTheirServices() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let (python, _) = try IIIFTests.validator()
        let images = [("b.png", 300, 200), ("a/1.jpg", 120, 400), ("c.tif", 64, 64)]
        for (key, width, height) in images {
            let path = server.dataDir + "/upload"
            let made = try await TestServer.execute(
                python,
                [
                    "-c",
                    "from PIL import Image; Image.new('RGB', (\(width), \(height)), (200, 30, 30)).save('\(path)', format='\(key.split(separator: ".").last == "jpg" ? "JPEG" : key.hasSuffix("tif") ? "TIFF" : "PNG")')",
                ])
            #expect(made.status == 0, "\(made.errors)")
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(try await server.request(.PUT, "/files/\(bucket)/\(key)", body: bytes).status == 200)
        }
        #expect(try await server.request(.PUT, "/files/\(bucket)/notes.txt", body: Array("not an image".utf8)).status == 200)

        let url = "/iiif/v3/manifest/\(bucket)"
        let reply = try await server.request(.GET, url)
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.header("Content-Type") == #"application/ld+json;profile="http://iiif.io/api/presentation/3/context.json""#)
        #expect(reply.header("Access-Control-Allow-Origin") == "*")
        #expect(try await Self.prezi3(reply.text) == nil)
        let manifest = try reply.json()
        #expect(manifest["id"] as? String == server.baseURL + url)
        let canvases = manifest["items"] as? [[String: Any]] ?? []
        #expect(canvases.compactMap { ($0["label"] as? [String: [String]])?["none"]?.first } == ["a/1.jpg", "b.png", "c.tif"])
        for (canvas, (_, width, height)) in zip(canvases, images.sorted { $0.0 < $1.0 }) {
            #expect(canvas["width"] as? Int == width && canvas["height"] as? Int == height)
            let page = (canvas["items"] as? [[String: Any]])?.first
            let annotation = (page?["items"] as? [[String: Any]])?.first
            #expect(annotation?["target"] as? String == canvas["id"] as? String)
            let body = annotation?["body"] as? [String: Any]
            let service = ((body?["service"] as? [[String: Any]])?.first?["id"] as? String ?? "").replacingOccurrences(of: server.baseURL, with: "")
            // The image service the canvas names describes the same image, and draws it.
            let info = try await server.request(.GET, service + "/info.json").json()
            #expect(info["width"] as? Int == width && info["height"] as? Int == height)
            let thumbnail = ((canvas["thumbnail"] as? [[String: Any]])?.first?["id"] as? String ?? "").replacingOccurrences(
                of: server.baseURL, with: "")
            let drawn = try await server.request(.GET, thumbnail)
            #expect(drawn.status == 200 && drawn.header("Content-Type") == "image/jpeg", "\(thumbnail)")
        }
        // A key's `/` is escaped in its service's identifier.
        #expect(((canvases.first?["thumbnail"] as? [[String: Any]])?.first?["id"] as? String)?.contains(":a%2F1.jpg/") == true)

        // Revalidated by its entity tag; a preflight; nothing for those who may not read the bucket.
        let etag = try #require(reply.header("ETag"))
        #expect(try await server.request(.GET, url, headers: [("If-None-Match", etag)]).status == 304)
        #expect(try await server.request(.OPTIONS, url, token: nil).status == 204)
        let anonymous = try await server.request(.GET, url, token: nil)
        #expect(anonymous.status == 404 && anonymous.header("Access-Control-Allow-Origin") == "*")
        // A bucket without images has no manifest; the validator refuses a canvas whose width is not a number.
        let empty = try await server.createBucket()
        #expect(try await server.request(.GET, "/iiif/v3/manifest/\(empty)").status == 404)
        #expect(try await server.request(.GET, "/iiif/v3/manifest/not-a-bucket").status == 404)
        var broken = manifest
        var canvas = try #require(canvases.first)
        canvas["width"] = "wide"
        broken["items"] = [canvas]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: broken), as: UTF8.self)
        #expect(try await Self.prezi3(text) != nil)
    }

    /// A published record's manifest: its title, description, metadata, Creative Commons licence and citation,
    /// and canvases for the images the caller may read (none, a 404, when its files are restricted to others).
    @Test func aRecordsManifestCarriesItsMetadata() async throws {
        let server = try await TestServer()
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let (python, _) = try IIIFTests.validator()
        var records: [String] = []
        for files in ["public", "restricted"] {
            let draft = try await RecordLifecycleTests.draft(
                server, alice,
                [
                    "metadata": RecordLifecycleTests.metadata.merging([
                        "description": "Hourly sea levels.", "license": "CC-BY-4.0", "keywords": ["tides", "sea level"],
                    ]) { $1 },
                    "access": ["record": "public", "files": files],
                ])
            let path = server.dataDir + "/scan.png"
            let made = try await TestServer.execute(
                python, ["-c", "from PIL import Image; Image.new('RGB', (640, 480), (0, 90, 200)).save('\(path)')"])
            #expect(made.status == 0, "\(made.errors)")
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let bucket = RecordLifecycleTests.bucket(draft)
            #expect(try await server.request(.PUT, "/files/\(bucket)/scans/page-1.png", token: alice, body: bytes).status == 200)
            // A draft has no manifest.
            #expect(try await server.request(.GET, "/records/\(RecordLifecycleTests.id(draft))/manifest", token: alice).status == 404)
            try await RecordLifecycleTests.publish(server, draft, alice)
            records.append(RecordLifecycleTests.id(draft))
        }

        let url = "/records/\(records[0])/manifest"
        let reply = try await server.request(.GET, url, token: nil)
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.header("Access-Control-Allow-Origin") == "*")
        #expect(try await Self.prezi3(reply.text) == nil)
        let manifest = try reply.json()
        #expect(manifest["id"] as? String == "http://127.0.0.1:\(server.port)\(url)" || (manifest["id"] as? String)?.hasSuffix(url) == true)
        #expect((manifest["label"] as? [String: [String]])?["none"] == ["Tide gauges of the North Sea"])
        #expect((manifest["summary"] as? [String: [String]])?["none"] == ["Hourly sea levels."])
        #expect(manifest["rights"] as? String == "http://creativecommons.org/licenses/by/4.0/")
        let metadata = (manifest["metadata"] as? [[String: [String: [String]]]] ?? []).map {
            ($0["label"]?["none"]?.first ?? "", $0["value"]?["none"]?.first ?? "")
        }
        #expect(metadata.contains { $0 == ("Creators", "Ada Lovelace") } && metadata.contains { $0 == ("Keywords", "tides, sea level") })
        let statement = manifest["requiredStatement"] as? [String: [String: [String]]]
        #expect(
            statement?["label"]?["none"] == ["Attribution"] && statement?["value"]?["none"]?.first?.contains("Tide gauges of the North Sea") == true)
        #expect(((manifest["homepage"] as? [[String: Any]])?.first?["id"] as? String)?.hasSuffix("/records/\(records[0])") == true)
        let canvases = manifest["items"] as? [[String: Any]] ?? []
        #expect(canvases.count == 1 && canvases.first?["width"] as? Int == 640 && canvases.first?["height"] as? Int == 480)
        #expect(try await server.request(.OPTIONS, url, token: nil).status == 204)

        // Restricted files: their owner gets the manifest, others a 404 (with CORS).
        let restricted = "/records/\(records[1])/manifest"
        let hidden = try await server.request(.GET, restricted, token: nil)
        #expect(hidden.status == 404 && hidden.header("Access-Control-Allow-Origin") == "*")
        #expect(try await server.request(.GET, restricted, token: alice).status == 200)
        #expect(try await server.request(.GET, "/records/999999/manifest", token: nil).status == 404)
    }
}
