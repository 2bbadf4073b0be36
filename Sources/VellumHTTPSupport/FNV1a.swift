/// FNV-1a, 64 bits, in hex: entity tags of derived bytes (IIIF images, manifests).
public func fnv1aHex(_ bytes: [UInt8]) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return String(h, radix: 16)
}
