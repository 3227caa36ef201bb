import Foundation

/// The header of an NPY file (format versions 1.0, 2.0 and 3.0): element type, memory order and
/// shape, and where the array data starts.
///
/// Layout: the magic `\x93NUMPY`, major and minor version bytes, the header length (2 bytes
/// little-endian in 1.0, 4 bytes in 2.0/3.0), then a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (720, 1280), }` (latin-1 in 1.0/2.0,
/// UTF-8 in 3.0), padded with spaces and a newline.
public struct NPYHeader: Sendable, Equatable {
    public var majorVersion: Int
    public var minorVersion: Int
    public var dtype: NPYDType
    /// True when the data is stored in Fortran (column-major) order.
    public var fortranOrder: Bool
    public var shape: [Int]
    /// Byte offset of the first array element in the file.
    public var dataOffset: Int

    /// Number of elements (product of the shape); overflow was rejected when parsing.
    public var count: Int { shape.reduce(1, *) }
    /// Bytes of array data the header promises.
    public var dataByteCount: Int { count * dtype.size }

    /// Parses the header at the start of `data`; `file` names it in errors.
    /// - Throws: `.truncated` when the data ends inside the header, `.corrupt` for a bad magic or
    ///   a malformed dict, `.unsupported` for other versions and dtypes (structured, complex,
    ///   strings, objects).
    public static func parse(_ data: Data, file: String) throws -> NPYHeader {
        let bytes = data
        let base = bytes.startIndex
        func byte(_ i: Int) -> UInt8 { bytes[base + i] }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        let available = min(bytes.count, magic.count)
        guard (0..<available).allSatisfy({ byte($0) == magic[$0] }) else {
            throw S2MError(file: file, .corrupt("not an NPY file (bad magic)"))
        }
        guard bytes.count >= 10 else {
            throw S2MError(file: file, .truncated("NPY data ends inside the preamble (\(bytes.count) bytes)"))
        }
        let major = Int(byte(6)), minor = Int(byte(7))
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(byte(8)) | Int(byte(9)) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else {
                throw S2MError(file: file, .truncated("NPY data ends inside the preamble (\(bytes.count) bytes)"))
            }
            headerLength = Int(byte(8)) | Int(byte(9)) << 8 | Int(byte(10)) << 16 | Int(byte(11)) << 24
            headerStart = 12
        default:
            throw S2MError(file: file, .unsupported("NPY format version \(major).\(minor) (s2m reads 1.0, 2.0 and 3.0)"))
        }
        guard minor == 0 else {
            throw S2MError(file: file, .unsupported("NPY format version \(major).\(minor) (s2m reads 1.0, 2.0 and 3.0)"))
        }
        guard bytes.count - headerStart >= headerLength else {
            throw S2MError(file: file, .truncated("NPY header claims \(headerLength) bytes but the file ends after \(bytes.count - headerStart)"))
        }
        let headerBytes = bytes[(base + headerStart)..<(base + headerStart + headerLength)]
        let text: String
        if major == 3 {
            guard let utf8 = String(validating: headerBytes, as: UTF8.self) else {
                throw S2MError(file: file, .corrupt("NPY 3.0 header is not valid UTF-8"))
            }
            text = utf8
        } else {
            text = String(headerBytes.map { Character(Unicode.Scalar($0)) })  // latin-1
        }

        let dict: [String: PythonLiteral]
        do {
            var parser = PythonLiteralParser(text)
            guard case .dict(let entries) = try parser.parseValue() else {
                throw PythonLiteralParser.Failure(message: "the header is not a dict")
            }
            try parser.expectEnd()
            dict = Dictionary(entries, uniquingKeysWith: { _, last in last })
        } catch let failure as PythonLiteralParser.Failure {
            throw S2MError(file: file, .corrupt("NPY header: \(failure.message)"))
        }
        guard let descr = dict["descr"], let order = dict["fortran_order"], let shapeValue = dict["shape"] else {
            let missing = ["descr", "fortran_order", "shape"].filter { dict[$0] == nil }
            throw S2MError(file: file, .corrupt("NPY header lacks \(missing.joined(separator: ", "))"))
        }
        guard case .string(let descrText) = descr else {
            throw S2MError(file: file, .unsupported("structured NPY dtype \(descr); s2m reads plain numeric arrays"))
        }
        guard let dtype = NPYDType(descr: descrText) else {
            throw S2MError(file: file, .unsupported("NPY dtype '\(descrText)' (s2m reads f2 f4 f8 u1 u2 u4 u8 i1 i2 i4 i8 b1)"))
        }
        guard case .bool(let fortran) = order else {
            throw S2MError(file: file, .corrupt("NPY header: fortran_order is \(order), not True/False"))
        }
        guard case .tuple(let items) = shapeValue else {
            throw S2MError(file: file, .corrupt("NPY header: shape is \(shapeValue), not a tuple"))
        }
        var shape: [Int] = []
        var product = 1
        for item in items {
            guard case .int(let extent) = item, extent >= 0 else {
                throw S2MError(file: file, .corrupt("NPY header: shape \(shapeValue) has a non-integer or negative extent"))
            }
            shape.append(extent)
            let (next, overflow) = product.multipliedReportingOverflow(by: extent)
            guard !overflow, next.multipliedReportingOverflow(by: dtype.size).overflow == false else {
                throw S2MError(file: file, .corrupt("NPY header: shape \(shapeValue) is impossibly large"))
            }
            product = next
        }
        return NPYHeader(majorVersion: major, minorVersion: minor, dtype: dtype, fortranOrder: fortran,
                         shape: shape, dataOffset: headerStart + headerLength)
    }
}

