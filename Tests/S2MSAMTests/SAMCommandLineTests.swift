import Foundation
import S2MCore
import Testing

/// The built `s2m` binary beside the test bundle (or under .build/debug); tests never build it.
enum S2MBinary {
    static var path: String? {
        var candidates: [String] = []
        if let first = CommandLine.arguments.first {
            var dir = URL(fileURLWithPath: first).deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("s2m").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        candidates.append(SAMFixtures.packageRoot.appendingPathComponent(".build/debug/s2m").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `run` on a Dispatch thread (the test awaits instead of blocking its own thread).
    static func runBlocking(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await blocking { try run(arguments) }
    }

    /// Runs s2m with `arguments`; returns the exit status, standard output and standard error.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

extension SAMHeavyTests {
    /// `s2m run --segmenter sam` end to end, against the fixtures.
    @Suite(.enabled(if: SAMFixtures.isPresent, SAMFixtures.skipMessage),
           .enabled(if: S2MBinary.path != nil, "the s2m binary is not built (run swift build first): skipped"))
    struct SAMCommandLineTests {
        let fixture = SAMFixtureModel.vitTiny

        var modelArguments: [String] {
            ["--segmenter", "sam", "--checkpoint", fixture.path("checkpoint.pth"),
             "--segmenter-option", "pixel-mean=" + fixture.pixelMean.map { "\($0)" }.joined(separator: ","),
             "--segmenter-option", "pixel-std=" + fixture.pixelStd.map { "\($0)" }.joined(separator: ","),
             "--segmenter-option", "cache=off"]
        }

        @Test func onePromptWritesTheOfficialLogits() async throws {
            let folder = try TemporaryFolder()
            let logits = folder.url.appendingPathComponent("point.npy").path
            let arguments = ["run", "--image", SAMFixtures.imagePath, "--point", "220,150,1", "--multimask",
                             "--logits-out", logits, "--out", folder.url.path] + modelArguments
            let result = try await blocking { try S2MBinary.run(arguments) }
            #expect(result.status == 0, "\(result.error)")
            #expect(result.output.contains("3 masks"))
            let fixture = self.fixture
            let (written, reference) = try await blocking { (try NPYReader.read(logits), try fixture.array("point_mask_logits.npy")) }
            #expect(written.shape == [3, 300, 451])
            let error = written.values.withUnsafeBufferPointer { Difference($0, reference.values) }
            #expect(error.maxAbs <= 5e-3)
            #expect(error.signAgreement >= 0.999)
            #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("image_mask.png").path))
        }

        @Test func badArgumentsGetOneLineErrors() async throws {
            let missing = try await S2MBinary.runBlocking(["run", "--segmenter", "sam", "--image", SAMFixtures.imagePath, "--box", "1,2,30,40"])
            #expect(missing.status == 1)
            #expect(missing.error.hasPrefix("s2m run: --checkpoint: needed by --segmenter sam"))
            let folder = try TemporaryFolder()
            let grabcut = try await S2MBinary.runBlocking(["run", "--image", SAMFixtures.imagePath, "--box", "1,2,30,40", "--logits-out",
                                             folder.url.appendingPathComponent("x.npy").path, "--out", folder.url.path])
            #expect(grabcut.status == 1)
            #expect(grabcut.error.contains("--multimask and --logits-out need --segmenter sam"))
            let badBox = try await S2MBinary.runBlocking(["run", "--image", SAMFixtures.imagePath, "--box", "1,2,3"] + modelArguments)
            #expect(badBox.status != 0)
            #expect(badBox.error.contains("--box '1,2,3' needs 4 comma-separated numbers"))
        }
    }
}
