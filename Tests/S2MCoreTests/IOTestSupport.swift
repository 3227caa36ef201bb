import Foundation
@testable import S2MCore

/// Where the package and the shared data live, derived from this file's path (tests never
/// depend on the working directory).
enum SharedData {
    /// The package root (the folder holding Package.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `../shared` next to the package (a symlink to /work/shared in the worktrees).
    static let root: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    /// True when `../shared/data/road_anomaly` exists.
    static let isPresent: Bool = FileManager.default.fileExists(atPath: roadAnomaly.path)
    /// The 12 RoadAnomaly frames with labels (OoD = 2).
    static let roadAnomaly: URL = root.appendingPathComponent("data/road_anomaly")
    /// Golden SAM fixtures.
    static let samFixtures: URL = root.appendingPathComponent("fixtures/sam")

    /// Frame names of `road_anomaly` (without `.jpg`), sorted.
    static func roadAnomalyFrames() throws -> [String] {
        let frames = roadAnomaly.appendingPathComponent("frames")
        return try FileManager.default.contentsOfDirectory(atPath: frames.path)
            .filter { $0.hasSuffix(".jpg") }.map { String($0.dropLast(4)) }.sorted()
    }
}

/// The committed small fixtures of the I/O tests (`Tests/Fixtures/IO`).
enum IOFixtures {
    static let folder: URL = SharedData.packageRoot.appendingPathComponent("Tests/Fixtures/IO")
    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static func data(_ name: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(name)) }
}

/// A fresh temporary directory per test, removed when the value is released.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("s2m-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    @discardableResult
    func write(_ data: Data, _ name: String) throws -> String {
        let p = path(name)
        try data.write(to: URL(fileURLWithPath: p))
        return p
    }
}

/// Builds PNG files byte by byte (stored, uncompressed deflate blocks; CRC-32 and Adler-32
/// computed here), so tests can check libpng's decoding against values written by hand and can
/// make broken files (lying headers, bad CRCs) that no encoder would produce.
enum HandMadePNG {
    /// A chunk: length, type, data, CRC over type + data (`crc` overrides the CRC to break it).
    static func chunk(_ type: String, _ data: [UInt8], crc: UInt32? = nil) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        var out = be32(UInt32(data.count)) + typeBytes + data
        out += be32(crc ?? crc32(typeBytes + data))
        return out
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// IHDR payload.
    static func ihdr(width: UInt32, height: UInt32, bitDepth: UInt8, colorType: UInt8, interlace: UInt8 = 0) -> [UInt8] {
        be32(width) + be32(height) + [bitDepth, colorType, 0, 0, interlace]
    }

    /// A zlib stream of `raw` in stored blocks.
    static func zlibStored(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let final: UInt8 = offset + n == raw.count ? 1 : 0
            out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        return out + be32(adler32(raw))
    }

    /// A complete non-interlaced PNG whose scanlines (already packed, without filter bytes) are
    /// `rows`; every row gets filter type 0.
    static func make(width: UInt32, height: UInt32, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]],
                     palette: [UInt8]? = nil, ihdrOverride: [UInt8]? = nil) -> Data {
        var raw: [UInt8] = []
        for row in rows { raw += [0] + row }
        var bytes = signature + chunk("IHDR", ihdrOverride ?? ihdr(width: width, height: height, bitDepth: bitDepth, colorType: colorType))
        if let palette { bytes += chunk("PLTE", palette) }
        bytes += chunk("IDAT", zlibStored(raw))
        bytes += chunk("IEND", [])
        return Data(bytes)
    }

    /// An Adam7-interlaced 8-bit grayscale PNG of `pixels` (row-major, `width * height`).
    static func makeInterlacedGray8(width: Int, height: Int, pixels: [UInt8]) -> Data {
        let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        var raw: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            guard x0 < width, y0 < height else { continue }
            for y in stride(from: y0, to: height, by: dy) {
                raw.append(0)
                for x in stride(from: x0, to: width, by: dx) { raw.append(pixels[y * width + x]) }
            }
        }
        let bytes = signature
            + chunk("IHDR", ihdr(width: UInt32(width), height: UInt32(height), bitDepth: 8, colorType: 0, interlace: 1))
            + chunk("IDAT", zlibStored(raw)) + chunk("IEND", [])
        return Data(bytes)
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for x in bytes {
            a = (a + UInt32(x)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }
}

/// Asserts-friendly access to the problem of an S2MError thrown by `body`.
func problem<T>(_ body: () throws -> T) -> S2MError.Problem? {
    do {
        _ = try body()
        return nil
    } catch let error as S2MError {
        return error.problem
    } catch {
        return .invalid("not an S2MError: \(error)")
    }
}

/// The full S2MError thrown by `body`, or nil.
func s2mError<T>(_ body: () throws -> T) -> S2MError? {
    do {
        _ = try body()
        return nil
    } catch let error as S2MError {
        return error
    } catch {
        return S2MError(file: nil, .invalid("not an S2MError: \(error)"))
    }
}

extension S2MError.Problem {
    /// The case name only, to compare kinds of problems without their messages.
    var kind: String {
        switch self {
        case .missingFile: return "missingFile"
        case .unreadable: return "unreadable"
        case .truncated: return "truncated"
        case .corrupt: return "corrupt"
        case .unsupported: return "unsupported"
        case .nonFinite: return "nonFinite"
        case .sizeMismatch: return "sizeMismatch"
        case .tooLarge: return "tooLarge"
        case .invalid: return "invalid"
        case .writeFailed: return "writeFailed"
        }
    }
}
