import Foundation
import Testing
@testable import S2MCore

/// JPEG and WebP decoding on small fixtures made by make_codec_fixtures.c, format detection by
/// magic bytes, and the real RoadAnomaly frames when ../shared is present.
@Suite struct IOCodecTests {
    /// True when every channel of `a` is within `tolerance` of `b`.
    private func near(_ a: RGB, _ b: RGB, _ tolerance: Int) -> Bool {
        abs(Int(a.r) - Int(b.r)) <= tolerance && abs(Int(a.g) - Int(b.g)) <= tolerance && abs(Int(a.b) - Int(b.b)) <= tolerance
    }

    @Test func jpegBaselineAndProgressiveDecodeToTheEncodedColours() throws {
        for name in ["two_blocks_444.jpg", "two_blocks_progressive.jpg"] {
            let image = try ImageReader.read(IOFixtures.path(name))
            #expect(image.width == 16 && image.height == 8, "\(name)")
            // Quality 100, 4:4:4, flat 8x8 blocks: only YCbCr rounding remains (a unit or two).
            for y in 0..<8 {
                for x in 0..<16 {
                    let want = x < 8 ? RGB(200, 30, 40) : RGB(20, 120, 220)
                    #expect(near(image[x, y], want, 2), "\(name) (\(x),\(y)) = \(image[x, y])")
                }
            }
        }
        let header = try JPEGDecoder.readHeader(try IOFixtures.data("two_blocks_444.jpg"), file: "t")
        #expect(header == JPEGHeader(width: 16, height: 8, components: 3, subsampling: "4:4:4"))
    }

    @Test func grayscaleJPEGBecomesEqualChannels() throws {
        let image = try ImageReader.read(IOFixtures.path("gray_77.jpg"))
        #expect(image.size == RasterSize(width: 8, height: 8))
        #expect(image.pixels.allSatisfy { $0.r == $0.g && $0.g == $0.b && abs(Int($0.r) - 77) <= 1 })
        #expect(try JPEGDecoder.readHeader(try IOFixtures.data("gray_77.jpg"), file: "t").components == 1)
    }

    @Test func webpLosslessIsExactAndAlphaIsDropped() throws {
        let image = try ImageReader.read(IOFixtures.path("lossless_3x2.webp"))
        #expect(image.width == 3 && image.height == 2)
        #expect(image.pixels == [RGB(255, 0, 0), RGB(0, 255, 0), RGB(0, 0, 255), RGB(10, 20, 30), RGB(40, 50, 60), RGB(70, 80, 90)])
        let header = try WebPDecoder.readHeader(try IOFixtures.data("lossless_3x2.webp"), file: "t")
        #expect(header.compression == "lossless" && !header.isAnimated)

        let rgba = try ImageReader.read(IOFixtures.path("lossless_rgba_2x1.webp"))
        #expect(rgba.pixels == [RGB(10, 20, 30), RGB(200, 100, 50)])
        #expect(try WebPDecoder.readHeader(try IOFixtures.data("lossless_rgba_2x1.webp"), file: "t").hasAlpha)
    }

    @Test func lossyWebPAndJPEGGradientsStayClose() throws {
        // The fixtures encode r = 4x, g = 5y, b = 128 at 64x48.
        for name in ["gradient_lossy.webp", "gradient_420.jpg"] {
            let image = try ImageReader.read(IOFixtures.path(name))
            #expect(image.size == RasterSize(width: 64, height: 48))
            var total = 0
            for y in 0..<48 {
                for x in 0..<64 {
                    let p = image[x, y]
                    total += abs(Int(p.r) - 4 * x) + abs(Int(p.g) - 5 * y) + abs(Int(p.b) - 128)
                }
            }
            let meanError = Double(total) / Double(64 * 48 * 3)
            #expect(meanError < 4, "\(name): mean abs error \(meanError)")
        }
    }

    @Test func formatIsDetectedByMagicNotByExtension() throws {
        let tmp = try TemporaryDirectory()
        // A JPEG named .png and a PNG named .jpg read as what they are.
        let jpegNamedPNG = try tmp.write(try IOFixtures.data("two_blocks_444.jpg"), "photo.png")
        #expect(try ImageReader.read(jpegNamedPNG).width == 16)
        let png = HandMadePNG.make(width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [[9]])
        let pngNamedJPG = try tmp.write(png, "photo.jpg")
        #expect(try ImageReader.read(pngNamedJPG).pixels == [RGB(gray: 9)])
        #expect(FileFormat.detect(try IOFixtures.data("numpy_scores_v1.npy")) == .npy)
        #expect(FileFormat.detect(try IOFixtures.data("numpy_two_arrays.npz")) == .npz)
        #expect(FileFormat.detect(try IOFixtures.data("lossless_3x2.webp")) == .webp)
        #expect(FileFormat.detect(Data("hello".utf8)) == nil)
    }

    @Test func imagesAreNotScoresAndLossyFilesAreNotLabels() throws {
        let jpeg = IOFixtures.path("gray_77.jpg")
        #expect(problem { try ScoreReader.read(jpeg) }?.kind == "unsupported")
        #expect(problem { try LabelReader.read(jpeg) }?.kind == "unsupported")
        #expect(problem { try ImageReader.read(IOFixtures.path("numpy_scores_v1.npy")) }?.kind == "unsupported")
    }

    @Test(.enabled(if: SharedData.isPresent, "../shared/data/road_anomaly not found: skipped"))
    func realRoadAnomalyFramesAndLabels() throws {
        // OoD pixel fractions from ../shared/data/road_anomaly/SOURCE.md, 4 decimals.
        let fractions: [String: Double] = [
            "animals01_Guiguinto_railway_station_Calves": 0.0671, "animals03_Zebras_in_the_road": 0.2337,
            "animals06_sheep_roads_lambs": 0.3685, "animals08_on_the_main_street_of_village_Lin_Albania": 0.0176,
            "animals10_bovine_cattle_beside_road": 0.0277, "animals16_Donkeys_of_Morocco": 0.3118,
            "animals18_Goose_on_the_road_Memphis": 0.0130, "animals22_red_fox_on_road": 0.1991,
            "cones01_Beeston_MMB_A6_Middle_Street": 0.0426, "cones02_Broadmoor_Manhole_Cones": 0.0656,
            "cones06_VnA_traffic_cones": 0.0499, "vehicle02_Broadmoor_Cones_Skidloader": 0.0997,
        ]
        let frames = try SharedData.roadAnomalyFrames()
        #expect(frames.count == 12)
        let folder = SharedData.roadAnomaly.appendingPathComponent("frames")
        for name in frames {
            let image = folder.appendingPathComponent("\(name).jpg").path
            let label = folder.appendingPathComponent("\(name).labels/labels_semantic.png").path
            let loaded = try InputCase.load(image: image, label: label)
            #expect(loaded.image.size == RasterSize(width: 1280, height: 720))
            let labels = try #require(loaded.label)
            #expect(Set(labels.pixels).isSubset(of: [0, 2]), "\(name)")
            let counts = LabelEncoding.roadAnomaly.counts(labels)
            let fraction = Double(counts.ood) / Double(labels.count)
            #expect(abs(fraction - fractions[name]!) < 0.00006, "\(name): \(fraction)")
            // The photo is not flat: a decoder that failed silently would give one colour.
            #expect(Set(loaded.image.pixels.prefix(5000)).count > 50)
        }
    }
}
