import Foundation
import Testing
@testable import S2MCore

@Suite struct IOAtomicWriteTests {
    private func leftovers(_ tmp: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: tmp.url.path).filter { $0.hasSuffix(".tmp") }
    }

    @Test func writesAndReplacesWithoutLeavingTemporaryFiles() throws {
        let tmp = try TemporaryDirectory()
        let path = tmp.path("out.bin")
        try AtomicFileWriter.write(Data([1, 2, 3]), to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 2, 3]))
        try AtomicFileWriter.write(Data([4]), to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([4]))
        #expect(try leftovers(tmp).isEmpty)
    }

    @Test func refusesToOverwriteInputsHoweverTheyAreNamed() throws {
        let tmp = try TemporaryDirectory()
        let input = try tmp.write(Data([9, 9]), "scores.npy")
        let sub = tmp.path("sub")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        let link = tmp.path("link.npy")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: input)
        let hard = tmp.path("hard.npy")
        try FileManager.default.linkItem(atPath: input, toPath: hard)
        for target in [input, "\(sub)/../scores.npy", "\(tmp.url.path)/./scores.npy", link, hard] {
            let error = s2mError { try AtomicFileWriter.write(Data([0]), to: target, protecting: [input]) }
            #expect(error?.problem.kind == "writeFailed", "\(target)")
            #expect(error?.description.contains("refusing to overwrite the input") == true)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == Data([9, 9]))
        // Another name in the same folder is fine.
        try AtomicFileWriter.write(Data([0]), to: tmp.path("other.npy"), protecting: [input])
        #expect(try leftovers(tmp).isEmpty)
    }

    @Test func clearErrorsForMissingDirectoriesAndDirectoryTargets() throws {
        let tmp = try TemporaryDirectory()
        let nested = tmp.path("a/b/out.png")
        let error = s2mError { try AtomicFileWriter.write(Data([1]), to: nested) }
        #expect(error?.problem.kind == "writeFailed" && error?.file == nested)
        try AtomicFileWriter.write(Data([1]), to: nested, createDirectories: true)
        #expect(FileManager.default.fileExists(atPath: nested))
        #expect(problem { try AtomicFileWriter.write(Data([1]), to: tmp.path("a")) } == .writeFailed("is a directory"))
    }

    @Test func rasterWritersRoundTripThroughTheReaders() throws {
        let tmp = try TemporaryDirectory()
        let mask = Mask(width: 3, height: 1, pixels: [true, false, true])
        try RasterWriter.writeMask(mask, to: tmp.path("m.png"))
        #expect(try LabelReader.read(tmp.path("m.png")).pixels == [1, 0, 1])
        let labels = LabelMap(width: 2, height: 1, pixels: [0, 300])
        try RasterWriter.writeLabels(labels, to: tmp.path("l.png"))
        #expect(try LabelReader.read(tmp.path("l.png")) == labels)
        let image = RGBImage(width: 1, height: 2, pixels: [RGB(1, 2, 3), RGB(4, 5, 6)])
        try RasterWriter.writePNG(image, to: tmp.path("i.png"))
        #expect(try ImageReader.read(tmp.path("i.png")) == image)
        #expect(problem { try RasterWriter.writePNG(image, to: tmp.path("i.png"), protecting: [tmp.path("i.png")]) }?.kind == "writeFailed")
    }
}
