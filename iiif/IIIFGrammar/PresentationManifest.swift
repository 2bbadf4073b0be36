import Foundation

/// A IIIF Presentation API 3.0 manifest (api.md §11): one canvas per image, each painted by its image, with the
/// image's IIIF Image API 3 service (level 2) so that viewers tile it, and a thumbnail.
public struct PresentationManifest: Sendable, Equatable {
    /// One image of the manifest: its label, the id of its image service (`…/iiif/v3/{identifier}`), its size.
    public struct Image: Sendable, Equatable {
        public var label: String
        public var service: String
        public var width: Int
        public var height: Int

        public init(label: String, service: String, width: Int, height: Int) {
            self.label = label
            self.service = service
            self.width = width
            self.height = height
        }
    }

    /// The manifest's URL.
    public var id: String
    public var label: String
    public var summary: String?
    /// Label and value pairs shown beside the images.
    public var metadata: [(label: String, value: String)] = []
    /// A URI of the rights (a Creative Commons licence, a RightsStatements.org statement).
    public var rights: String?
    /// What must be shown with the images (the citation, the attribution).
    public var requiredStatement: (label: String, value: String)?
    /// The web page the images belong to.
    public var homepage: (id: String, label: String)?
    public var images: [Image]

    public init(id: String, label: String, images: [Image]) {
        self.id = id
        self.label = label
        self.images = images
    }

    public static func == (a: Self, b: Self) -> Bool { a.json == b.json }

    /// The media type manifests are served as.
    public static let mediaType = #"application/ld+json;profile="http://iiif.io/api/presentation/3/context.json""#
    /// The largest thumbnail's width and height.
    public static let thumbnailSize = 256

    /// The manifest as JSON, its members in a fixed order.
    public var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(Document(self))) ?? Data())
    }
}

/// The manifest's JSON shape (Presentation API 3.0 §3, §5).
private struct Document: Encodable {
    struct Value: Encodable {
        var none: [String]
    }
    struct Pair: Encodable {
        var label: Value
        var value: Value
    }
    struct Service: Encodable {
        var id: String
        var type = "ImageService3"
        var profile = "level2"
    }
    struct ImageResource: Encodable {
        var id: String
        var type = "Image"
        var format = "image/jpeg"
        var width: Int?
        var height: Int?
        var service: [Service]
    }
    struct Annotation: Encodable {
        var id: String
        var type = "Annotation"
        var motivation = "painting"
        var body: ImageResource
        var target: String
    }
    struct AnnotationPage: Encodable {
        var id: String
        var type = "AnnotationPage"
        var items: [Annotation]
    }
    struct Canvas: Encodable {
        var id: String
        var type = "Canvas"
        var label: Value
        var width: Int
        var height: Int
        var thumbnail: [ImageResource]
        var items: [AnnotationPage]
    }
    struct Homepage: Encodable {
        var id: String
        var type = "Text"
        var label: Value
        var format = "text/html"
    }

    var context = "http://iiif.io/api/presentation/3/context.json"
    var id: String
    var type = "Manifest"
    var label: Value
    var summary: Value?
    var metadata: [Pair]?
    var rights: String?
    var requiredStatement: Pair?
    var homepage: [Homepage]?
    var thumbnail: [ImageResource]?
    var items: [Canvas]

    enum CodingKeys: String, CodingKey {
        case context = "@context"
        case id, type, label, summary, metadata, rights, requiredStatement, homepage, thumbnail, items
    }

    init(_ manifest: PresentationManifest) {
        id = manifest.id
        label = Value(none: [manifest.label])
        summary = manifest.summary.map { Value(none: [$0]) }
        metadata = manifest.metadata.isEmpty ? nil : manifest.metadata.map { Pair(label: Value(none: [$0.label]), value: Value(none: [$0.value])) }
        rights = manifest.rights
        requiredStatement = manifest.requiredStatement.map { Pair(label: Value(none: [$0.label]), value: Value(none: [$0.value])) }
        homepage = manifest.homepage.map { [Homepage(id: $0.id, label: Value(none: [$0.label]))] }
        items = manifest.images.enumerated().map { n, image in
            let canvas = "\(manifest.id)/canvas/\(n + 1)"
            let full = ImageResource(
                id: image.service + "/full/max/0/default.jpg", width: image.width, height: image.height, service: [Service(id: image.service)])
            return Canvas(
                id: canvas, label: Value(none: [image.label]), width: image.width, height: image.height,
                thumbnail: [Self.thumbnail(image)],
                items: [
                    AnnotationPage(
                        id: canvas + "/page", items: [Annotation(id: canvas + "/page/image", body: full, target: canvas)])
                ])
        }
        thumbnail = manifest.images.first.map { [Self.thumbnail($0)] }
    }

    /// The image within 256 × 256 pixels (`!256,256`), or whole if it is smaller (3.0 scales up only when asked).
    static func thumbnail(_ image: PresentationManifest.Image) -> ImageResource {
        let side = PresentationManifest.thumbnailSize
        let size = max(image.width, image.height) <= side ? "max" : "!\(side),\(side)"
        return ImageResource(id: image.service + "/full/\(size)/0/default.jpg", service: [Service(id: image.service)])
    }
}
