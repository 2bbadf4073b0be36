import Testing

@testable import JSONSchema

struct JSONSerializationTests {
    @Test func writesCompactText() {
        let value: JSON = .array([.null, .bool(true), .bool(false), .number(1), .string("a"), .object([:]), .array([])])
        #expect(value.serialized() == #"[null,true,false,1,"a",{},[]]"#)
    }

    @Test func sortsKeysByCodePointWhenAsked() {
        let value: JSON = .object(["b": .number(1), "a": .object(["z": .null, "é": .null, "A": .null]), "😀": .null])
        #expect(value.serialized(sortedKeys: true) == #"{"a":{"A":null,"z":null,"é":null},"b":1,"😀":null}"#)
    }

    @Test(arguments: [
        (1.0, "1"), (-0.0, "-0"), (0.0, "0"), (-42.0, "-42"), (0.5, "0.5"), (0.1, "0.1"),
        (9_007_199_254_740_991.0, "9007199254740991"), (9_007_199_254_740_992.0, "9007199254740992"),
        (1e20, "1e+20"), (1e-7, "1e-07"), (1.5e300, "1.5e+300"), (5e-324, "5e-324"),
        (Double.infinity, "null"), (Double.nan, "null"),
    ])
    func writesNumbers(number: Double, text: String) {
        #expect(JSON.number(number).serialized() == text)
    }

    @Test func numbersReadBackExactly() throws {
        for number in [0.1, 1.0 / 3, 2.0 / 3 * 1e300, 1e-300 / 7, 123_456.789, 9_007_199_254_740_993.0, 5e-324] {
            #expect(try JSON(parsing: JSON.number(number).serialized()) == .number(number))
        }
    }

    @Test func escapesStringsMinimally() {
        let value = JSON.string("\"\\/\u{8}\u{C}\n\r\t\u{0}\u{1F}\u{7F}é😀\u{2028}")
        #expect(value.serialized() == #""\"\\/\b\f\n\r\t\u0000\u001f"# + "\u{7F}é😀\u{2028}\"")
    }

    @Test func roundTripsThroughTheParser() throws {
        let text = #"{"a":[1,2.5,-3e-5,"x\ny",{"b":null}],"c":true,"d":"\u0001"}"#
        let value = try JSON(parsing: text)
        #expect(try JSON(parsing: value.serialized()) == value)
        #expect(value.serialized(sortedKeys: true) == #"{"a":[1,2.5,-3e-05,"x\ny",{"b":null}],"c":true,"d":"\u0001"}"#)
    }

    // MARK: RFC 8785

    /// RFC 8785 section 3.2.2's example.
    @Test func canonicalizesTheRFC8785Example() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected =
            #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"#
            + #""string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(String(decoding: try JSON(parsing: input).canonical, as: UTF8.self) == expected)
    }

    /// RFC 8785 section 3.2.3's sorting example: keys compare by UTF-16 code units, so U+1F600 (a surrogate
    /// pair, 0xD83D...) comes before U+FB33.
    @Test func sortsKeysByUTF16CodeUnits() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let expected =
            #"{"\r":"Carriage Return","1":"One","\#u{80}":"Control","ö":"Latin Small Letter O With Diaeresis","#
            + #""€":"Euro Sign","😀":"Emoji: Grinning Face","דּ":"Hebrew Letter Dalet With Dagesh"}"#
        #expect(String(decoding: try JSON(parsing: input).canonical, as: UTF8.self) == expected)
    }

    /// RFC 8785 Appendix B's number table (IEEE 754 bit patterns and their ECMAScript text), with NaN and
    /// Infinity (which RFC 8785 rejects) left out.
    @Test(
        arguments: [
            (0x0000_0000_0000_0000, "0"), (0x8000_0000_0000_0000, "0"),
            (0x0000_0000_0000_0001, "5e-324"), (0x8000_0000_0000_0001, "-5e-324"),
            (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"), (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
            (0x4340_0000_0000_0000, "9007199254740992"), (0xC340_0000_0000_0000, "-9007199254740992"),
            (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"), (0x44B5_2D02_C7E1_4AF6, "1e+23"),
            (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
            (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"), (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
            (0x444B_1AE4_D6E2_EF50, "1e+21"),
            (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"), (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
            (0x41B3_DE43_5555_5553, "333333333.3333332"), (0x41B3_DE43_5555_5554, "333333333.33333325"),
            (0x41B3_DE43_5555_5555, "333333333.3333333"), (0x41B3_DE43_5555_5556, "333333333.3333334"),
            (0x41B3_DE43_5555_5557, "333333333.33333343"),
            (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
            (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
        ] as [(UInt64, String)])
    func formatsNumbersAsECMAScript(bits: UInt64, text: String) {
        #expect(JSON.number(Double(bitPattern: bits)).canonical == Array(text.utf8))
    }

    @Test(arguments: [
        (1.0, "1"), (100.0, "100"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (123e-20, "1.23e-18"),
        (0.1, "0.1"), (1e-6, "0.000001"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (-12.5, "-12.5"),
        (4.5, "4.5"), (1e30, "1e+30"), (0.002, "0.002"), (1.25e22, "1.25e+22"), (123_456.789, "123456.789"),
    ])
    func formatsMoreNumbersAsECMAScript(number: Double, text: String) {
        #expect(String(decoding: JSON.number(number).canonical, as: UTF8.self) == text)
    }

    @Test func canonicalFormHasNoWhitespaceAndNests() throws {
        let value = try JSON(parsing: #"{ "b" : [ { "d" : 1 , "c" : 2 } ] , "a" : "x" }"#)
        #expect(String(decoding: value.canonical, as: UTF8.self) == #"{"a":"x","b":[{"c":2,"d":1}]}"#)
    }
}
