import S2MCore

/// A Segment Anything model loaded from an official checkpoint: SAM ViT-B/L/H
/// (`sam_vit_b_01ec64.pth`, ...) or MobileSAM (`mobile_sam.pt`), told apart by their tensors.
/// The weights are immutable after loading, so one model can serve many sessions.
public final class SAMModel: Sendable {
    /// Which image encoder the checkpoint holds.
    public enum Architecture: Sendable, Equatable, CustomStringConvertible {
        /// SAM's ViT, with its width, depth and heads (ViT-B: 768, 12, 12).
        case vit(embedDim: Int, depth: Int, heads: Int, globalBlocks: [Int])
        /// MobileSAM's TinyViT with its stage widths.
        case tinyViT(widths: [Int])

        public var description: String {
            switch self {
            case .vit(let dim, let depth, let heads, let global):
                let name = [768: "ViT-B", 1024: "ViT-L", 1280: "ViT-H"][dim] ?? "ViT"
                let blocks = global.map(String.init).joined(separator: ", ")
                return "SAM \(name): width \(dim), depth \(depth), \(heads) heads, global attention in blocks \(blocks)"
            case .tinyViT(let widths):
                return "MobileSAM TinyViT: stage widths \(widths.map(String.init).joined(separator: ", "))"
            }
        }
    }

    /// SamPredictor's default pixel statistics (ImageNet, 0...255 scale), used by every published model.
    public static let defaultPixelMean: [Double] = [123.675, 116.28, 103.53]
    public static let defaultPixelStd: [Double] = [58.395, 57.12, 57.375]

    public let architecture: Architecture
    /// Fingerprint of the checkpoint's content (see TorchCheckpoint.fingerprint).
    public let checkpointFingerprint: String
    /// Per-channel (R, G, B) mean and standard deviation used to normalise input pixels.
    public let pixelMean: [Double]
    public let pixelStd: [Double]

    let encoder: any ImageEncoder
    let promptEncoder: PromptEncoder
    let decoder: MaskDecoder
    /// The dense positional encoding of the embedding grid, (size*size) x channels.
    let imagePE: Tensor

    /// Identifies the model's behaviour for caches: the checkpoint content and pixel statistics.
    public var cacheKey: String {
        var hash = ContentHash()
        Array(checkpointFingerprint.utf8).withUnsafeBytes { hash.update($0) }
        (pixelMean + pixelStd).withUnsafeBytes { hash.update($0) }
        return hash.hex
    }

    /// Side of the square model input (1024).
    public var imageSize: Int { encoder.imageSize }
    /// Side of the low-resolution mask logits (4 x the embedding grid: 256).
    public var lowResolutionSize: Int { 4 * encoder.embeddingSize }

    /// Loads the checkpoint at `path`. `pixelMean`/`pixelStd` override SamPredictor's statistics
    /// (they are not stored in checkpoints).
    public convenience init(checkpointPath path: String, pixelMean: [Double] = SAMModel.defaultPixelMean,
                            pixelStd: [Double] = SAMModel.defaultPixelStd) throws {
        try self.init(checkpoint: try TorchCheckpoint(path: path), pixelMean: pixelMean, pixelStd: pixelStd)
    }

    public init(checkpoint: any StateDictionary, pixelMean: [Double] = SAMModel.defaultPixelMean,
                pixelStd: [Double] = SAMModel.defaultPixelStd) throws {
        precondition(pixelMean.count == 3 && pixelStd.count == 3, "pixel statistics need 3 channels")
        let encoder: any ImageEncoder
        if checkpoint.contains("image_encoder.patch_embed.proj.weight") {
            let vit = try ViTImageEncoder(checkpoint: checkpoint)
            let c = vit.configuration
            architecture = .vit(embedDim: c.embedDim, depth: c.depth, heads: c.heads, globalBlocks: c.globalBlocks)
            encoder = vit
        } else if checkpoint.contains("image_encoder.patch_embed.seq.0.c.weight") {
            let tiny = try TinyViTImageEncoder(checkpoint: checkpoint)
            architecture = .tinyViT(widths: [tiny.convStage[0].project.outFeatures] + tiny.stages.map(\.dim))
            encoder = tiny
        } else {
            throw S2MError(file: checkpoint.path, .unsupported(
                "not a Segment Anything or MobileSAM checkpoint (no image_encoder.patch_embed weights)"))
        }
        let prompts = try PromptEncoder(checkpoint: checkpoint, inputSize: encoder.imageSize)
        guard prompts.embedDim == encoder.embeddingChannels else {
            throw checkpointShapeError(checkpoint, "prompt embeddings have \(prompts.embedDim) channels, the image embedding \(encoder.embeddingChannels)")
        }
        self.encoder = encoder
        promptEncoder = prompts
        decoder = try MaskDecoder(checkpoint: checkpoint, embedDim: prompts.embedDim)
        imagePE = prompts.positionEncoding.grid(size: encoder.embeddingSize)
        checkpointFingerprint = checkpoint.fingerprint
        self.pixelMean = pixelMean
        self.pixelStd = pixelStd
    }

    /// Runs the image encoder on a preprocessed input (3 x imageSize x imageSize).
    public func encode(_ input: Tensor, compute: Compute) throws -> Tensor {
        try encoder.encode(input, compute: compute)
    }
}
