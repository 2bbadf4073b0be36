/// Audio and video in the browser's own players, streamed from the file's bytes with Range (seeking works).
public struct MediaPreviewer: Previewer {
    public let name = "media"
    public let mediaTypes: Set<String> = [
        "audio/mpeg", "audio/ogg", "audio/wav", "audio/x-wav", "audio/webm", "audio/flac", "audio/x-flac", "audio/mp4",
        "video/mp4", "video/webm", "video/ogg", "video/quicktime",
    ]
    public let extensions: Set<String> = ["mp3", "ogg", "oga", "wav", "flac", "m4a", "mp4", "m4v", "webm", "ogv", "mov"]

    public init() {}

    public func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage {
        let type = PreviewerRegistry.bare(file.mimetype) ?? ""
        let audio = type.hasPrefix("audio/") || (!type.hasPrefix("video/") && ["mp3", "oga", "wav", "flac", "m4a"].contains(file.pathExtension))
        let tag = audio ? "audio" : "video"
        let body =
            "<\(tag) class=\"player\" controls preload=\"metadata\" src=\"\(HTML.escape(file.links.raw))\">"
            + "Your browser cannot play this file.</\(tag)>"
        return PreviewPage(body: body)
    }
}
