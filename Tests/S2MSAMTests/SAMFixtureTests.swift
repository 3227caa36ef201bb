import Foundation
import S2MCore
import Testing
@testable import S2MSAM

/// Both fixture models against the official code's float64 outputs, with the tolerances.
/// Each test prints the errors it measured.
@Suite(.enabled(if: SAMFixtures.isPresent, SAMFixtures.skipMessage))
struct SAMFixtureTests {
    static let models: [SAMFixtureModel] = [.vitTiny, .mobileSAM]

    @Test("preprocessed input (PIL-exact resize, normalisation, padding)", arguments: models)
    func preprocessedInput(_ fixture: SAMFixtureModel) throws {
        let loaded = try fixture.loaded()
        let error = Difference(try loaded.predictor.preprocess(loaded.image), try fixture.array("input_tensor.npy"))
        print("\(fixture.folder) input tensor: \(error)")
        #expect(error.maxAbs <= 1e-4)
    }

    @Test("image embedding from the reference input", arguments: models)
    func imageEmbedding(_ fixture: SAMFixtureModel) throws {
        let loaded = try fixture.loaded()
        let error = Difference(loaded.embeddingOfReferenceInput, try fixture.array("image_embedding.npy"))
        print("\(fixture.folder) image embedding: \(error)")
        #expect(error.maxAbs <= 2e-3)
        #expect(error.meanAbs <= 2e-4)
    }

    @Test("prompt encoder + mask decoder + postprocessing on the reference embedding", arguments: models)
    func promptCasesOnReferenceEmbedding(_ fixture: SAMFixtureModel) throws {
        let loaded = try fixture.loaded()
        let reference = try fixture.array("image_embedding.npy")
        let embedding = SAMImageEmbedding(
            embedding: Tensor(shape: Array(reference.shape.dropFirst()), values: reference.values),
            originalWidth: loaded.image.width, originalHeight: loaded.image.height)
        try checkCases(fixture, loaded.predictor, embedding, label: "reference embedding")
    }

    @Test("end to end: image.png through our preprocessing, encoder and decoder", arguments: models)
    func endToEnd(_ fixture: SAMFixtureModel) throws {
        let loaded = try fixture.loaded()
        try checkCases(fixture, loaded.predictor, loaded.embeddingOfImage, label: "end to end")
    }

    private func checkCases(_ fixture: SAMFixtureModel, _ predictor: SAMPredictor, _ embedding: SAMImageEmbedding,
                            label: String) throws {
        let cases = try fixture.cases()
        #expect(cases.count == 4)
        for c in cases {
            let prediction = try predictor.predict(c.prompt, on: embedding, multimask: c.multimask)
            let lowRes = Difference(prediction.lowResolutionLogits, try fixture.array(c.name + "_lowres_logits.npy"))
            let full = Difference(prediction.logits, try fixture.array(c.name + "_mask_logits.npy"))
            let iouReference = try fixture.array(c.name + "_iou.npy")
            let iou = prediction.iouPredictions.withUnsafeBufferPointer { Difference($0, iouReference.values) }
            print("\(fixture.folder) \(label) \(c.name): low-res logits \(lowRes); full-size logits \(full); IoU max abs \(iou.maxAbs)")
            #expect(prediction.logits.shape == [c.multimask ? 3 : 1, 300, 451], "\(c.name)")
            #expect(lowRes.maxAbs <= 5e-3, "\(c.name) low-res logits")
            #expect(full.maxAbs <= 5e-3, "\(c.name) full-size logits")
            #expect(iou.maxAbs <= 1e-3, "\(c.name) IoU")
            #expect(lowRes.signAgreement >= 0.999, "\(c.name) low-res masks")
            #expect(full.signAgreement >= 0.999, "\(c.name) masks")
        }
    }
}
