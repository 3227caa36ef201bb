import Foundation
import S2MCore
import Testing
@testable import S2MSAM

/// SAMSegmenter as an s2m promptable segmenter, and its embedding cache.
@Suite(.enabled(if: SAMFixtures.isPresent, SAMFixtures.skipMessage))
struct SAMSegmenterTests {
    let fixture = SAMFixtureModel.vitTiny

    /// Share of pixels where the mask equals (reference logit > 0), for mask `index` of a case.
    func agreement(_ mask: Mask, _ name: String, index: Int = 0) throws -> Double {
        let reference = try fixture.array(name + "_mask_logits.npy")
        let plane = reference.values[(index * mask.count)..<((index + 1) * mask.count)]
        return Double(zip(mask.pixels, plane).filter { $0 == ($1 > 0) }.count) / Double(mask.count)
    }

    @Test func segmentsS2MPromptsLikeSamPredictor() throws {
        let loaded = try fixture.loaded()
        let segmenter = SAMSegmenter(model: loaded.predictor.model, compute: Compute(threads: 2), cache: nil)
        let session = try segmenter.prepare(image: loaded.image, scores: nil)

        // The fixture's box [120, 40, 330, 290] (inclusive) is the half-open s2m box up to 331, 291.
        let box = try session.segment(Prompt(box: Box(x0: 120, y0: 40, x1: 331, y1: 291), confidence: 1, source: "test"))
        #expect(box.mask.size == RasterSize(width: 451, height: 300))
        #expect(try agreement(box.mask, "box") >= 0.999)
        #expect(box.quality == 0)  // this random model predicts IoU -1.59, clamped to [0, 1]

        // A lone point: automatic selection takes the multimask output with the best IoU.
        let point = try session.segment(Prompt(points: [PromptPoint(x: 220.5, y: 150.5, isPositive: true)], confidence: 1, source: "test"))
        let ious = try fixture.array("point_iou.npy").values
        let best = ious.indices.max { ious[$0] < ious[$1] }!
        #expect(try agreement(point.mask, "point", index: best) >= 0.999)
        #expect(abs(point.quality - Double(ious[best])) < 1e-3)

        // Points with a box use the single-mask output.
        let both = try session.segment(Prompt(box: Box(x0: 120, y0: 40, x1: 331, y1: 291),
                                              points: [PromptPoint(x: 300.5, y: 250.5, isPositive: false)], confidence: 1, source: "test"))
        #expect(try agreement(both.mask, "box_and_point") >= 0.999)

        let empty = try session.segment(Prompt(confidence: 1, source: "test"))
        #expect(empty.mask.trueCount == 0 && empty.mask.size == box.mask.size)
    }

    @Test func embeddingsAreCachedOnDiskAndBadEntriesReplaced() throws {
        let loaded = try fixture.loaded()
        let folder = try TemporaryFolder()
        let cache = EmbeddingCache(directory: folder.url.appendingPathComponent("cache"))
        let segmenter = SAMSegmenter(model: loaded.predictor.model, compute: Compute(threads: 2), cache: cache)
        let prompt = Prompt(box: Box(x0: 120, y0: 40, x1: 331, y1: 291), confidence: 1, source: "test")

        let first = try segmenter.prepare(image: loaded.image, scores: nil).segment(prompt)
        let file = cache.file(imageKey: EmbeddingCache.imageKey(loaded.image), modelKey: loaded.predictor.model.cacheKey)
        #expect(FileManager.default.fileExists(atPath: file.path))
        let stored = try NPYReader.read(file.path)
        #expect(stored.shape == [256, 64, 64])
        #expect(stored.values == loaded.embeddingOfImage.embedding.values)

        // A cache hit really skips the encoder: a planted embedding changes the answer.
        try NPYWriter.write(NDArray(shape: [256, 64, 64], values: [Float](repeating: 0.5, count: 256 * 64 * 64)), to: file.path)
        let planted = try segmenter.prepare(image: loaded.image, scores: nil).segment(prompt)
        #expect(planted.mask != first.mask)

        // A damaged or misshapen entry is ignored and rewritten.
        try Data("not an npy file".utf8).write(to: file)
        #expect(try segmenter.prepare(image: loaded.image, scores: nil).segment(prompt).mask == first.mask)
        #expect(try NPYReader.read(file.path).values == stored.values)
        try NPYWriter.write(NDArray(shape: [2, 2], values: [1, 2, 3, 4]), to: file.path)
        #expect(try segmenter.prepare(image: loaded.image, scores: nil).segment(prompt).mask == first.mask)

        // Another image, another entry.
        var other = loaded.image
        other[0, 0] = RGB(1, 2, 3)
        #expect(EmbeddingCache.imageKey(other) != EmbeddingCache.imageKey(loaded.image))
    }

    @Test func cacheKeepsTheMostRecentlyUsedEntries() throws {
        let folder = try TemporaryFolder()
        let cache = EmbeddingCache(directory: folder.url, maxEntries: 2)
        let tensor = Tensor(shape: [1, 2, 2], values: [1, 2, 3, 4])
        for (i, key) in ["a", "b"].enumerated() {
            try cache.store(tensor, imageKey: key, modelKey: "model")
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: Double(i - 10))],
                                                  ofItemAtPath: cache.file(imageKey: key, modelKey: "model").path)
        }
        #expect(cache.load(imageKey: "a", modelKey: "model", shape: [1, 2, 2])?.values == [1, 2, 3, 4])  // "a" is now the newest
        try cache.store(tensor, imageKey: "c", modelKey: "model")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        #expect(names == ["a-model.npy", "c-model.npy"])
        #expect(cache.load(imageKey: "a", modelKey: "model", shape: [4]) == nil)  // wrong shape: a miss
    }
}
