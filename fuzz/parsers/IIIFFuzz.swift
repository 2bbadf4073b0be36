import Foundation

// The IIIF request grammar (iiif/IIIFGrammar: Region, Size, Rotation, Quality, ImageFormat, ImageRequest, IIIFNumber,
// Limits, PixelRect, IIIFIdentifier, ImageInfo). Every input is used twice: as text, a first line
// `v2|v3 WIDTH HEIGHT [MAXSIZE MAXAREA]` (the image and the limits; anything unreadable takes a default) then
// `{region}/{size}/{rotation}/{quality}.{format}`; and as numbers, from which `structuredRequest` writes a request
// of the grammar with extreme values (12-digit decimals, 9-digit integers, angles near 0 and 360). Invariants: no parser traps and every refusal is an IIIFError of an invalid request (400); a plan selects pixels inside the image,
// an output of at least 1×1 within the limits (3.0 without `^`: not larger than the region); its canonical form
// parses and plans to the same pixels, size and canonical form; identifiers round-trip; info.json's sizes are
// servable.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIIIF(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzBytes(start, count)
    let text = input.text
    let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let head = lines[0].split(separator: " ")
    func value(_ i: Int, _ range: ClosedRange<Int>, _ otherwise: Int) -> Int {
        i < head.count ? Int(head[i]).map { min(max($0, range.lowerBound), range.upperBound) } ?? otherwise : otherwise
    }
    let version: IIIFVersion = head.first == "v3" ? .v3 : .v2
    let width = value(1, 1...200_000, 1000)
    let height = value(2, 1...200_000, 800)
    let maxSize = value(3, 1...100_000, 10000)
    let limits = Limits(maxWidth: maxSize, maxHeight: maxSize, maxArea: value(4, 1...1_000_000_000, 25_000_000))
    let path = lines.count > 1 ? lines[1] : lines[0]

    checkEachParser(path, version)
    checkIdentifier(path)
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    if parts.count == 4 { checkRequest(parts, version, width, height, limits) }
    checkInfo(width, height, limits, version)

    let (structured, image) = structuredRequest(&input)
    checkEachParser(structured[...], image.version)
    checkRequest(structured.split(separator: "/"), image.version, image.width, image.height, limits)
    return 0
}

/// A request of the grammar built from the input's bytes, and an image to apply it to.
private func structuredRequest(_ input: inout FuzzBytes) -> (String, (version: IIIFVersion, width: Int, height: Int)) {
    let version: IIIFVersion = input.byte() & 1 == 0 ? .v2 : .v3
    let width = 1 + Int(input.uint64() % (input.byte() & 1 == 0 ? 4000 : 200_000))
    let height = 1 + Int(input.uint64() % (input.byte() & 1 == 0 ? 4000 : 200_000))
    func integer() -> String {
        let scale: [UInt64] = [10, 1000, 100_000, 1_000_000_000, 10_000_000_000]
        return String(input.uint64() % scale[Int(input.byte()) % scale.count])
    }
    /// A decimal below `bound` with 0-12 fraction digits, written with all of them (trailing zeros too).
    func decimal(below bound: UInt64) -> String {
        let places = Int(input.byte() % 13)
        var unit: UInt64 = 1
        for _ in 0..<places { unit *= 10 }
        let value = input.uint64() % (bound * unit)
        let fraction = String(value % unit)
        return "\(value / unit)" + (places == 0 ? "" : "." + String(repeating: "0", count: places - fraction.count) + fraction)
    }
    let region: String
    switch input.byte() % 4 {
    case 0: region = "full"
    case 1: region = "square"
    case 2: region = "\(integer()),\(integer()),\(integer()),\(integer())"
    default: region = "pct:\(decimal(below: 120)),\(decimal(below: 120)),\(decimal(below: 120)),\(decimal(below: 120))"
    }
    var size: String
    switch input.byte() % 7 {
    case 0: size = "full"
    case 1: size = "max"
    case 2: size = "\(integer()),"
    case 3: size = ",\(integer())"
    case 4: size = "pct:\(decimal(below: 1000))"
    case 5: size = "\(integer()),\(integer())"
    default: size = "!\(integer()),\(integer())"
    }
    if input.byte() % 4 == 0 { size = "^" + size }
    let rotation = (input.byte() & 1 == 0 ? "" : "!") + decimal(below: 361)
    let quality = ["default", "color", "gray", "bitonal"][Int(input.byte() % 4)]
    let format = ImageFormat.allCases[Int(input.byte()) % ImageFormat.allCases.count].rawValue
    return ("\(region)/\(size)/\(rotation)/\(quality).\(format)", (version, width, height))
}

