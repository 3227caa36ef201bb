import Foundation
import S2MCore
import Testing
@testable import S2MSAM

extension SAMHeavyTests {
    /// Configurations read off tensor shapes, prompt conventions, and refusals of wrong checkpoints.
    @Suite struct ModelConfigurationTests {
        @Test(arguments: [
            ("ViT-B", SAMShapes.vitB, 768, 12, 12, [2, 5, 8, 11]),
            ("ViT-L", SAMShapes.vitL, 1024, 24, 16, [5, 11, 17, 23]),
            ("ViT-H", SAMShapes.vitH, 1280, 32, 16, [7, 15, 23, 31]),
        ])
        func officialViTConfigurationsAreInferred(name: String, shapes: [String: [Int]], width: Int, depth: Int, heads: Int, global: [Int]) throws {
            let dict = RandomStateDictionary(shapes: shapes, description: name)
            let c = try ViTImageEncoder.Configuration(inferringFrom: dict)
            #expect(c == ViTImageEncoder.Configuration(imageSize: 1024, patchSize: 16, embedDim: width, depth: depth, heads: heads,
                                                       mlpDim: 4 * width, windowSize: 14, globalBlocks: global, outChannels: 256))
        }

        @Test func inconsistentRelativePositionTablesAreRefused() throws {
            var shapes = SAMShapes.vit(embedDim: 96, depth: 2, heads: 4, globalBlocks: [1])
            shapes["image_encoder.blocks.0.attn.rel_pos_h"] = [28, 24]  // even: neither a window nor the grid
            let dict = RandomStateDictionary(shapes: shapes, description: "broken")
            #expect(throws: S2MError(file: "broken", .corrupt(
                "block 0: relative position table of 28 rows fits neither a window nor the 64x64 grid"))) {
                _ = try ViTImageEncoder.Configuration(inferringFrom: dict)
            }
        }

        @Test func aSmallRandomViTRunsEndToEnd() async throws {
            // A reduced ViT with every structural feature (windows, a global block, the neck) and the
            // full prompt encoder and decoder, on random weights: shapes and finiteness.
            let (model, embedding, prediction) = try await blocking {
                let dict = RandomStateDictionary(shapes: SAMShapes.vit(embedDim: 32, depth: 2, heads: 2, globalBlocks: [1]),
                                                 description: "small random ViT")
                let model = try SAMModel(checkpoint: dict)
                let predictor = SAMPredictor(model: model, compute: Compute(threads: 2))
                let image = RGBImage(width: 40, height: 30, pixels: (0..<1200).map { RGB(UInt8($0 % 256), UInt8($0 / 5 % 256), 7) })
                let embedding = try predictor.embed(image)
                let prediction = try predictor.predict(SAMPrompt(points: [.init(x: 10, y: 12, isForeground: true)]),
                                                       on: embedding, multimask: true)
                return (model, embedding, prediction)
            }
            #expect(model.architecture == .vit(embedDim: 32, depth: 2, heads: 2, globalBlocks: [1]))
            #expect(embedding.embedding.shape == [256, 64, 64])
            #expect(prediction.logits.shape == [3, 30, 40])
            #expect(prediction.lowResolutionLogits.shape == [3, 256, 256])
            #expect(prediction.iouPredictions.count == 3)
            #expect(prediction.logits.values.allSatisfy { $0.isFinite })
            #expect(throws: S2MError(file: nil, .invalid("a SAM prompt needs at least one point or a box"))) {
                _ = try SAMPredictor(model: model, compute: Compute(threads: 1)).predict(SAMPrompt(), on: embedding, multimask: false)
            }
        }

        @Test(.enabled(if: SAMFixtures.isPresent, SAMFixtures.skipMessage))
        func mobileSAMConfigurationIsInferred() async throws {
            let model = try await blocking { try SAMFixtureModel.mobileSAM.loaded().predictor.model }
            #expect(model.architecture == .tinyViT(widths: [64, 128, 160, 320]))
            let tiny = try #require(model.encoder as? TinyViTImageEncoder)
            #expect(tiny.stages.map(\.blocks.count) == [2, 6, 2])
            #expect(tiny.stages.map(\.heads) == [4, 5, 10])
            #expect(tiny.stages.map(\.windowSize) == [7, 14, 7])
            #expect(tiny.stages.map { $0.merge?.depthwise.stride } == [2, 1, nil])
            #expect(tiny.convMerge.depthwise.stride == 2)
        }

        @Test func aCheckpointOfAnotherModelIsRefused() throws {
            let dict = RandomStateDictionary(shapes: ["encoder.weight": [4, 4]], description: "other.pth")
            #expect(throws: S2MError(file: "other.pth", .unsupported(
                "not a Segment Anything or MobileSAM checkpoint (no image_encoder.patch_embed weights)"))) {
                _ = try SAMModel(checkpoint: dict)
            }
            var shapes = SAMShapes.vit(embedDim: 32, depth: 1, heads: 2, globalBlocks: [0])
            shapes["mask_decoder.iou_token.weight"] = nil
            #expect(throws: S2MError(file: "no iou token", .unsupported("no tensor 'mask_decoder.iou_token.weight'"))) {
                _ = try SAMModel(checkpoint: RandomStateDictionary(shapes: shapes, description: "no iou token"))
            }
        }

        @Test func s2mPromptsMapToSamPredictorCoordinates() {
            // s2m: half-open boxes and continuous points; SamPredictor: inclusive boxes, pixel indices.
            let prompt = Prompt(box: Box(x0: 120, y0: 40, x1: 331, y1: 291),
                                points: [PromptPoint(x: 220.5, y: 150.5, isPositive: true), PromptPoint(x: 60.5, y: 60.5, isPositive: false)],
                                confidence: 1, source: "test")
            let sam = SAMPrompt(prompt)
            #expect(sam.box == SAMPrompt.Box(x0: 120, y0: 40, x1: 330, y1: 290))
            #expect(sam.points == [SAMPrompt.Point(x: 220, y: 150, isForeground: true), SAMPrompt.Point(x: 60, y: 60, isForeground: false)])
            #expect(SAMPrompt(Prompt(confidence: 1, source: "empty")).isEmpty)
        }
    }
}
