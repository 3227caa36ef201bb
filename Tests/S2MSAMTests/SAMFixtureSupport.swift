import Foundation
import S2MCore
import Testing
@testable import S2MSAM

/// The golden SAM fixtures in `../shared/fixtures/sam` (see its README): seeded random-weight
/// checkpoints saved by the official code, with reference outputs computed in float64.
enum SAMFixtures {
    /// The package root (the folder holding Package.swift), from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `../shared/fixtures/sam`.
    static let root: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/sam")
    /// True when the fixtures are present.
    static let isPresent: Bool = FileManager.default.fileExists(atPath: root.appendingPathComponent("image.png").path)
    static let skipMessage: Comment = "../shared/fixtures/sam not found: SAM fixture tests skipped"

    static var imagePath: String { root.appendingPathComponent("image.png").path }
}

/// One fixture model folder: its checkpoint, reference arrays and prompt cases.
struct SAMFixtureModel: Sendable, CustomTestStringConvertible {
    /// The fixture's own pixel statistics. The fixture perturbed every buffer, including Sam's
    /// non-persistent pixel_mean/pixel_std, which the state dict does not store; these values are
    /// recovered from its input_tensor.npy by a per-channel least-squares fit against the resized
    /// image (residual 1e-7). Real checkpoints use SAMModel.defaultPixelMean/Std.
    let pixelMean: [Double]
    let pixelStd: [Double]
    let folder: String

    static let vitTiny = SAMFixtureModel(
        pixelMean: [123.75179288341938, 116.31130980384333, 103.57972714603518],
        pixelStd: [58.40173718168738, 57.073780043446, 57.44328681781656],
        folder: "sam_vit_tiny_random")
    static let mobileSAM = SAMFixtureModel(
        pixelMean: [123.77880864, 116.29636382, 103.54553227],
        pixelStd: [58.34496715, 57.09801859, 57.41687004],
        folder: "mobilesam_vit_t_random")

    var testDescription: String { folder }
    var url: URL { SAMFixtures.root.appendingPathComponent(folder) }

    /// The model, image and embeddings, computed once per test run and shared by the tests.
    func loaded() throws -> LoadedSAMFixture {
        try (folder == Self.vitTiny.folder ? LoadedSAMFixture.vitTiny : LoadedSAMFixture.mobileSAM).get()
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func array(_ name: String) throws -> NDArray { try NPYReader.read(path(name)) }

    func loadModel() throws -> SAMModel {
        try SAMModel(checkpointPath: path("checkpoint.pth"), pixelMean: pixelMean, pixelStd: pixelStd)
    }

    /// The prompt cases of cases.json.
    struct Case: Sendable {
        var name: String
        var prompt: SAMPrompt
        var multimask: Bool
    }

    func cases() throws -> [Case] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("cases.json"))) as! [String: Any]
        return (json["cases"] as! [[String: Any]]).map { c in
            var prompt = SAMPrompt()
            if let box = c["box"] as? [Double] {
                prompt.box = SAMPrompt.Box(x0: box[0], y0: box[1], x1: box[2], y1: box[3])
            }
            if let points = c["points"] as? [[Double]], let labels = c["labels"] as? [Int] {
                prompt.points = zip(points, labels).map { SAMPrompt.Point(x: $0[0], y: $0[1], isForeground: $1 == 1) }
            }
            return Case(name: c["name"] as! String, prompt: prompt, multimask: c["multimask"] as! Bool)
        }
    }
}

/// Differences between computed values and a reference.
struct Difference: CustomStringConvertible, Sendable {
    var maxAbs: Double
    var meanAbs: Double
    /// Share of positions where (value > 0) agrees.
    var signAgreement: Double

    init(_ values: UnsafeBufferPointer<Float>, _ reference: [Float]) {
        precondition(values.count == reference.count, "comparing \(values.count) values with \(reference.count)")
        var maxAbs = 0.0, sum = 0.0, agree = 0
        for i in 0..<reference.count {
            let d = abs(Double(values[i]) - Double(reference[i]))
            if !(d <= maxAbs) { maxAbs = d.isNaN ? .infinity : d }
            sum += d
            if (values[i] > 0) == (reference[i] > 0) { agree += 1 }
        }
        self.maxAbs = maxAbs
        meanAbs = sum / Double(max(1, reference.count))
        signAgreement = Double(agree) / Double(max(1, reference.count))
    }

    init(_ tensor: Tensor, _ reference: NDArray) {
        precondition(tensor.count == reference.count, "shape \(tensor.shape) vs \(reference.shape)")
        self.init(UnsafeBufferPointer(start: tensor.pointer, count: tensor.count), reference.values)
    }

    var description: String {
        String(format: "max abs %.3g, mean abs %.3g, sign agreement %.6f", maxAbs, meanAbs, signAgreement)
    }
}

/// A fixture model loaded once: the expensive parts (checkpoint, two encoder runs) are shared by
/// every test that needs them.
struct LoadedSAMFixture: Sendable {
    let predictor: SAMPredictor
    let image: RGBImage
    /// Our encoder on the fixture's own input_tensor.npy.
    let embeddingOfReferenceInput: Tensor
    /// Our encoder on our preprocessing of image.png.
    let embeddingOfImage: SAMImageEmbedding

    init(_ fixture: SAMFixtureModel) throws {
        let model = try fixture.loadModel()
        predictor = SAMPredictor(model: model, compute: Compute(threads: 2))
        image = try ImageReader.read(SAMFixtures.imagePath)
        let input = try fixture.array("input_tensor.npy")
        embeddingOfReferenceInput = try model.encode(Tensor(shape: Array(input.shape.dropFirst()), values: input.values),
                                                     compute: predictor.compute)
        embeddingOfImage = try predictor.embed(image)
    }

    static let vitTiny = Result { try LoadedSAMFixture(.vitTiny) }
    static let mobileSAM = Result { try LoadedSAMFixture(.mobileSAM) }
}
