import CSAMKernels
import S2MCore

/// A state dict with the tensor names and shapes of an official SAM model and seeded random
/// values: lets benchmarks build and time full-size models (ViT-B/L/H) without their
/// checkpoints. Values are scaled like a trained network (weights ~ 1/sqrt(fan-in), norm scales
/// near 1) so activations stay finite.
public struct RandomStateDictionary: StateDictionary {
    public let path: String
    public let fingerprint: String
    private let shapes: [String: [Int]]
    private let seed: UInt64

    public init(shapes: [String: [Int]], description: String, seed: UInt64 = 1) {
        self.shapes = shapes
        self.seed = seed
        path = description
        fingerprint = ContentHash.hex(of: Array("\(description) \(seed)".utf8))
    }

    /// Names of all tensors.
    public var names: [String] { shapes.keys.sorted() }

    public func shape(of name: String) -> [Int]? {
        shapes[name]
    }

    public func tensor(_ name: String, shape expected: [Int]?) throws -> Tensor {
        guard let shape = shapes[name] else {
            throw S2MError(file: path, .unsupported("no tensor '\(name)'"))
        }
        if let expected, expected != shape {
            throw S2MError(file: path, .corrupt("tensor '\(name)' has shape \(shape), expected \(expected)"))
        }
        let result = Tensor(zeros: shape)
        // One generator per tensor, seeded by its name: values do not depend on load order.
        var hash = ContentHash()
        Array(name.utf8).withUnsafeBytes { hash.update($0) }
        hash.update(Int(truncatingIfNeeded: seed))
        var state = UInt64(hash.hex.prefix(16), radix: 16)!
        let fanIn = shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1
        let isNormScale = shape.count == 1 && name.hasSuffix(".weight")
        let amplitude: Float = shape.count > 1 ? 1 / Float(max(1, fanIn)).squareRoot() : (isNormScale ? 0.1 : 0.02)
        let center: Float = isNormScale ? 1 : 0
        let p = result.pointer
        for i in 0..<result.count {
            // SplitMix64.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let unit = Float(z >> 40) / Float(1 << 24)  // [0, 1)
            p[i] = center + amplitude * (2 * unit - 1)
        }
        if name.hasSuffix("running_var") {
            for i in 0..<result.count { p[i] = abs(p[i]) + 0.5 }
        }
        return result
    }
}

/// Tensor names and shapes of the official Segment Anything models.
public enum SAMShapes {
    /// SAM with a ViT image encoder, as `build_sam_vit_{b,l,h}` builds it.
    public static func vit(embedDim: Int, depth: Int, heads: Int, globalBlocks: [Int],
                           imageSize: Int = 1024, patch: Int = 16, window: Int = 14) -> [String: [Int]] {
        var s: [String: [Int]] = [:]
        let d = embedDim, grid = imageSize / patch, hd = embedDim / heads
        let e = "image_encoder"
        s["\(e).pos_embed"] = [1, grid, grid, d]
        s["\(e).patch_embed.proj.weight"] = [d, 3, patch, patch]
        s["\(e).patch_embed.proj.bias"] = [d]
        for i in 0..<depth {
            let b = "\(e).blocks.\(i)"
            let side = globalBlocks.contains(i) ? grid : window
            for n in ["norm1", "norm2"] { s["\(b).\(n).weight"] = [d]; s["\(b).\(n).bias"] = [d] }
            s["\(b).attn.rel_pos_h"] = [2 * side - 1, hd]
            s["\(b).attn.rel_pos_w"] = [2 * side - 1, hd]
            s["\(b).attn.qkv.weight"] = [3 * d, d]; s["\(b).attn.qkv.bias"] = [3 * d]
            s["\(b).attn.proj.weight"] = [d, d]; s["\(b).attn.proj.bias"] = [d]
            s["\(b).mlp.lin1.weight"] = [4 * d, d]; s["\(b).mlp.lin1.bias"] = [4 * d]
            s["\(b).mlp.lin2.weight"] = [d, 4 * d]; s["\(b).mlp.lin2.bias"] = [d]
        }
        s["\(e).neck.0.weight"] = [256, d, 1, 1]
        s["\(e).neck.1.weight"] = [256]; s["\(e).neck.1.bias"] = [256]
        s["\(e).neck.2.weight"] = [256, 256, 3, 3]
        s["\(e).neck.3.weight"] = [256]; s["\(e).neck.3.bias"] = [256]
        s.merge(promptEncoderAndDecoder(), uniquingKeysWith: { a, _ in a })
        return s
    }

