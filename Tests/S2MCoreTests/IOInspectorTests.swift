import Foundation
import Testing
@testable import S2MCore

/// `s2m info`'s library side: kind guessing, statistics, histograms, skipped and failed files.
@Suite struct IOInspectorTests {
    @Test func scoresStatisticsCountNonFiniteValuesSeparately() throws {
        let tmp = try TemporaryDirectory()
        let path = tmp.path("s.npy")
        try NPYWriter.write(NDArray(shape: [2, 3], values: [0.25, .nan, 1, .infinity, -.infinity, -0.5]), to: path)
        let report = FileInspector().inspect(path)
        #expect(report.status == .ok && report.kind == .scores && report.format == "NPY")
        #expect(report.width == 3 && report.height == 2 && report.shape == [2, 3] && report.dtype == "<f4")
        let v = try #require(report.values)
        #expect(v.min == -0.5 && v.max == 1 && v.mean == 0.25 && v.count == 6)
        #expect(v.nanCount == 1 && v.positiveInfinityCount == 1 && v.negativeInfinityCount == 1)
    }

    @Test func labelsGetAHistogramAndRoleCounts() throws {
        let tmp = try TemporaryDirectory()
        let path = try tmp.write(HandMadePNG.make(width: 3, height: 2, bitDepth: 8, colorType: 0, rows: [[0, 1, 255], [0, 0, 2]]), "l.png")
        let report = FileInspector().inspect(path)
        #expect(report.kind == .label && report.bitDepth == 8 && report.channels == 1)
        let labels = try #require(report.labels)
        #expect(labels.histogram == [.init(value: 0, count: 3), .init(value: 1, count: 1), .init(value: 2, count: 1), .init(value: 255, count: 1)])
        #expect(labels.encoding == "smiyc" && labels.oodCount == 1 && labels.voidCount == 1 && labels.inDistributionCount == 4)
        let road = FileInspector(encoding: .roadAnomaly).inspect(path).labels
        #expect(road?.oodCount == 1 && road?.voidCount == 0 && road?.encoding == "road-anomaly")
    }

    @Test func kindGuessingAndOverride() throws {
        let tmp = try TemporaryDirectory()
        // A gray PNG with many values is a score map (value / 255).
        let ramp = try tmp.write(HandMadePNG.make(width: 100, height: 1, bitDepth: 8, colorType: 0, rows: [(0..<100).map { UInt8($0) }]), "ramp.png")
        let report = FileInspector().inspect(ramp)
        #expect(report.kind == .scores && report.values?.max == Double(Float(99) / 255))
        #expect(FileInspector(forcedKind: .label).inspect(ramp).labels?.histogram.count == 100)
        #expect(FileInspector(forcedKind: .image).inspect(ramp).kind == .image)
        // Colour PNGs and JPEGs are images; forcing them to scores fails with the reader's message.
        #expect(FileInspector().inspect(IOFixtures.path("gray_77.jpg")).kind == .image)
        let forced = FileInspector(forcedKind: .scores).inspect(IOFixtures.path("gray_77.jpg"))
        #expect(forced.status == .failed && forced.error?.contains("lossy") == true)
        // Integer arrays with few values are labels; N-D arrays are arrays.
        try tmp.write(try NPYWriter.encode(NDArray(shape: [1, 4], values: [0, 1, 1, 255]), dtype: .uint8), "l.npy")
        #expect(FileInspector().inspect(tmp.path("l.npy")).kind == .label)
        try NPYWriter.write(NDArray(shape: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, 8]), to: tmp.path("cube.npy"))
        let cube = FileInspector().inspect(tmp.path("cube.npy"))
        #expect(cube.kind == .array && cube.values?.mean == 4.5 && cube.width == nil)
    }

    @Test func textIsSkippedButBrokenAndUnknownFilesFail() throws {
        let tmp = try TemporaryDirectory()
        let notes = try tmp.write(Data("# Sources\nphoto by ...\n".utf8), "SOURCES.md")
        #expect(FileInspector().inspect(notes).status == .skipped)
        // Text under a raster extension is a broken file, not a note.
        let fake = try tmp.write(Data("not really a png".utf8), "fake.png")
        let failed = FileInspector().inspect(fake)
        #expect(failed.status == .failed && failed.error?.contains("text") == true)
        let cut = try tmp.write(HandMadePNG.make(width: 2, height: 1, bitDepth: 8, colorType: 0, rows: [[1, 2]]).prefix(30), "cut.png")
        #expect(FileInspector().inspect(cut).error?.hasPrefix("truncated") == true)
        #expect(FileInspector().inspect(tmp.path("missing.png")).error == "no such file")
        let npz = FileInspector().inspect(IOFixtures.path("numpy_two_arrays.npz"))
        #expect(npz.status == .ok && npz.npzMember == nil && npz.npzMembers?.map(\.key) == ["first", "second"])
        let chosen = FileInspector(options: ReadOptions(npzMember: "second")).inspect(IOFixtures.path("numpy_two_arrays.npz"))
        #expect(chosen.kind == .scores && chosen.values?.max == 2)
    }

    @Test func directoriesExpandRecursivelyInSortedOrder() throws {
        let tmp = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: tmp.path("b/c"), withIntermediateDirectories: true)
        for name in ["b/z.png", "b/a.png", "b/c/m.npy", ".hidden", "b/.hidden.png"] { try tmp.write(Data([0]), name) }
        let root = tmp.url.path
        #expect(FileInspector.expand([tmp.path("b"), "x.png"]) == ["\(root)/b/a.png", "\(root)/b/c/m.npy", "\(root)/b/z.png", "x.png"])
    }
}
