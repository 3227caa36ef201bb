import Foundation
import Testing
@testable import S2MCore

/// The broken-file corpus: damaged copies of good files, made here from the committed fixtures
/// and hand-made PNGs. Each must give the expected kind of ``S2MError`` (never a crash, never a
/// silent wrong answer), and the message must name the file.
@Suite struct IOBrokenFileTests {
    /// Writes `data` under `name` and reads it with `read`, returning the error.
    private func failure(_ data: Data, _ name: String, _ read: (String) throws -> Any) throws -> S2MError? {
        let tmp = try TemporaryDirectory()
        let path = try tmp.write(data, name)
        let error = s2mError { try read(path) }
        if let error { #expect(error.description.hasPrefix(path), "message must name the file: \(error)") }
        return error
    }

    private func image(_ path: String) throws -> Any { try ImageReader.read(path) }
    private func scores(_ path: String) throws -> Any { try ScoreReader.read(path) }
    private func labels(_ path: String) throws -> Any { try LabelReader.read(path) }

    private static let goodPNG = HandMadePNG.make(width: 4, height: 3, bitDepth: 8, colorType: 0,
                                                  rows: [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]])

    // MARK: PNG

    @Test func pngTruncatedAnywhere() throws {
        let good = Self.goodPNG
        #expect(try LabelReader.decode(good, format: .png, file: "g").pixels == (0..<12).map(UInt16.init))
        // Cut inside the signature, inside IHDR, inside IDAT, just before IEND, inside IEND.
        let idatStart = 8 + 25
        for cut in [3, 8, 20, idatStart + 10, good.count - 12, good.count - 1] {
            let error = try failure(good.prefix(cut), "cut\(cut).png", labels)
            #expect(error?.problem.kind == "truncated", "cut at \(cut): \(String(describing: error))")
        }
    }

    @Test func pngBadSignatureAndBadCRC() throws {
        var bad = Self.goodPNG
        bad[1] = 0x51  // "\x89QNG"
        #expect(try failure(bad, "bad.png", image)?.problem.kind == "corrupt")

        var crc = [UInt8](Self.goodPNG)
        crc[8 + 8 + 13] ^= 0xFF  // the IHDR CRC
        let error = try failure(Data(crc), "crc.png", image)
        #expect(error?.problem.kind == "corrupt")
        #expect(error?.description.contains("CRC") == true)

        var flipped = [UInt8](Self.goodPNG)
        flipped[8 + 25 + 8 + 2 + 5 + 3] ^= 0x01  // a pixel byte inside IDAT: IDAT CRC no longer matches
        #expect(try failure(Data(flipped), "idat.png", image)?.problem.kind == "corrupt")
    }

