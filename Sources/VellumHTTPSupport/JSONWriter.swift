import Foundation
import NIOCore

/// A minimal streaming JSON writer for the API's fixed shapes. Listings of 1,000 objects are the hot path, and
/// `JSONEncoder` (which builds a tree of dictionaries first) spends most of a listing's time there. Inlinable: its
/// callers are in other modules (the front-ends), and a call per key and value would cost listings what the writer
/// saves.
public struct JSONWriter {
    public var buffer: ByteBuffer
    @usableFromInline var needsComma = false

    @inlinable
    public init(capacity: Int = 1024) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    @inlinable
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        buffer.writeInteger(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        buffer.writeInteger(UInt8(ascii: "}"))
        needsComma = true
    }

    @inlinable
    public mutating func array<S: Sequence>(_ elements: S, _ body: (inout JSONWriter, S.Element) -> Void) {
        separate()
        buffer.writeInteger(UInt8(ascii: "["))
        needsComma = false
        for element in elements { body(&self, element) }
        buffer.writeInteger(UInt8(ascii: "]"))
        needsComma = true
    }

    /// An array whose elements `body` writes.
    @inlinable
    public mutating func array(_ body: (inout JSONWriter) -> Void) {
        array(CollectionOfOne(())) { json, _ in body(&json) }
    }

    @inlinable
    public mutating func key(_ name: StaticString) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(name)
        buffer.writeStaticString("\":")
        needsComma = false
    }

    @inlinable
    public mutating func key(_ name: String) {
        string(name)
        buffer.writeInteger(UInt8(ascii: ":"))
        needsComma = false
    }

    @inlinable
    public mutating func string(_ value: String?) {
        separate()
        guard var value else { return null() }
        buffer.writeInteger(UInt8(ascii: "\""))
        value.withUTF8 { bytes in
            var start = 0
            for (index, byte) in bytes.enumerated()
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                writeEscape(byte)
                start = index + 1
            }
            buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
        needsComma = true
    }

    @usableFromInline
    mutating func writeEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
        case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
        case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
        default:
            let hex = Array("0123456789abcdef".utf8)
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(hex[Int(byte >> 4)])
            buffer.writeInteger(hex[Int(byte & 0xF)])
        }
    }

    /// An ISO-8601 timestamp string (or null).
    @inlinable
    public mutating func timestamp(_ date: Date?) {
        separate()
        guard let date else { return null() }
        buffer.writeInteger(UInt8(ascii: "\""))
        Timestamp.write(date, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\""))
        needsComma = true
    }

    @inlinable
    public mutating func int<I: BinaryInteger>(_ value: I?) {
        separate()
        guard let value else { return null() }
        buffer.writeString(String(value))
        needsComma = true
    }

    /// A finite number with at most three decimals.
    @inlinable
    public mutating func double(_ value: Double) {
        separate()
        buffer.writeString(value.isFinite ? String((value * 1000).rounded() / 1000) : "0")
        needsComma = true
    }

    @inlinable
    public mutating func bool(_ value: Bool?) {
        separate()
        guard let value else { return null() }
        buffer.writeStaticString(value ? "true" : "false")
        needsComma = true
    }

    @inlinable
    public mutating func null() {
        separate()
        buffer.writeStaticString("null")
        needsComma = true
    }

    @inlinable
    mutating func separate() {
        if needsComma {
            buffer.writeInteger(UInt8(ascii: ","))
            needsComma = false
        }
    }
}

/// A value that writes itself as JSON.
public protocol JSONWritable {
    func write(to json: inout JSONWriter)
}
