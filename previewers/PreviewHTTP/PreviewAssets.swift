import Foundation
import Hummingbird
import NIOCore

/// The static files of preview pages: Vellum's own (`vellum/…`, kept in this file) and the third-party viewers
/// (`prism/…`, `openseadragon/…`) from the assets folder that `scripts/preview-assets.sh` fills from Debian and
/// PyPI packages, checked by hash. Served to any origin (a sandboxed page's origin is opaque), cached for a day.
struct PreviewAssets: Sendable {
    let folder: String

    static let own: [String: (type: String, body: String)] = [
        "vellum/preview.css": ("text/css; charset=utf-8", css),
        "vellum/deepzoom.js": ("text/javascript; charset=utf-8", deepzoom),
        "vellum/pdf.js": ("text/javascript; charset=utf-8", pdf),
    ]

    static let types = [
        "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "png": "image/png", "svg": "image/svg+xml",
        "woff2": "font/woff2", "woff": "font/woff", "json": "application/json",
    ]

    func response(_ path: Substring) -> Response? {
        let path = String(path)
        if let own = Self.own[path] { return Self.answer(ByteBuffer(string: own.body), type: own.type) }
        // Only plain relative names: no `..`, no hidden files, no absolute paths.
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }),
            let type = Self.types[String(segments.last!.split(separator: ".").last ?? "")],
            let data = FileManager.default.contents(atPath: folder + "/" + path)
        else { return nil }
        return Self.answer(ByteBuffer(bytes: data), type: type)
    }

    static func answer(_ body: ByteBuffer, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "public, max-age=86400", .accessControlAllowOrigin: "*",
                .contentLength: String(body.readableBytes),
            ], body: ResponseBody(byteBuffer: body))
    }

    static let css = """
        :root { color-scheme: light; --line: #d0d7de; --muted: #57606a; --flag: #cf222e; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; }
        header.bar { position: sticky; top: 0; z-index: 2; display: flex; gap: .75em; align-items: baseline; padding: .5em 1em;
          background: #f6f8fa; border-bottom: 1px solid var(--line); }
        header.bar .name { font-weight: 600; overflow-wrap: anywhere; }
        header.bar .meta { color: var(--muted); font-size: 90%; }
        header.bar .download { margin-left: auto; }
        main { padding: 1em; }
        .notice, .about { color: var(--muted); }
        .warning { color: var(--flag); font-weight: 600; }
        pre, code { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        .listing { display: flex; border: 1px solid var(--line); border-radius: 6px; overflow: auto; }
        .listing pre { margin: 0; padding: .75em; }
        .listing .gutter { text-align: right; color: var(--muted); background: #f6f8fa; user-select: none; border-right: 1px solid var(--line); }
        .listing .code { flex: 1; }
        .markdown { max-width: 60em; }
        .markdown table, .table table { border-collapse: collapse; }
        .markdown th, .markdown td, .table th, .table td { border: 1px solid var(--line); padding: .25em .6em; vertical-align: top; }
        .table { overflow: auto; }
        .table th { background: #f6f8fa; position: sticky; top: 0; }
        .table td { white-space: pre-wrap; }
        td.formula { color: #9a6700; }
        td.size, td.date { text-align: right; white-space: nowrap; }
        .table th { text-align: left; }
        td.name { overflow-wrap: anywhere; }
        tr.flagged td.name { color: var(--flag); }
        .flag { font-size: 80%; border: 1px solid var(--flag); border-radius: 3px; padding: 0 .3em; }
        .json ul { list-style: none; margin: 0; padding-left: 1.5em; }
        .json details > summary { cursor: pointer; }
        .json details[open] > summary .count { display: none; }
        .json .count { color: var(--muted); margin-left: .5em; }
        .json .k { color: #0550ae; } .json .s { color: #0a3069; } .json .d { color: #953800; } .json .b, .json .n { color: #8250df; }
        .cell { margin: 1em 0; }
        .cell .prompt { color: var(--muted); font-size: 85%; }
        .cell .input { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: .5em; overflow: auto; }
        .cell .output { margin: .25em 0; overflow: auto; }
        .cell pre.error, .cell pre.stderr { background: #fff0f0; }
        .cell img.figure { max-width: 100%; }
        .inert { color: var(--muted); font-style: italic; }
        pre.xml { white-space: pre-wrap; overflow-wrap: anywhere; }
        pre.xml .t { color: #116329; } pre.xml .a { color: #0550ae; } pre.xml .v { color: #0a3069; }
        pre.xml .c { color: var(--muted); } pre.xml .e { color: #953800; }
        figure.image img { max-width: 100%; height: auto; }
        .deepzoom { width: 100%; height: 80vh; background: #111; }
        .pdf { list-style: none; margin: 0; padding: 0; }
        .pdf-page { margin: 0 auto 1.5em; max-width: 1000px; text-align: center; }
        .pdf-page img { max-width: 100%; height: auto; background: #fff; box-shadow: 0 1px 4px rgba(0, 0, 0, .3); }
        .pdf-page .number { display: block; color: var(--muted); font-size: .85em; }
        .pdf-counter { position: fixed; right: 1em; bottom: 1em; margin: 0; padding: .2em .7em; border-radius: 1em;
          background: rgba(0, 0, 0, .7); color: #fff; font-size: .9em; }
        .player { max-width: 100%; }
        .cannot dl { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1em; }
        .cannot dt { color: var(--muted); }
        """

    /// Shows the number of the PDF page in the middle of the view in `#pdf-counter`.
    static let pdf = """
        "use strict";
        (function () {
          var counter = document.getElementById("pdf-counter");
          var pages = document.querySelectorAll("li.pdf-page");
          if (!counter || !("IntersectionObserver" in window)) return;
          var observer = new IntersectionObserver(function (entries) {
            entries.forEach(function (entry) {
              if (entry.isIntersecting) counter.textContent = entry.target.dataset.number + " / " + pages.length;
            });
          }, { rootMargin: "-50% 0px -50% 0px" });
          pages.forEach(function (page) { observer.observe(page); });
        })();
        """

    /// Starts OpenSeadragon on `#deepzoom` with the IIIF service its `data-info` names (the viewer is
    /// `window.vellumViewer`, for tests).
    static let deepzoom = """
        "use strict";
        (function () {
          var el = document.getElementById("deepzoom");
          if (!el || typeof OpenSeadragon === "undefined") return;
          window.vellumViewer = OpenSeadragon({ element: el, prefixUrl: el.dataset.images, tileSources: el.dataset.info,
            showNavigator: true, crossOriginPolicy: false, loadTilesWithAjax: false });
        })();
        """
}