    /// SAM ViT-B (`sam_vit_b_01ec64.pth`).
    public static var vitB: [String: [Int]] { vit(embedDim: 768, depth: 12, heads: 12, globalBlocks: [2, 5, 8, 11]) }
    /// SAM ViT-L (`sam_vit_l_0b3195.pth`).
    public static var vitL: [String: [Int]] { vit(embedDim: 1024, depth: 24, heads: 16, globalBlocks: [5, 11, 17, 23]) }
    /// SAM ViT-H (`sam_vit_h_4b8939.pth`).
    public static var vitH: [String: [Int]] { vit(embedDim: 1280, depth: 32, heads: 16, globalBlocks: [7, 15, 23, 31]) }

    /// The prompt encoder and mask decoder shared by all published models.
    public static func promptEncoderAndDecoder() -> [String: [Int]] {
        var s: [String: [Int]] = [:]
        let p = "prompt_encoder"
        s["\(p).pe_layer.positional_encoding_gaussian_matrix"] = [2, 128]
        for i in 0..<4 { s["\(p).point_embeddings.\(i).weight"] = [1, 256] }
        s["\(p).not_a_point_embed.weight"] = [1, 256]
        s["\(p).no_mask_embed.weight"] = [1, 256]
        s["\(p).mask_downscaling.0.weight"] = [4, 1, 2, 2]; s["\(p).mask_downscaling.0.bias"] = [4]
        s["\(p).mask_downscaling.1.weight"] = [4]; s["\(p).mask_downscaling.1.bias"] = [4]
        s["\(p).mask_downscaling.3.weight"] = [16, 4, 2, 2]; s["\(p).mask_downscaling.3.bias"] = [16]
        s["\(p).mask_downscaling.4.weight"] = [16]; s["\(p).mask_downscaling.4.bias"] = [16]
        s["\(p).mask_downscaling.6.weight"] = [256, 16, 1, 1]; s["\(p).mask_downscaling.6.bias"] = [256]
        let m = "mask_decoder"
        func attention(_ prefix: String, width: Int) {
            for n in ["q_proj", "k_proj", "v_proj"] {
                s["\(prefix).\(n).weight"] = [width, 256]; s["\(prefix).\(n).bias"] = [width]
            }
            s["\(prefix).out_proj.weight"] = [256, width]; s["\(prefix).out_proj.bias"] = [256]
        }
        for i in 0..<2 {
            let l = "\(m).transformer.layers.\(i)"
            attention("\(l).self_attn", width: 256)
            attention("\(l).cross_attn_token_to_image", width: 128)
            attention("\(l).cross_attn_image_to_token", width: 128)
            for n in ["norm1", "norm2", "norm3", "norm4"] { s["\(l).\(n).weight"] = [256]; s["\(l).\(n).bias"] = [256] }
            s["\(l).mlp.lin1.weight"] = [2048, 256]; s["\(l).mlp.lin1.bias"] = [2048]
            s["\(l).mlp.lin2.weight"] = [256, 2048]; s["\(l).mlp.lin2.bias"] = [256]
        }
        attention("\(m).transformer.final_attn_token_to_image", width: 128)
        s["\(m).transformer.norm_final_attn.weight"] = [256]; s["\(m).transformer.norm_final_attn.bias"] = [256]
        s["\(m).iou_token.weight"] = [1, 256]
        s["\(m).mask_tokens.weight"] = [4, 256]
        s["\(m).output_upscaling.0.weight"] = [256, 64, 2, 2]; s["\(m).output_upscaling.0.bias"] = [64]
        s["\(m).output_upscaling.1.weight"] = [64]; s["\(m).output_upscaling.1.bias"] = [64]
        s["\(m).output_upscaling.3.weight"] = [64, 32, 2, 2]; s["\(m).output_upscaling.3.bias"] = [32]
        for i in 0..<4 {
            let h = "\(m).output_hypernetworks_mlps.\(i).layers"
            s["\(h).0.weight"] = [256, 256]; s["\(h).0.bias"] = [256]
            s["\(h).1.weight"] = [256, 256]; s["\(h).1.bias"] = [256]
            s["\(h).2.weight"] = [32, 256]; s["\(h).2.bias"] = [32]
        }
        s["\(m).iou_prediction_head.layers.0.weight"] = [256, 256]; s["\(m).iou_prediction_head.layers.0.bias"] = [256]
        s["\(m).iou_prediction_head.layers.1.weight"] = [256, 256]; s["\(m).iou_prediction_head.layers.1.bias"] = [256]
        s["\(m).iou_prediction_head.layers.2.weight"] = [4, 256]; s["\(m).iou_prediction_head.layers.2.bias"] = [4]
        return s
    }
}
