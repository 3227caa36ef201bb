import ArgumentParser
import Foundation
import S2MCore

/// `s2m simulate`: simulated anomaly scores for a photo and its ground truth (see docs/simulator.md).
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate an OoD detector's score map from a photo and its ground-truth label (a stand-in for real detector scores).",
        discussion: """
            The scores are NOT from a detector: they are made from the ground truth with a detector's \
            typical failure modes (coarse output stride, leaking edges, lost thin parts, uneven response \
            inside objects, responses on edges and texture, false-positive blobs, noise, smoothing). \
            Deterministic: each frame's random stream is seeded from --seed and the image file's stem. \
            Every parameter is documented in docs/simulator.md.

            One frame:   s2m simulate --image IMG --label LBL [--label-encoding ENC] --out SCORES.npy
            RoadAnomaly: s2m simulate --road-anomaly DIR --out-dir OUT   (frames/<name>.jpg, OoD = 2)
            """)

    @Option(help: "Photo (PNG, JPEG, WebP).")
    var image: String?

    @Option(help: "Ground-truth label of the photo.")
    var label: String?

    @Option(help: "Where to write the scores (.npy).")
    var out: String?

    @Option(name: .customLong("road-anomaly"), help: "A RoadAnomaly folder (frames/<name>.jpg, frames/<name>.labels/labels_semantic.png): simulate every frame.")
    var roadAnomaly: String?

    @Option(name: .customLong("out-dir"), help: "Folder for --road-anomaly output (<name>.npy per frame); created if missing.")
    var outDir: String?

    @Option(help: "Seed; each frame's stream is derived from it and the image file's stem.")
    var seed: UInt64 = 0

    @Option(help: "Element type of the written scores: float32 or float16.")
    var dtype: ScoreDType = .float32

    @Option(help: "After simulating at the photo's own resolution, resize scores and photo (area) and label (nearest neighbour) to WIDTHxHEIGHT.")
    var resize: String?

    @Option(name: .customLong("save-image"), help: "With one frame: also save the (resized) photo here (.jpg: JPEG quality 90, else PNG).")
    var saveImage: String?

    @Option(name: .customLong("save-label"), help: "With one frame: also save the (resized) label here as PNG, converted to the smiyc encoding (0/1/255).")
    var saveLabel: String?

    @OptionGroup var simulator: SimulatorOptions
    @OptionGroup var input: InputOptions
    @OptionGroup var labels: LabelEncodingOptions

    enum ScoreDType: String, ExpressibleByArgument {
        case float32, float16
        var npy: NPYDType { self == .float32 ? .float32 : .float16 }
    }

    func validate() throws {
        let single = image != nil || label != nil || out != nil
        if single == (roadAnomaly != nil) {
            throw ValidationError("give either --image, --label and --out, or --road-anomaly and --out-dir")
        }
        if single && (image == nil || label == nil || out == nil) {
            throw ValidationError("one frame needs --image, --label and --out")
        }
        if roadAnomaly != nil && outDir == nil { throw ValidationError("--road-anomaly needs --out-dir") }
        if roadAnomaly != nil && (saveImage != nil || saveLabel != nil) {
            throw ValidationError("--save-image and --save-label work with one frame only")
        }
        if let resize { _ = try parseSize(resize) }
    }

    func run() throws {
        let simulator = DetectorSimulator(parameters: try self.simulator.parameters())
        let size = try resize.map(parseSize)
        if let folder = roadAnomaly, let outDir {
            let frames = URL(fileURLWithPath: folder).appendingPathComponent("frames")
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: frames.path)
                    .filter { $0.lowercased().hasSuffix(".jpg") }.map { String($0.dropLast(4)) }.sorted()
            } catch {
                throw S2MError(file: frames.path, .unreadable("not a RoadAnomaly folder (no frames/ directory)"))
            }
            if names.isEmpty { throw S2MError(file: frames.path, .invalid("no frames/<name>.jpg files")) }
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            for name in names {
                let imagePath = frames.appendingPathComponent("\(name).jpg").path
                let labelPath = frames.appendingPathComponent("\(name).labels/labels_semantic.png").path
                let outPath = URL(fileURLWithPath: outDir).appendingPathComponent("\(name).npy").path
                try simulateOne(simulator, image: imagePath, label: labelPath, encoding: .roadAnomaly, size: size, out: outPath)
            }
        } else if let image, let label, let out {
            try simulateOne(simulator, image: image, label: label, encoding: labels.labelEncoding, size: size, out: out)
        }
    }

    private func simulateOne(_ simulator: DetectorSimulator, image imagePath: String, label labelPath: String,
                             encoding: LabelEncoding, size: RasterSize?, out: String) throws {
        let loaded = try InputCase.load(image: imagePath, label: labelPath, options: input.readOptions)
        var photo = loaded.image
        var truth = loaded.label!
        let stem = URL(fileURLWithPath: imagePath).deletingPathExtension().lastPathComponent
        let frameSeed = SeededGenerator.seed(seed, name: stem)
        // The detector sees the photo at its own resolution; --resize applies to the outputs.
        var scores = try simulator.scores(image: photo, labels: truth, encoding: encoding, seed: frameSeed)
        if let size {
            scores = try scores.resized(to: size, method: .area)
            photo = try photo.resized(to: size, method: .area)
            truth = truth.resizedNearest(to: size)
        }
        let inputs = [imagePath, labelPath]
        for path in [out, saveImage, saveLabel].compactMap({ $0 }) {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw S2MError(file: path, .writeFailed("cannot create directory \(folder)"))
            }
        }
        try NPYWriter.write(scores, to: out, dtype: dtype.npy, protecting: inputs)
        if let saveImage {
            if saveImage.lowercased().hasSuffix(".jpg") || saveImage.lowercased().hasSuffix(".jpeg") {
                try JPEGEncoder.write(photo, to: saveImage, quality: 90, protecting: inputs)
            } else {
                try RasterWriter.writePNG(photo, to: saveImage, protecting: inputs)
            }
        }
        if let saveLabel {
            try RasterWriter.writeLabels(try encoding.convert(truth, to: .smiyc, file: labelPath), to: saveLabel, protecting: inputs)
        }
        let stats = ValueStatistics(scores.pixels)
        print("\(out): \(scores.size) \(dtype.rawValue), seed \(frameSeed), scores \(String(format: "%.3f", stats.min ?? 0))...\(String(format: "%.3f", stats.max ?? 0)), mean \(String(format: "%.3f", stats.mean ?? 0))")
    }

    private func parseSize(_ text: String) throws -> RasterSize {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else {
            throw ValidationError("--resize wants WIDTHxHEIGHT, e.g. 640x360 (got '\(text)')")
        }
        return RasterSize(width: w, height: h)
    }
}

