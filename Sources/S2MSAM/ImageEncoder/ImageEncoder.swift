/// The image encoder of a SAM model: a normalised, padded square image in, the image embedding
/// out. SAM uses a ViT (ViTImageEncoder); MobileSAM uses a TinyViT (TinyViTImageEncoder).
protocol ImageEncoder: Sendable {
    /// Side of the square input in pixels (1024 for the published models).
    var imageSize: Int { get }
    /// Channels of the embedding (256).
    var embeddingChannels: Int { get }
    /// Side of the square embedding grid (64).
    var embeddingSize: Int { get }

    /// Encodes a 3 x imageSize x imageSize tensor (CHW, already normalised and padded) into an
    /// embeddingChannels x embeddingSize x embeddingSize tensor.
    func encode(_ input: Tensor, compute: Compute) throws -> Tensor
}
