import Foundation
import Testing

@testable import IIIFGrammar

/// The IIIF request grammar, resolution against an image, and canonical forms (spec sections 4 and 4.7).
@Suite struct IIIFGrammarTests {
    let limits = Limits(maxWidth: 5000, maxHeight: 5000, maxArea: 10_000_000)

    func refusal(_ body: () throws -> Void) -> IIIFReason? {
        do {
            try body()
            return nil
        } catch let error as IIIFError {
            return error.reason
        } catch {
            return .failure
        }
    }

    @Test func regions() throws {
        #expect(try Region("full").resolve(width: 300, height: 200) == PixelRect(x: 0, y: 0, width: 300, height: 200))
        #expect(try Region("square").resolve(width: 300, height: 200) == PixelRect(x: 50, y: 0, width: 200, height: 200))
        // Cut at the edges (the spec's own example).
        #expect(
            try Region("125,15,200,200").resolve(width: 300, height: 200)
                == PixelRect(x: 125, y: 15, width: 175, height: 185))
        #expect(
            try Region("pct:10,20,50,50").resolve(width: 1000, height: 500)
                == PixelRect(x: 100, y: 100, width: 500, height: 250))
        for bad in ["", "0,0,0,10", "300,0,10,10", "0,200,10,10", "1,2,3", "-1,0,5,5", "a,b,c,d", "pct:0,0,0,5", "pct:.5,0,5,5"] {
            #expect(refusal { _ = try Region(Substring(bad)).resolve(width: 300, height: 200) } == .invalidRequest, "\(bad)")
        }
    }

    @Test func sizes() throws {
        func size(_ text: String, _ version: IIIFVersion, region: (Int, Int) = (1000, 500)) throws -> [Int] {
            let s = try Size(Substring(text), version: version)
            let r = try s.resolve(width: region.0, height: region.1, limits: limits, version: version)
            return [r.width, r.height]
        }
        #expect(try size("full", .v2) == [1000, 500])
        #expect(try size("max", .v3) == [1000, 500])
        #expect(try size("200,", .v3) == [200, 100])
        #expect(try size(",100", .v3) == [200, 100])
        #expect(try size("pct:50", .v3) == [500, 250])
        #expect(try size("300,300", .v3) == [300, 300])
        #expect(try size("!300,300", .v3) == [300, 150])
        #expect(try size("2000,", .v2) == [2000, 1000])  // 2.1 enlarges freely
        #expect(try size("^2000,", .v3) == [2000, 1000])
        #expect(try size("max", .v3, region: (8000, 8000)) == [3162, 3162])  // scaled down to maxArea
        #expect(try size("^max", .v3) == [4472, 2236])
        for bad in ["2000,", ",600", "pct:101", "!3000,1000", "full", "0,", "pct:0", "1,2,3", "^", "!100,", "w,h", "10000,"] {
            #expect(refusal { _ = try size(bad, .v3) } == .invalidRequest, "\(bad)")
        }
        #expect(refusal { _ = try size("^200,", .v2) } == .invalidRequest)
        #expect(refusal { _ = try size("6000,", .v2) } == .invalidRequest)  // over maxWidth
    }

    @Test func rotationsQualitiesFormats() throws {
        #expect(try Rotation("!90") == Rotation(mirror: true, degrees: 90))
        #expect(try Rotation("22.5").canonical == "22.5")
        #expect(try Rotation("360").degrees == 0)
        #expect(try Rotation("90.0").canonical == "90")
        // Angles are kept to the ten decimals of the canonical form, which then always parses back.
        #expect(try Rotation("0.000000000001").canonical == "0")
        #expect(try Rotation("359.99999999999").canonical == "0")
        #expect(try Rotation("0.00000000005").canonical == "0.0000000001")
        for bad in ["361", "-5", ".5", "5.", "!", "ninety", "1e2", "+5"] {
            #expect(refusal { _ = try Rotation(Substring(bad)) } == .invalidRequest, "\(bad)")
        }
        #expect(refusal { _ = try Quality("grey") } == .invalidRequest)
        #expect(refusal { _ = try ImageFormat("bmp") } == .invalidRequest)
        #expect(try ImageFormat("pdf") == .pdf)  // valid IIIF; the renderer answers 501
    }

    @Test func plansAndCanonicalForms() throws {
        let request = try ImageRequest(region: "full", size: "500,", rotation: "!0", file: "default.png", version: .v2)
        let plan = try request.plan(width: 1000, height: 500, limits: limits, version: .v2)
        #expect(plan.region == PixelRect(x: 0, y: 0, width: 1000, height: 500))
        #expect((plan.width, plan.height) == (500, 250))
        #expect(plan.canonical == "full/500,/!0/default.png")
        let v3 = try ImageRequest(region: "0,0,1000,500", size: "max", rotation: "0", file: "gray.jpg", version: .v3)
        #expect(try v3.plan(width: 1000, height: 500, limits: limits, version: .v3).canonical == "full/max/0/gray.jpg")
        let tile = try ImageRequest(region: "512,0,256,256", size: "128,", rotation: "0", file: "default.jpg", version: .v3)
        #expect(try tile.plan(width: 1000, height: 500, limits: limits, version: .v3).canonical == "512,0,256,256/128,128/0/default.jpg")
        #expect(refusal { _ = try ImageRequest(region: "full", size: "max", rotation: "0", file: "default", version: .v3) } == .invalidRequest)
    }

    @Test func identifiers() {
        let bucket = UUID()
        let version = UUID()
        #expect(IIIFIdentifier("\(bucket):a/b.png") == IIIFIdentifier(bucketID: bucket, key: "a/b.png"))
        #expect(
            IIIFIdentifier("\(bucket):\(version):c:d.png") == IIIFIdentifier(bucketID: bucket, versionID: version, key: "c:d.png"))
        #expect(IIIFIdentifier("\(bucket):") == nil)
        #expect(IIIFIdentifier("frob") == nil)
        #expect(IIIFIdentifier("not-a-uuid:key") == nil)
        // Pages: a trailing `;N`; anything else is part of the key.
        #expect(IIIFIdentifier("\(bucket):scan.pdf;3") == IIIFIdentifier(bucketID: bucket, key: "scan.pdf", page: 3))
        #expect(IIIFIdentifier("\(bucket):\(version):scan.tif;100000")?.page == 100_000)
        for kept in ["a;0", "a;03", "a;100001", "a;", "a;2x", "a;-2", "a;\u{0663}"] {
            #expect(IIIFIdentifier("\(bucket):\(kept)") == IIIFIdentifier(bucketID: bucket, key: kept), "\(kept)")
        }
        #expect(IIIFIdentifier("\(bucket):;2") == nil)
    }

    @Test func info() {
        let info = ImageInfo(width: 1000, height: 800, limits: limits)
        #expect(info.scaleFactors == [1, 2, 4])
        #expect(info.sizes.map { [$0.width, $0.height] } == [[250, 200], [500, 400], [1000, 800]])
        let big = ImageInfo(width: 10000, height: 8000, limits: limits)
        #expect(big.scaleFactors == [1, 2, 4, 8, 16, 32, 64])
        #expect(!big.sizes.contains { $0.width * $0.height > limits.maxArea })
    }

    /// Identifiers as path segments: `/`, `;`, `%` and spaces escaped, read back the same.
    @Test func identifiersEncodeTheirKeys() throws {
        let bucket = try #require(UUID(uuidString: "8C4C7B1E-2D9A-4F53-9B7E-0F1A2B3C4D5E"))
        let identifier = IIIFIdentifier(bucketID: bucket, key: "scans/page 1;2%.tif")
        #expect(identifier.encoded == "8c4c7b1e-2d9a-4f53-9b7e-0f1a2b3c4d5e:scans%2Fpage%201%3B2%25.tif")
        #expect(IIIFIdentifier(try #require(identifier.encoded.removingPercentEncoding)) == identifier)
        // A page other than the first is a suffix; a key that ends like one keeps its page explicitly.
        #expect(identifier.page(3).encoded == identifier.encoded + ";3")
        let tricky = IIIFIdentifier(bucketID: bucket, key: "notes;2")
        #expect(tricky.encoded == "8c4c7b1e-2d9a-4f53-9b7e-0f1a2b3c4d5e:notes%3B2;1")
        #expect(IIIFIdentifier(try #require(tricky.encoded.removingPercentEncoding)) == tricky)
    }

    /// A manifest's canvases: each painted by its image with its level-2 service; thumbnails within 256 pixels, a
    /// small image's whole (3.0 scales up only when asked).
    @Test func manifestsPaintEachCanvasWithItsImage() throws {
        var manifest = PresentationManifest(
            id: "https://x.org/m", label: "Scans",
            images: [
                .init(label: "big", service: "https://x.org/i/a", width: 4000, height: 3000),
                .init(label: "small", service: "https://x.org/i/b", width: 100, height: 80),
            ])
        manifest.rights = "http://creativecommons.org/licenses/by/4.0/"
        let json = try #require(try JSONSerialization.jsonObject(with: Data(manifest.json)) as? [String: Any])
        #expect(json["@context"] as? String == "http://iiif.io/api/presentation/3/context.json")
        #expect(json["type"] as? String == "Manifest" && json["rights"] as? String == manifest.rights)
        let canvases = try #require(json["items"] as? [[String: Any]])
        #expect(canvases.map { $0["id"] as? String } == ["https://x.org/m/canvas/1", "https://x.org/m/canvas/2"])
        let thumbnails = canvases.map { (($0["thumbnail"] as? [[String: Any]])?.first?["id"] as? String) }
        #expect(thumbnails == ["https://x.org/i/a/full/!256,256/0/default.jpg", "https://x.org/i/b/full/max/0/default.jpg"])
        let page = try #require((canvases[0]["items"] as? [[String: Any]])?.first)
        let annotation = try #require((page["items"] as? [[String: Any]])?.first)
        #expect(annotation["motivation"] as? String == "painting" && annotation["target"] as? String == "https://x.org/m/canvas/1")
        let body = try #require(annotation["body"] as? [String: Any])
        #expect(body["width"] as? Int == 4000 && body["height"] as? Int == 3000)
        #expect((body["service"] as? [[String: Any]])?.first?["type"] as? String == "ImageService3")
    }
}