/// The small part of Python's literal syntax that NPY headers use.
enum PythonLiteral: Equatable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(String, PythonLiteral)])

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool { a.description == b.description }

    var description: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .int(let v): return String(v)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .tuple(let items): return items.count == 1 ? "(\(items[0]),)" : "(" + items.map(\.description).joined(separator: ", ") + ")"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .dict(let entries): return "{" + entries.map { "'\($0.0)': \($0.1)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A recursive-descent parser for Python literals: dicts, tuples, lists, strings, integers
/// (an old `L` suffix allowed), True/False/None.
struct PythonLiteralParser {
    struct Failure: Error { var message: String }

    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var depth = 0

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    mutating func expectEnd() throws {
        skipSpace()
        guard position == scalars.count else { throw Failure(message: "unexpected text after the dict") }
    }

    mutating func parseValue() throws -> PythonLiteral {
        skipSpace()
        guard position < scalars.count else { throw Failure(message: "ends unexpectedly") }
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { throw Failure(message: "nested too deeply") }
        let c = scalars[position]
        switch c {
        case "{":
            position += 1
            var entries: [(String, PythonLiteral)] = []
            while true {
                skipSpace()
                if peek("}") { position += 1; return .dict(entries) }
                guard case .string(let key) = try parseValue() else { throw Failure(message: "dict key is not a string") }
                skipSpace()
                guard peek(":") else { throw Failure(message: "expected ':' after '\(key)'") }
                position += 1
                let value = try parseValue()
                entries.append((key, value))
                skipSpace()
                if peek(",") { position += 1; continue }
                if peek("}") { position += 1; return .dict(entries) }
                throw Failure(message: "expected ',' or '}' in the dict")
            }
        case "(", "[":
            let close: Unicode.Scalar = c == "(" ? ")" : "]"
            position += 1
            var items: [PythonLiteral] = []
            var sawComma = false
            while true {
                skipSpace()
                if peek(close) {
                    position += 1
                    if c == "[" { return .list(items) }
                    // `(x)` is x itself in Python; `(x,)` is a 1-tuple.
                    if items.count == 1 && !sawComma { return items[0] }
                    return .tuple(items)
                }
                items.append(try parseValue())
                skipSpace()
                if peek(",") { position += 1; sawComma = true; continue }
                if peek(close) { continue }
                throw Failure(message: "expected ',' or '\(close)'")
            }
        case "'", "\"":
            position += 1
            var text = ""
            while position < scalars.count, scalars[position] != c {
                if scalars[position] == "\\" { position += 1 }
                guard position < scalars.count else { break }
                text.unicodeScalars.append(scalars[position])
                position += 1
            }
            guard position < scalars.count else { throw Failure(message: "unterminated string") }
            position += 1
            return .string(text)
        case "0"..."9", "-", "+":
            var digits = String(c)
            position += 1
            while position < scalars.count, ("0"..."9").contains(scalars[position]) {
                digits.unicodeScalars.append(scalars[position])
                position += 1
            }
            if position < scalars.count, scalars[position] == "L" || scalars[position] == "l" { position += 1 }
            guard let value = Int(digits) else { throw Failure(message: "bad or too large integer \(digits)") }
            return .int(value)
        default:
            var word = ""
            while position < scalars.count, scalars[position].properties.isAlphabetic || scalars[position] == "_" {
                word.unicodeScalars.append(scalars[position])
                position += 1
            }
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default: throw Failure(message: word.isEmpty ? "unexpected character '\(c)'" : "unexpected word '\(word)'")
            }
        }
    }

    private func peek(_ scalar: Unicode.Scalar) -> Bool {
        position < scalars.count && scalars[position] == scalar
    }

    private mutating func skipSpace() {
        while position < scalars.count, scalars[position].properties.isWhitespace { position += 1 }
    }
}