/// The simulator's parameters on the command line (defaults from ``DetectorSimulator/Parameters``).
struct SimulatorOptions: ParsableArguments {
    private static let defaults = DetectorSimulator.Parameters()

    @Option(help: "Pixels per coarse cell (the detector's output stride).")
    var stride: Int = defaults.outputStride
    @Option(name: .customLong("strength-mean"), help: "Mean object response strength.")
    var strengthMean: Double = defaults.strengthMean
    @Option(name: .customLong("strength-sd"), help: "Standard deviation of object strength.")
    var strengthSD: Double = defaults.strengthSD
    @Option(name: .customLong("contrast-influence"), help: "How much low contrast with the surroundings weakens an object (0...1).")
    var contrastInfluence: Double = defaults.contrastInfluence
    @Option(name: .customLong("context-sigma"), help: "Spread of object evidence, in cells.")
    var contextSigma: Double = defaults.contextSigma
    @Option(help: "Strength of the uneven response inside objects.")
    var unevenness: Double = defaults.unevenness
    @Option(name: .customLong("unevenness-scale"), help: "Scale of that unevenness, in cells.")
    var unevennessScale: Double = defaults.unevennessScale
    @Option(name: .customLong("texture-weight"), help: "Weight of responses on edges and texture.")
    var textureWeight: Double = defaults.textureWeight
    @Option(name: .customLong("background-variation"), help: "Strength of broad false-positive regions.")
    var backgroundVariation: Double = defaults.backgroundVariation
    @Option(name: .customLong("background-threshold"), help: "Field level (standard deviations) above which such a region responds.")
    var backgroundThreshold: Double = defaults.backgroundThreshold
    @Option(name: .customLong("background-scale"), help: "Scale of those regions, in cells.")
    var backgroundScale: Double = defaults.backgroundScale
    @Option(name: .customLong("minimum-strength"), help: "Floor of an object's strength.")
    var minimumStrength: Double = defaults.minimumStrength
    @Option(name: .customLong("blob-sigma-max"), help: "Largest blob sigma, in cells (smallest: 1).")
    var blobSigmaMax: Double = defaults.blobSigma.upperBound
    @Option(name: .customLong("blob-amplitude-max"), help: "Largest blob amplitude.")
    var blobAmplitudeMax: Double = defaults.blobAmplitude.upperBound
    @Option(help: "Mean number of false-positive blobs per image.")
    var blobs: Double = defaults.blobCountMean
    @Option(name: .customLong("coarse-noise"), help: "Per-cell evidence noise (standard deviation).")
    var coarseNoise: Double = defaults.coarseNoiseSD
    @Option(name: .customLong("fine-noise"), help: "Per-pixel score noise (standard deviation).")
    var fineNoise: Double = defaults.fineNoiseSD
    @Option(help: "Logistic calibration gain.")
    var gain: Double = defaults.gain
    @Option(help: "Logistic calibration bias (evidence at score 0.5).")
    var bias: Double = defaults.bias

    func parameters() throws -> DetectorSimulator.Parameters {
        var p = DetectorSimulator.Parameters()
        p.outputStride = stride
        p.strengthMean = strengthMean
        p.strengthSD = strengthSD
        p.contrastInfluence = contrastInfluence
        p.contextSigma = contextSigma
        p.unevenness = unevenness
        p.unevennessScale = unevennessScale
        p.textureWeight = textureWeight
        p.blobCountMean = blobs
        p.backgroundVariation = backgroundVariation
        p.backgroundScale = backgroundScale
        p.backgroundThreshold = backgroundThreshold
        p.minimumStrength = minimumStrength
        guard blobSigmaMax >= p.blobSigma.lowerBound, blobAmplitudeMax >= p.blobAmplitude.lowerBound else {
            throw ValidationError("--blob-sigma-max and --blob-amplitude-max must not be below their minimums")
        }
        p.blobSigma = p.blobSigma.lowerBound...blobSigmaMax
        p.blobAmplitude = p.blobAmplitude.lowerBound...blobAmplitudeMax
        p.coarseNoiseSD = coarseNoise
        p.fineNoiseSD = fineNoise
        p.gain = gain
        p.bias = bias
        try p.validate()
        return p
    }
}