    @Test func pngLyingHeaders() throws {
        // IHDR claims 6 rows, the data holds 3.
        let taller = HandMadePNG.make(width: 4, height: 6, bitDepth: 8, colorType: 0, rows: [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]])
        let error = try failure(taller, "taller.png", labels)
        #expect(error?.problem.kind == "corrupt")
        #expect(error?.description.contains("image data") == true)
        // Zero width, a bit depth PNG does not have, a colour type that does not exist.
        for (name, ihdr) in [("zero.png", HandMadePNG.ihdr(width: 0, height: 3, bitDepth: 8, colorType: 0)),
                             ("depth3.png", HandMadePNG.ihdr(width: 4, height: 3, bitDepth: 3, colorType: 0)),
                             ("type5.png", HandMadePNG.ihdr(width: 4, height: 3, bitDepth: 8, colorType: 5)),
                             ("rgb4bit.png", HandMadePNG.ihdr(width: 4, height: 3, bitDepth: 4, colorType: 2))] {
            let data = HandMadePNG.make(width: 4, height: 3, bitDepth: 8, colorType: 0, rows: [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], ihdrOverride: ihdr)
            #expect(try failure(data, name, labels)?.problem.kind == "corrupt", "\(name)")
        }
        // Palette image whose indices point past its 2-entry palette.
        let palette = HandMadePNG.make(width: 2, height: 1, bitDepth: 8, colorType: 3, rows: [[0, 5]], palette: [0, 0, 0, 255, 255, 255])
        let paletteError = try failure(palette, "pal.png", labels)
        #expect(paletteError?.problem.kind == "corrupt")
        #expect(paletteError?.description.contains("palette index 5") == true)
        // Palette colour type without a PLTE chunk.
        let noPLTE = HandMadePNG.make(width: 2, height: 1, bitDepth: 8, colorType: 3, rows: [[0, 1]])
        #expect(try failure(noPLTE, "noplte.png", image)?.problem.kind == "corrupt")
    }

    @Test func pngHugeDimensionsFailBeforeAllocating() throws {
        // 200000 x 200000 RGBA 16-bit would need 320 GB: must fail on the header, at once.
        let huge = HandMadePNG.make(width: 200_000, height: 200_000, bitDepth: 16, colorType: 6, rows: [[]],
                                    ihdrOverride: HandMadePNG.ihdr(width: 200_000, height: 200_000, bitDepth: 16, colorType: 6))
        #expect(try failure(huge, "huge.png", image)?.problem == .tooLarge(width: 200_000, height: 200_000, limit: ReadOptions.defaultMaxPixels))
        // The limit is configurable: a 4x3 image over a 10-pixel limit.
        #expect(problem { try LabelReader.decode(Self.goodPNG, format: .png, file: "g", options: ReadOptions(maxPixels: 10)) }
                == .tooLarge(width: 4, height: 3, limit: 10))
        // Width at PNG's maximum, 2^31 - 1.
        let widest = HandMadePNG.make(width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [[0]],
                                      ihdrOverride: HandMadePNG.ihdr(width: 0x7FFF_FFFF, height: 0x7FFF_FFFF, bitDepth: 8, colorType: 0))
        #expect(try failure(widest, "widest.png", labels)?.problem.kind == "tooLarge")
    }

    // MARK: JPEG

    @Test func jpegTruncatedCorruptAndHuge() throws {
        let good = try IOFixtures.data("gradient_420.jpg")
        for cut in [2, 100, good.count / 2, good.count - 2] {
            let error = try failure(good.prefix(cut), "cut\(cut).jpg", image)
            #expect(error?.problem.kind == "truncated", "cut at \(cut) of \(good.count): \(String(describing: error))")
        }
        // Bad magic: first marker byte damaged, so the file is no longer recognised as a JPEG.
        var bad = good
        bad[0] = 0x00
        #expect(try failure(bad, "bad.jpg", image)?.problem.kind == "corrupt")
        // SOF0 claims 60000 x 60000 (3.6 gigapixels): over the limit, refused from the header.
        var huge = [UInt8](good)
        let sof = try #require((0..<(huge.count - 1)).first { huge[$0] == 0xFF && huge[$0 + 1] == 0xC0 })
        huge[sof + 5] = 0xEA; huge[sof + 6] = 0x60  // height 60000
        huge[sof + 7] = 0xEA; huge[sof + 8] = 0x60  // width 60000
        #expect(try failure(Data(huge), "huge.jpg", image)?.problem == .tooLarge(width: 60000, height: 60000, limit: ReadOptions.defaultMaxPixels))
        // A header that lies about the size within the limit: data runs out.
        var taller = [UInt8](good)
        taller[sof + 5] = 0x01; taller[sof + 6] = 0x00  // height 256 instead of 48
        #expect(try failure(Data(taller), "taller.jpg", image)?.problem.kind == "truncated")
    }

    // MARK: WebP

    @Test func webpTruncatedCorruptAnimatedAndHuge() throws {
        for name in ["gradient_lossy.webp", "lossless_3x2.webp"] {
            let good = try IOFixtures.data(name)
            for cut in [6, 20, good.count / 2, good.count - 1] {
                let error = try failure(good.prefix(cut), "cut\(cut)-\(name)", image)
                #expect(error?.problem.kind == "truncated", "\(name) cut at \(cut) of \(good.count): \(String(describing: error))")
            }
        }
        // Damaged bitstream: the VP8L signature byte after the chunk header.
        var bad = [UInt8](try IOFixtures.data("lossless_3x2.webp"))
        bad[20] = 0x00
        #expect(try failure(Data(bad), "bad.webp", image)?.problem.kind == "corrupt")
        // VP8L header claiming 16384 x 16384 (268 MP): 14-bit (size - 1) fields after the 0x2f byte.
        var huge = [UInt8](try IOFixtures.data("lossless_3x2.webp"))
        let bits: UInt32 = 0x3FFF | 0x3FFF << 14 | UInt32(huge[24] & 0xF0) << 24
        huge[21] = UInt8(bits & 0xFF); huge[22] = UInt8((bits >> 8) & 0xFF)
        huge[23] = UInt8((bits >> 16) & 0xFF); huge[24] = UInt8(bits >> 24)
        #expect(try failure(Data(huge), "huge.webp", image)?.problem == .tooLarge(width: 16384, height: 16384, limit: ReadOptions.defaultMaxPixels))
        // An animated WebP (VP8X with the animation flag, an ANIM chunk, no frames).
        var animated: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8)
        animated += Array("VP8X".utf8) + [10, 0, 0, 0, 0x02, 0, 0, 0, 3, 0, 0, 2, 0, 0]
        animated += Array("ANIM".utf8) + [6, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let size = UInt32(animated.count - 8)
        animated[4] = UInt8(size & 0xFF); animated[5] = UInt8(size >> 8)
        let error = try failure(Data(animated), "anim.webp", image)
        #expect(error?.problem.kind == "unsupported")
        #expect(error?.description.contains("animated") == true)
    }

    // MARK: NPY

    /// An NPY file with a hand-written header dict and raw payload bytes.
    private func npy(_ dict: String, _ payload: [UInt8], major: UInt8 = 1) -> Data {
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
        let length = dict.utf8.count
        bytes += major == 1 ? [UInt8(length & 0xFF), UInt8(length >> 8)] : [UInt8(length & 0xFF), UInt8(length >> 8), 0, 0]
        return Data(bytes + Array(dict.utf8) + payload)
    }

    @Test func npyTruncatedAndBadMagic() throws {
        let good = try IOFixtures.data("numpy_scores_v1.npy")
        for cut in [4, 9, 60, good.count - 1] {
            let error = try failure(good.prefix(cut), "cut\(cut).npy", scores)
            #expect(error?.problem.kind == "truncated", "cut at \(cut): \(String(describing: error))")
        }
        var bad = good
        bad[1] = 0x4F  // "\x93OUMPY"
        #expect(try failure(bad, "bad.npy", scores)?.problem.kind == "corrupt")
    }

    @Test func npyLyingHeaders() throws {
        let sixFloats = [UInt8](repeating: 0, count: 24)
        // Shape says 8 values, data holds 6.
        let short = try failure(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", sixFloats), "short.npy", scores)
        #expect(short?.problem.kind == "truncated")
        #expect(short?.description.contains("needs 32") == true)
        // Shape says 4 values, data holds 6.
        #expect(try failure(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", sixFloats), "long.npy", scores)?.problem.kind == "corrupt")
        // Header length field larger than the file.
        var longHeader = [UInt8](npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", sixFloats))
        longHeader[8] = 0xFF; longHeader[9] = 0xFF
        #expect(try failure(Data(longHeader), "hlen.npy", scores)?.problem.kind == "truncated")
        // Huge shape: refused by the pixel limit before anything is read or allocated.
        #expect(try failure(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", sixFloats), "huge.npy", scores)?.problem
                == .tooLarge(width: 100000, height: 100000, limit: ReadOptions.defaultMaxPixels))
        // ...and by the data length for the general reader.
        #expect(try failure(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", sixFloats), "huge2.npy", { try NPYReader.read($0) })?.problem.kind == "truncated")
        // A shape whose element count overflows.
        #expect(try failure(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", sixFloats), "overflow.npy", { try NPYReader.read($0) })?.problem.kind == "corrupt")
        // Negative extent, missing key, not a dict, garbage.
        for (name, dict) in [("neg.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }"),
                             ("nokey.npy", "{'descr': '<f4', 'shape': (2, 3), }"),
                             ("list.npy", "['<f4', False, (2, 3)]"),
                             ("garbage.npy", "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3), }"),
                             ("unterminated.npy", "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3), }"),
                             ("order.npy", "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }")] {
            #expect(try failure(npy(dict, sixFloats), name, scores)?.problem.kind == "corrupt", "\(name)")
        }
    }

    @Test func npyWrongDtypesAndVersions() throws {
        let payload = [UInt8](repeating: 0, count: 48)
        for descr in ["<c8", "|O", "<U2", "|S4", "<M8[ns]", "<f16", "<i3", "V8"] {
            let error = try failure(npy("{'descr': '\(descr)', 'fortran_order': False, 'shape': (2, 3), }", payload), "dtype.npy", scores)
            #expect(error?.problem.kind == "unsupported", "\(descr)")
            #expect(error?.description.contains(descr) == true, "\(descr): \(String(describing: error))")
        }
        let structured = try failure(npy("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (3,), }", [UInt8](repeating: 0, count: 24)), "struct.npy", scores)
        #expect(structured?.problem.kind == "unsupported")
        var v4 = [UInt8](npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0]))
        v4[6] = 4
        #expect(try failure(Data(v4), "v4.npy", scores)?.problem.kind == "unsupported")
    }

    // MARK: NPZ

    @Test func npzTruncatedCorruptAndEmpty() throws {
        for name in ["numpy_scores_compressed.npz", "numpy_two_arrays.npz"] {
            let good = try IOFixtures.data(name)
            for cut in [3, good.count / 2, good.count - 1] {
                let error = try failure(good.prefix(cut), "cut\(cut)-\(name)", { try NPZReader.decodeAll(try InputFile.read($0), file: $0) })
                #expect(error?.problem.kind == "truncated", "\(name) cut at \(cut): \(String(describing: error))")
            }
        }
        // A damaged byte inside the deflated member: inflate or CRC check must fail.
        var deflated = [UInt8](try IOFixtures.data("numpy_scores_compressed.npz"))
        deflated[30 + 9 + 20 + 40] ^= 0x55
        #expect(try failure(Data(deflated), "flip.npz", scores)?.problem.kind == "corrupt")
        // A damaged byte inside a stored member's array data: only the CRC catches it.
        var stored = [UInt8](try IOFixtures.data("numpy_two_arrays.npz"))
        let dataStart = try #require((0..<(stored.count - 6)).first { stored[$0] == 0x93 && stored[$0 + 1] == 0x4E && stored[$0 + 2] == 0x55 })
        stored[dataStart + 128 + 5] ^= 0x01
        let crc = try failure(Data(stored), "crc.npz", { try ScoreReader.read($0, options: ReadOptions(npzMember: "first")) })
        #expect(crc?.problem.kind == "corrupt")
        #expect(crc?.description.contains("CRC") == true)
        // A zip with no .npy members (a zip of a text file, made by hand: stored, no compression).
        let text = Array("hello".utf8)
        let crcText = HandMadePNG.crc32(text)
        var zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        zip += le32(crcText) + le32(5) + le32(5) + [9, 0, 0, 0] + Array("hello.txt".utf8) + text
        let central = zip.count
        zip += [0x50, 0x4B, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0] + le32(crcText) + le32(5) + le32(5)
        zip += [9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] + le32(0) + Array("hello.txt".utf8)
        let centralSize = zip.count - central
        zip += [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0] + le32(UInt32(centralSize)) + le32(UInt32(central)) + [0, 0]
        let empty = try failure(Data(zip), "text.npz", scores)
        #expect(empty?.problem.kind == "corrupt")
        #expect(empty?.description.contains("no .npy") == true)
    }

    private func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }

    // MARK: Files and formats

    @Test func missingEmptyDirectoryAndUnknownFormats() throws {
        #expect(problem { try ImageReader.read("/nonexistent/x.png") } == .missingFile)
        let tmp = try TemporaryDirectory()
        #expect(problem { try ScoreReader.read(tmp.url.path) } == .unreadable("is a directory"))
        #expect(try failure(Data(), "empty.png", image)?.problem.kind == "truncated")
        let cases: [(String, [UInt8], String)] = [
            ("tiff.png", [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], "TIFF"),
            ("gif.png", Array("GIF89a".utf8) + [1, 0, 1, 0], "GIF"),
            ("bmp.png", Array("BM".utf8) + [0, 0, 0, 0, 0, 0], "BMP"),
            ("notes.npy", Array("just some text\n".utf8), "text"),
        ]
        for (name, bytes, word) in cases {
            let error = try failure(Data(bytes), name, scores)
            #expect(error?.problem.kind == "unsupported", "\(name)")
            #expect(error?.description.contains(word) == true, "\(name): \(String(describing: error))")
        }
        let random = try failure(Data([0x00, 0x01, 0xFE, 0x42, 0x99]), "random.png", image)
        #expect(random?.problem.kind == "corrupt")
        #expect(random?.description.contains("00 01 fe 42 99") == true)
    }

    @Test func sizeMismatchNamesBothFiles() throws {
        let tmp = try TemporaryDirectory()
        let imagePath = try tmp.write(HandMadePNG.make(width: 2, height: 2, bitDepth: 8, colorType: 2, rows: [[0, 0, 0, 1, 1, 1], [2, 2, 2, 3, 3, 3]]), "img.png")
        let scoresPath = tmp.path("s.npy")
        try NPYWriter.write(NDArray(shape: [2, 3], values: Array(repeating: 0, count: 6)), to: scoresPath)
        let labelPath = try tmp.write(HandMadePNG.make(width: 2, height: 2, bitDepth: 8, colorType: 0, rows: [[0, 1], [1, 0]]), "l.png")
        let error = s2mError { try InputCase.load(image: imagePath, scores: scoresPath, label: labelPath) }
        #expect(error?.problem.kind == "sizeMismatch")
        #expect(error?.description == "\(scoresPath): size mismatch: scores are 3x2 but the image \(imagePath) is 2x2")
        let ok = try InputCase.load(image: imagePath, label: labelPath)
        #expect(ok.label?.pixels == [0, 1, 1, 0])
    }
}
