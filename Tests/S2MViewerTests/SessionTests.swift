import Foundation
import Testing
import S2MCore
import S2MRender
@testable import S2MViewer

@Test func savingAndReopeningASessionRestoresTheState() throws {
    var h = Harness()
    h.press("Tab", "Space")          // prompt 2 off
    h.press("c", "i")                // a user point prompt (selected: 3)
    h.press("Right")                 // moves the cursor, not the threshold
    h.press("c", "]", "]", "]")      // threshold 0.53
    h.press("m")                     // segmenter "inset"
    h.press("g", "Down", "Down", "Right", "Escape")  // score-blur 1.5
    #expect(h.model.dirty)
    h.press("s")
    #expect(!h.model.dirty)
    #expect(h.model.message?.hasPrefix("saved") == true)
    let path = h.model.configuration.sessionPath
    let session = try SessionFile.read(path: path)
    #expect(session.format == "s2m-session")
    #expect(session.segmenter == "inset")
    #expect(session.generatorValues["score-blur"] == 1.5)
    #expect(session.generator == "strip")
    #expect(session.current == "a")

    // Reopen with only the session.
    let reopened = Harness(items: session.items.map(\.datasetItem), session: session)
    #expect(reopened.model.prompts == h.model.prompts)
    #expect(reopened.model.prompts[1].isEnabled == false)
    #expect(reopened.model.prompts[2].origin == .user)
    #expect(reopened.model.selected == h.model.selected)
    #expect(abs(reopened.model.threshold - 0.53) < 1e-6)
    #expect(reopened.model.segmenterIndex == 1)
    #expect(reopened.model.generatorValues == h.model.generatorValues)
    #expect(reopened.model.s2mMask == h.model.s2mMask)
    #expect(reopened.model.thresholdMask == h.model.thresholdMask)
    #expect(!reopened.model.dirty)
}

@Test func sessionFilesAreCheckedOnRead() throws {
    let dir = NSTemporaryDirectory() + "s2m-session-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    #expect(throws: S2MError(file: dir + "/none.json", .missingFile)) { try SessionFile.read(path: dir + "/none.json") }
    try Data("{ not json".utf8).write(to: URL(fileURLWithPath: dir + "/bad.json"))
    do {
        _ = try SessionFile.read(path: dir + "/bad.json")
        Issue.record("accepted bad JSON")
    } catch let error as S2MError {
        #expect(error.description.hasPrefix(dir + "/bad.json: corrupt: not valid JSON"))
    }
    try Data(#"{"format":"other","version":1,"generatorValues":{},"items":[]}"#.utf8).write(to: URL(fileURLWithPath: dir + "/other.json"))
    #expect(throws: S2MError(file: dir + "/other.json", .invalid("not an s2m session (format 'other')"))) {
        try SessionFile.read(path: dir + "/other.json")
    }
    try Data(#"{"format":"s2m-session","version":9,"generatorValues":{},"items":[]}"#.utf8).write(to: URL(fileURLWithPath: dir + "/future.json"))
    #expect(throws: S2MError(file: dir + "/future.json", .unsupported("session version 9 (this s2m reads up to 1)"))) {
        try SessionFile.read(path: dir + "/future.json")
    }
}

@Test func writesCheckEveryTargetBeforeWritingAny() throws {
    let dir = NSTemporaryDirectory() + "s2m-atomic-\(UUID().uuidString)"
    let input = dir + "/scores.npy"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try Data("original".utf8).write(to: URL(fileURLWithPath: input))
    let request = WriteRequest(files: [(dir + "/ok.json", .data(Data("{}".utf8))), (dir + "/./scores.npy", .data(Data("x".utf8)))],
                               protectedPaths: [input])
    #expect(throws: S2MError.self) { try WriteRequestWriter.write(request) }
    // Nothing was written, the input is intact, and no temporary file is left behind.
    #expect(try String(contentsOfFile: input, encoding: .utf8) == "original")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["scores.npy"])
    // Missing folders are created.
    let written = try WriteRequestWriter.write(WriteRequest(files: [(dir + "/sub/out.json", .data(Data("new".utf8)))], protectedPaths: [input]))
    #expect(written == [dir + "/sub/out.json"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/sub") == ["out.json"])
}

@Test func aSessionPathOnAnInputIsRefusedInTheViewer() {
    let items = [DatasetItem(name: "a", image: "/in/a.png", scores: "/in/a.npy")]
    var h = Harness(items: items)
    // Rebuild the configuration so that the session path is the scores file.
    var configuration = h.model.configuration
    configuration.sessionPath = "/in/a.npy"
    h.model = ViewerModel(configuration: configuration)
    h.runner.perform(h.model.start(columns: 160, rows: 50), on: &h.model)
    h.press("Space", "s")
    #expect(h.model.message == "/in/a.npy: cannot write: refusing to overwrite the input file /in/a.npy")
    #expect(h.model.dirty)
}

@Test func exportWritesWhatS2MRunWrites() throws {
    var h = Harness()
    h.press("Tab", "Space", "e")
    let out = h.model.configuration.exportDirectory
    let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
    #expect(files == ["a_confidence.npy", "a_mask.png", "a_prompt1.png", "a_prompts.json", "a_threshold.png"])
    // 0/1 8-bit PNGs, read back exactly.
    let s2m = try LabelReader.read(out + "/a_mask.png")
    #expect(s2m.map { $0 == 1 } == h.model.s2mMask)
    #expect(Set(s2m.pixels) == [0, 1])
    #expect(try LabelReader.read(out + "/a_threshold.png").map { $0 == 1 } == h.model.thresholdMask)
    // The confidence map holds prompt 1's confidence (1.0) on its box, 0 elsewhere.
    let confidence = try ScoreReader.read(out + "/a_confidence.npy")
    #expect(confidence.map { $0 > 0 } == h.model.s2mMask)
    #expect(Set(confidence.pixels) == [0, 1])
    // The prompts file holds the enabled prompt only, readable by s2m run --prompts.
    let prompts = try PromptsFile.read(path: out + "/a_prompts.json")
    #expect(prompts.prompts == [h.model.prompts[0].prompt])
    #expect(prompts.size == RasterSize(width: 40, height: 20))
}

@Test func quittingWithUnsavedEditsAsksFirst() {
    var h = Harness()
    h.press("q")
    #expect(h.runner.quit)  // nothing edited: quits at once

    var edited = Harness()
    edited.press("Space", "q")
    #expect(edited.model.mode == .confirmQuit)
    #expect(!edited.runner.quit)
    edited.press("Escape")
    #expect(edited.model.mode == .browse)
    edited.press("q", "q")
    #expect(edited.runner.quit)

    var saving = Harness()
    saving.press("Space", "q", "s")
    #expect(saving.runner.quit)
    #expect(FileManager.default.fileExists(atPath: saving.model.configuration.sessionPath))
}
