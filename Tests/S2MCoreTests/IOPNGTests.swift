import Foundation
import Testing
@testable import S2MCore

/// PNG decoding checked pixel by pixel on files written by hand (``HandMadePNG``), and PNG
/// encoding checked by round trips.
@Suite struct IOPNGTests {
    /// Decodes a hand-made PNG as image, scores and labels.
    private func all(_ data: Data) throws -> (PNGImage, RGBImage, LabelMap) {
        let png = try PNGCodec.decode(data, file: "t.png")
        return (png, ImageReader.rgb(from: png), try LabelReader.labels(from: png, file: "t.png"))
    }

    @Test func gray1BitUnpacksNonByteAlignedRows() throws {
        // 10 columns: row 0 = 1010110011, row 1 = 0000000001 (packed MSB first, padded).
        let data = HandMadePNG.make(width: 10, height: 2, bitDepth: 1, colorType: 0, rows: [[0xAC, 0xC0], [0x00, 0x40]])
        let (png, image, labels) = try all(data)
        let bits: [UInt16] = [1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect(png.bitDepth == 1 && png.colorType == .gray && png.maxSampleValue == 1)
        #expect(labels.pixels == bits)
        #expect(image.pixels == bits.map { RGB(gray: $0 == 1 ? 255 : 0) })
        let scores = try ScoreReader.scores(from: png, file: "t.png")
        #expect(scores.pixels == bits.map { Float($0) })
    }

    @Test func gray2And4BitScaleToValueOverMax() throws {
        let two = try all(HandMadePNG.make(width: 3, height: 1, bitDepth: 2, colorType: 0, rows: [[0x1C]]))
        #expect(two.2.pixels == [0, 1, 3])
        #expect(two.1.pixels == [RGB(gray: 0), RGB(gray: 85), RGB(gray: 255)])
        #expect(try ScoreReader.scores(from: two.0, file: "t").pixels == [0, 1.0 / 3.0, 1])

        let four = try all(HandMadePNG.make(width: 3, height: 1, bitDepth: 4, colorType: 0, rows: [[0x07, 0xF0]]))
        #expect(four.2.pixels == [0, 7, 15])
        #expect(four.1.pixels == [RGB(gray: 0), RGB(gray: 119), RGB(gray: 255)])  // round(7 * 255 / 15) = 119
        #expect(try ScoreReader.scores(from: four.0, file: "t").pixels == [0, 7.0 / 15.0, 1])
    }

    @Test func gray8BitKeepsValues() throws {
        let (png, image, labels) = try all(HandMadePNG.make(width: 2, height: 2, bitDepth: 8, colorType: 0, rows: [[0, 1], [255, 128]]))
        #expect(labels.pixels == [0, 1, 255, 128])
        #expect(labels[0, 1] == 255)  // x = 0, y = 1: second row, first column
        #expect(image.pixels == [RGB(gray: 0), RGB(gray: 1), RGB(gray: 255), RGB(gray: 128)])
        #expect(try ScoreReader.scores(from: png, file: "t").pixels == [0, 1 / 255, 1, 128 / 255])
    }

    @Test func gray16BitIsBigEndianInTheFileAndExactInMemory() throws {
        let (png, image, labels) = try all(HandMadePNG.make(width: 2, height: 1, bitDepth: 16, colorType: 0, rows: [[0x01, 0x02, 0xFF, 0xFF]]))
        #expect(labels.pixels == [258, 65535])
        #expect(image.pixels == [RGB(gray: 1), RGB(gray: 255)])  // round(258 * 255 / 65535) = 1
        #expect(try ScoreReader.scores(from: png, file: "t").pixels == [258 / 65535, 1])
    }

    @Test func colourTypesConvertToRGB() throws {
        func image(_ data: Data) throws -> RGBImage { ImageReader.rgb(from: try PNGCodec.decode(data, file: "t")) }
        let grayAlpha = try image(HandMadePNG.make(width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[10, 255, 20, 0]]))
        #expect(grayAlpha.pixels == [RGB(gray: 10), RGB(gray: 20)])  // alpha dropped, not composited

        let rgb = try image(HandMadePNG.make(width: 2, height: 1, bitDepth: 8, colorType: 2, rows: [[1, 2, 3, 250, 251, 252]]))
        #expect(rgb.pixels == [RGB(1, 2, 3), RGB(250, 251, 252)])

        let rgb16 = try PNGCodec.decode(HandMadePNG.make(width: 1, height: 1, bitDepth: 16, colorType: 2, rows: [[0x12, 0x34, 0x80, 0x00, 0xFF, 0xFF]]), file: "t")
        #expect(ImageReader.rgb(from: rgb16).pixels == [RGB(18, 128, 255)])

        let rgba = try image(HandMadePNG.make(width: 1, height: 1, bitDepth: 8, colorType: 6, rows: [[9, 8, 7, 0]]))
        #expect(rgba.pixels == [RGB(9, 8, 7)])
    }