/// Runs `parse`; a refusal must be an IIIFError of an invalid request (400).
private func refusesWith400<T>(_ what: String, _ parse: () throws -> T) -> T? {
    do {
        return try parse()
    } catch {
        require((error as? IIIFError)?.reason == .invalidRequest, "\(what) threw \(error), not an invalid request")
        return nil
    }
}

private func checkEachParser(_ text: Substring, _ version: IIIFVersion) {
    _ = refusesWith400("Region(\(show(text)))") { try Region(text) }
    _ = refusesWith400("Size(\(show(text)))") { try Size(text, version: version) }
    if let rotation = refusesWith400("Rotation(\(show(text)))", { try Rotation(text) }) {
        require((0..<360).contains(rotation.degrees), "Rotation(\(show(text))) is \(rotation.degrees) degrees")
    }
    _ = refusesWith400("Quality(\(show(text)))") { try Quality(text) }
    _ = refusesWith400("ImageFormat(\(show(text)))") { try ImageFormat(text) }
}

private func checkRequest(_ parts: [Substring], _ version: IIIFVersion, _ width: Int, _ height: Int, _ limits: Limits) {
    let context = "\(version) \(width)×\(height) \(show(parts.joined(separator: "/")))"
    guard
        let request = refusesWith400(
            context,
            {
                try ImageRequest(region: parts[0], size: parts[1], rotation: parts[2], file: parts[3], version: version)
            }),
        let plan = refusesWith400("plan of \(context)", { try request.plan(width: width, height: height, limits: limits, version: version) })
    else { return }
    let r = plan.region
    require(
        r.x >= 0 && r.y >= 0 && r.width >= 1 && r.height >= 1 && r.x + r.width <= width && r.y + r.height <= height,
        "\(context): region \(r) is not inside the image")
    require(
        plan.width >= 1 && plan.height >= 1 && limits.allow(plan.width, plan.height),
        "\(context): output \(plan.width)×\(plan.height) (limits \(limits))")
    if version == .v3 && !request.size.upscale {
        require(
            plan.width <= r.width && plan.height <= r.height, "\(context): 3.0 output \(plan.width)×\(plan.height) enlarges region \(r) without ^")
    }
    let canonical = plan.canonical.split(separator: "/", omittingEmptySubsequences: false)
    require(canonical.count == 4, "\(context): canonical \(show(plan.canonical)) has not 4 parts")
    let again: RenderPlan
    do {
        again = try ImageRequest(region: canonical[0], size: canonical[1], rotation: canonical[2], file: canonical[3], version: version)
            .plan(width: width, height: height, limits: limits, version: version)
    } catch {
        require(false, "\(context): its canonical form \(show(plan.canonical)) is refused: \(error)")
        return
    }
    require(
        again.region == plan.region && again.width == plan.width && again.height == plan.height && again.canonical == plan.canonical
            && again.rotation.mirror == plan.rotation.mirror && abs(again.rotation.degrees - plan.rotation.degrees) < 1e-9
            && again.quality == plan.quality && again.format == plan.format,
        "\(context): plan \(plan) but its canonical form plans to \(again)")
}

private func checkIdentifier(_ text: Substring) {
    guard let identifier = IIIFIdentifier(String(text)) else { return }
    require(!identifier.key.isEmpty, "identifier \(show(text)) has an empty key")
    require((1...IIIFIdentifier.maxPage).contains(identifier.page), "identifier \(show(text)) has page \(identifier.page)")
    let rebuilt = identifier.encoded.removingPercentEncoding ?? ""
    require(IIIFIdentifier(rebuilt) == identifier, "identifier \(show(text)) → \(identifier) does not round-trip through \(show(rebuilt))")
}

/// Every size info.json lists is served exactly (`w,h`, the form 3.0 clients use) from the full region.
private func checkInfo(_ width: Int, _ height: Int, _ limits: Limits, _ version: IIIFVersion) {
    let info = ImageInfo(width: width, height: height, limits: limits)
    for size in info.sizes {
        let text = Substring("\(size.width),\(size.height)")
        let plan = try? ImageRequest(region: "full", size: text, rotation: "0", file: "default.jpg", version: version)
            .plan(width: width, height: height, limits: limits, version: version)
        require(
            plan.map { ($0.width, $0.height) == (size.width, size.height) } == true,
            "info.json of \(width)×\(height) (limits \(limits)) lists size \(text), which is not served: \(String(describing: plan))")
    }
}
