import Foundation
import VellumCore

// ObjectKey (Sources/VellumCore/ObjectKey.swift), on the input as UTF-8 text (invalid bytes repaired) and, like
// the files routes, percent-decoded. The contract (api.md §3) is checked on bytes and scalars, not on Swift
// Characters: a key is valid iff its NFC form is 1-1024 bytes, has no Cc scalar (U+0000-U+001F, U+007F-U+009F),
// does not start with the byte `/`, and no `/`-separated byte segment is `.` or `..`. A valid key comes back as
// exactly those NFC bytes; validation is idempotent; its basename is non-empty and has no `/`. Swift's `==` on
// strings is canonical equivalence, so everything here compares UTF-8 bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzObjectKey(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzBytes(start, count)
    checkKey(input.text)
    if let decoded = input.text.removingPercentEncoding { checkKey(decoded) }
    return 0
}

private func contractAllows(_ nfc: [UInt8]) -> Bool {
    guard (1...ObjectKey.maxBytes).contains(nfc.count), nfc.first != UInt8(ascii: "/") else { return false }
    let control = String(decoding: nfc, as: UTF8.self).unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    let dotSegment = nfc.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).contains {
        $0.elementsEqual([0x2E]) || $0.elementsEqual([0x2E, 0x2E])
    }
    return !control && !dotSegment
}

private func checkKey(_ raw: String) {
    let nfc = Array(raw.precomposedStringWithCanonicalMapping.utf8)
    let allowed = contractAllows(nfc)
    let key: String
    do {
        key = try ObjectKey(raw).value
    } catch {
        require(error as? FilesError == .invalidKey, "validate(\(show(raw))) threw \(error)")
        require(!allowed, "valid key \(show(raw)) was refused")
        return
    }
    require(allowed, "key \(show(raw)) (NFC bytes \(nfc.count)) breaks the key rules of api.md §3 but was accepted")
    require(Array(key.utf8) == nfc, "validate(\(show(raw))) returned \(show(key)), not the key's NFC form")
    let again = try? ObjectKey(key).value
    require(again.map { Array($0.utf8) } == nfc, "validate is not idempotent on \(show(key)): \(again.map(show) ?? "refused")")
    let name = ObjectKey.basename(key)
    require(!name.isEmpty && !name.utf8.contains(UInt8(ascii: "/")), "basename of \(show(key)) is \(show(name))")
}
