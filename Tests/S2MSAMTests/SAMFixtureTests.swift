import Foundation
import S2MCore
import Testing
@testable import S2MSAM

extension SAMHeavyTests {
    /// Both fixture models against the official code's float64 outputs, with the tolerances.
    /// Each test prints the errors it measured.
    @Suite(.enabled(if: SAMFixtures.isPresent, SAMFixtures.skipMessage))
    struct SAMFixtureTests {
        static let models: [SAMFixtureModel] = [.vitTiny, .mobileSAM]

        @Test("preprocessed input (PIL-exact resize, normalisation, padding)", arguments: models)
        func preprocessedInput(_ fixture: SAMFixtureModel) async throws {
            let error = try await blocking {
                let loaded = try fixture.loaded()
                return Difference(try loaded.predictor.preprocess(loaded.image), try fixture.array("input_tensor.npy"))
            }
            print("\(fixture.folder) input tensor: \(error)")
            #expect(error.maxAbs <= 1e-4)
        }

        @Test("image embedding from the reference input", arguments: models)
        func imageEmbedding(_ fixture: SAMFixtureModel) async throws {
            let error = try await blocking {
                Difference(try fixture.loaded().embeddingOfReferenceInput, try fixture.array("image_embedding.npy"))
            }
            print("\(fixture.folder) image embedding: \(error)")
            #expect(error.maxAbs <= 2e-3)
            #expect(error.meanAbs <= 2e-4)
        }

        @Test("prompt encoder + mask decoder + postprocessing on the reference embedding", arguments: models)
        func promptCasesOnReferenceEmbedding(_ fixture: SAMFixtureModel) async throws {
            let results = try await blocking {
                let loaded = try fixture.loaded()
                let reference = try fixture.array("image_embedding.npy")
                let embedding = SAMImageEmbedding(
                    embedding: Tensor(shape: Array(reference.shape.dropFirst()), values: reference.values),
                    originalWidth: loaded.image.width, originalHeight: loaded.image.height)
                return try Self.compareCases(fixture, loaded.predictor, embedding)
            }
            check(fixture, results, label: "reference embedding")
        }

        @Test("end to end: image.png through our preprocessing, encoder and decoder", arguments: models)
        func endToEnd(_ fixture: SAMFixtureModel) async throws {
            let results = try await blocking {
                let loaded = try fixture.loaded()
                return try Self.compareCases(fixture, loaded.predictor, loaded.embeddingOfImage)
            }
            check(fixture, results, label: "end to end")
        }

        /// The errors of one prompt case.
        struct CaseResult: Sendable {
            var name: String
            var shape: [Int]
            var expectedShape: [Int]
            var lowRes: Difference
            var full: Difference
            var iou: Difference
        }

        static func compareCases(_ fixture: SAMFixtureModel, _ predictor: SAMPredictor,
                                 _ embedding: SAMImageEmbedding) throws -> [CaseResult] {
            try fixture.cases().map { c in
                let prediction = try predictor.predict(c.prompt, on: embedding, multimask: c.multimask)
                let iouReference = try fixture.array(c.name + "_iou.npy")
                return CaseResult(
                    name: c.name, shape: prediction.logits.shape, expectedShape: [c.multimask ? 3 : 1, 300, 451],
                    lowRes: Difference(prediction.lowResolutionLogits, try fixture.array(c.name + "_lowres_logits.npy")),
                    full: Difference(prediction.logits, try fixture.array(c.name + "_mask_logits.npy")),
                    iou: prediction.iouPredictions.withUnsafeBufferPointer { Difference($0, iouReference.values) })
            }
        }

        private func check(_ fixture: SAMFixtureModel, _ results: [CaseResult], label: String) {
            #expect(results.count == 4)
            for r in results {
                print("\(fixture.folder) \(label) \(r.name): low-res logits \(r.lowRes); full-size logits \(r.full); IoU max abs \(r.iou.maxAbs)")
                #expect(r.shape == r.expectedShape, "\(r.name)")
                #expect(r.lowRes.maxAbs <= 5e-3, "\(r.name) low-res logits")
                #expect(r.full.maxAbs <= 5e-3, "\(r.name) full-size logits")
                #expect(r.iou.maxAbs <= 1e-3, "\(r.name) IoU")
                #expect(r.lowRes.signAgreement >= 0.999, "\(r.name) low-res masks")
                #expect(r.full.signAgreement >= 0.999, "\(r.name) masks")
            }
        }
    }
}