    @Test func paletteIndicesAreLabelValuesAndColoursForImages() throws {
        // Indices 2, 0, 1 at 2 bits: 10 00 01 00.
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255]
        let (png, image, labels) = try all(HandMadePNG.make(width: 3, height: 1, bitDepth: 2, colorType: 3, rows: [[0x84]], palette: palette))
        #expect(png.colorType == .palette && png.palette.count == 3)
        #expect(labels.pixels == [2, 0, 1])
        #expect(image.pixels == [RGB(0, 0, 255), RGB(255, 0, 0), RGB(0, 255, 0)])
        // A palette PNG is not a score map.
        #expect(problem { try ScoreReader.scores(from: png, file: "t") }?.kind == "unsupported")
    }

    @Test func interlacedImagesAreDeinterlaced() throws {
        let pixels = (0..<15).map { UInt8($0 * 17) }
        let data = HandMadePNG.makeInterlacedGray8(width: 5, height: 3, pixels: pixels)
        let png = try PNGCodec.decode(data, file: "t")
        #expect(png.interlaced)
        #expect(try LabelReader.labels(from: png, file: "t").pixels == pixels.map(UInt16.init))
    }

    @Test func grayLabelsSavedAsRGBAreAcceptedButColourLabelsAreNot() throws {
        let grayish = try PNGCodec.decode(HandMadePNG.make(width: 2, height: 1, bitDepth: 8, colorType: 2, rows: [[2, 2, 2, 0, 0, 0]]), file: "t")
        #expect(try LabelReader.labels(from: grayish, file: "t").pixels == [2, 0])
        let colour = try PNGCodec.decode(HandMadePNG.make(width: 2, height: 1, bitDepth: 8, colorType: 2, rows: [[0, 0, 0, 255, 69, 0]]), file: "t")
        let error = s2mError { try LabelReader.labels(from: colour, file: "c.png") }
        #expect(error?.problem.kind == "unsupported")
        #expect(error?.description.contains("pixel (1, 0)") == true)
    }

    @Test func roundTripRGB8Gray8Gray16() throws {
        var state: UInt32 = 12345
        func next() -> UInt32 { state = state &* 1_664_525 &+ 1_013_904_223; return state >> 8 }
        let rgb = RGBImage(width: 7, height: 5, pixels: (0..<35).map { _ in RGB(UInt8(next() & 255), UInt8(next() & 255), UInt8(next() & 255)) })
        let gray8 = Raster<UInt8>(width: 9, height: 4, pixels: (0..<36).map { _ in UInt8(next() & 255) })
        let gray16 = Raster<UInt16>(width: 3, height: 6, pixels: (0..<18).map { _ in UInt16(next() & 0xFFFF) } + [])

        let rgbBack = try PNGCodec.decode(try PNGCodec.encode(rgb), file: "t")
        #expect(rgbBack.colorType == .rgb && rgbBack.bitDepth == 8)
        #expect(ImageReader.rgb(from: rgbBack) == rgb)

        let gray8Back = try PNGCodec.decode(try PNGCodec.encode(gray8), file: "t")
        #expect(gray8Back.colorType == .gray && gray8Back.bitDepth == 8)
        #expect(try LabelReader.labels(from: gray8Back, file: "t").pixels == gray8.pixels.map(UInt16.init))

        let gray16Back = try PNGCodec.decode(try PNGCodec.encode(gray16), file: "t")
        #expect(gray16Back.bitDepth == 16)
        #expect(try LabelReader.labels(from: gray16Back, file: "t") == gray16)
        #expect(try ScoreReader.scores(from: gray16Back, file: "t").pixels == gray16.pixels.map { Float($0) / 65535 })
    }

    @Test func labelEncodingPicksTheNarrowestDepth() throws {
        let small = LabelMap(width: 2, height: 1, pixels: [0, 255])
        let wide = LabelMap(width: 2, height: 1, pixels: [0, 256])
        #expect(try PNGCodec.decode(try PNGCodec.encodeLabels(small), file: "t").bitDepth == 8)
        let back = try PNGCodec.decode(try PNGCodec.encodeLabels(wide), file: "t")
        #expect(back.bitDepth == 16)
        #expect(try LabelReader.labels(from: back, file: "t") == wide)
    }

    @Test func writersRefuseEmptyRasters() {
        #expect(problem { try PNGCodec.encode(Raster<UInt8>(width: 0, height: 3, pixels: [])) }?.kind == "writeFailed")
    }

    @Test func headerOnlyReadsDoNotDecode() throws {
        let data = HandMadePNG.make(width: 3, height: 1, bitDepth: 4, colorType: 0, rows: [[0x07, 0xF0]])
        let header = try PNGCodec.readHeader(data, file: "t")
        #expect(header == PNGHeader(width: 3, height: 1, bitDepth: 4, colorType: .gray, interlaced: false))
    }
}
