import Foundation
import S2MCore
import Testing
@testable import S2MSAM

extension SAMHeavyTests {
    /// SAMSegmenter as an s2m promptable segmenter, and its embedding cache.
    @Suite(.enabled(if: SAMFixtures.isPresent, SAMFixtures.skipMessage))
    struct SAMSegmenterTests {
        let fixture = SAMFixtureModel.vitTiny

        /// Share of pixels where the mask equals (reference logit > 0), for mask `index` of a case.
        static func agreement(_ fixture: SAMFixtureModel, _ mask: Mask, _ name: String, index: Int = 0) throws -> Double {
            let reference = try fixture.array(name + "_mask_logits.npy")
            let plane = reference.values[(index * mask.count)..<((index + 1) * mask.count)]
            return Double(zip(mask.pixels, plane).filter { $0 == ($1 > 0) }.count) / Double(mask.count)
        }

        @Test func segmentsS2MPromptsLikeSamPredictor() async throws {
            struct Outcome: Sendable {
                var box: Segmentation, boxAgreement: Double
                var point: Segmentation, pointAgreement: Double, bestIoU: Float
                var boxAndPointAgreement: Double
                var empty: Segmentation
            }
            let fixture = self.fixture
            let o = try await blocking {
                let loaded = try fixture.loaded()
                let segmenter = SAMSegmenter(model: loaded.predictor.model, compute: Compute(threads: 2), cache: nil)
                let session = try segmenter.prepare(image: loaded.image, scores: nil)
                // The fixture's box [120, 40, 330, 290] (inclusive) is the half-open s2m box up to 331, 291.
                let box = try session.segment(Prompt(box: Box(x0: 120, y0: 40, x1: 331, y1: 291), confidence: 1, source: "test"))
                // A lone point: automatic selection takes the multimask output with the best IoU.
                let point = try session.segment(Prompt(points: [PromptPoint(x: 220.5, y: 150.5, isPositive: true)],
                                                       confidence: 1, source: "test"))
                let ious = try fixture.array("point_iou.npy").values
                let best = ious.indices.max { ious[$0] < ious[$1] }!
                // Points with a box use the single-mask output.
                let both = try session.segment(Prompt(box: Box(x0: 120, y0: 40, x1: 331, y1: 291),
                                                      points: [PromptPoint(x: 300.5, y: 250.5, isPositive: false)],
                                                      confidence: 1, source: "test"))
                return Outcome(box: box, boxAgreement: try Self.agreement(fixture, box.mask, "box"),
                               point: point, pointAgreement: try Self.agreement(fixture, point.mask, "point", index: best),
                               bestIoU: ious[best],
                               boxAndPointAgreement: try Self.agreement(fixture, both.mask, "box_and_point"),
                               empty: try session.segment(Prompt(confidence: 1, source: "test")))
            }
            #expect(o.box.mask.size == RasterSize(width: 451, height: 300))
            #expect(o.boxAgreement >= 0.999)
            #expect(o.box.quality == 0)  // this random model predicts IoU -1.59, clamped to [0, 1]
            #expect(o.pointAgreement >= 0.999)
            #expect(abs(o.point.quality - Double(o.bestIoU)) < 1e-3)
            #expect(o.boxAndPointAgreement >= 0.999)
            #expect(o.empty.mask.trueCount == 0 && o.empty.mask.size == o.box.mask.size)
        }

        @Test func embeddingsAreCachedOnDiskAndBadEntriesReplaced() async throws {
            struct Outcome: Sendable {
                var fileWritten: Bool, storedShape: [Int], storedEqualsEmbedding: Bool
                var plantedChangesMask: Bool
                var damagedRecomputed: Bool, damagedRewritten: Bool, misshapenRecomputed: Bool
                var otherImageOtherKey: Bool
            }
            let fixture = self.fixture
            let folder = try TemporaryFolder()
            let root = folder.url
            let o = try await blocking {
                let loaded = try fixture.loaded()
                let cache = EmbeddingCache(directory: root.appendingPathComponent("cache"))
                let segmenter = SAMSegmenter(model: loaded.predictor.model, compute: Compute(threads: 2), cache: cache)
                let prompt = Prompt(box: Box(x0: 120, y0: 40, x1: 331, y1: 291), confidence: 1, source: "test")
                let segment = { () throws -> Mask in try segmenter.prepare(image: loaded.image, scores: nil).segment(prompt).mask }

                let first = try segment()
                let file = cache.file(imageKey: EmbeddingCache.imageKey(loaded.image), modelKey: loaded.predictor.model.cacheKey)
                let written = FileManager.default.fileExists(atPath: file.path)
                let stored = try NPYReader.read(file.path)
                // A cache hit really skips the encoder: a planted embedding changes the answer.
                try NPYWriter.write(NDArray(shape: [256, 64, 64], values: [Float](repeating: 0.5, count: 256 * 64 * 64)), to: file.path)
                let planted = try segment()
                // A damaged or misshapen entry is ignored and rewritten.
                try Data("not an npy file".utf8).write(to: file)
                let afterDamage = try segment()
                let rewritten = try NPYReader.read(file.path).values == stored.values
                try NPYWriter.write(NDArray(shape: [2, 2], values: [1, 2, 3, 4]), to: file.path)
                let afterMisshapen = try segment()
                var other = loaded.image
                other[0, 0] = RGB(1, 2, 3)
                return Outcome(fileWritten: written, storedShape: stored.shape,
                               storedEqualsEmbedding: stored.values == loaded.embeddingOfImage.embedding.values,
                               plantedChangesMask: planted != first, damagedRecomputed: afterDamage == first,
                               damagedRewritten: rewritten, misshapenRecomputed: afterMisshapen == first,
                               otherImageOtherKey: EmbeddingCache.imageKey(other) != EmbeddingCache.imageKey(loaded.image))
            }
            #expect(o.fileWritten)
            #expect(o.storedShape == [256, 64, 64])
            #expect(o.storedEqualsEmbedding)
            #expect(o.plantedChangesMask)
            #expect(o.damagedRecomputed)
            #expect(o.damagedRewritten)
            #expect(o.misshapenRecomputed)
            #expect(o.otherImageOtherKey)
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
}
