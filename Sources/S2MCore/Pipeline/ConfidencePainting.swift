/// What a pixel covered by several masks gets in the confidence map.
public enum OverlapPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// As the paper's code: masks are painted in descending confidence, each filled with its
    /// confidence, so where masks overlap the later, lower confidence wins.
    case paper
    /// The highest confidence of the masks covering the pixel.
    case max
}

/// Paints object masks into a confidence map (S2M step 4): the map starts at 0 and each mask is
/// filled with its confidence, in descending confidence (ties keep their order in `masks`);
/// overlaps follow `policy`. Masks with a confidence not above 0 paint nothing. All masks have
/// `size`. This is cheap and separate from segmentation, so a viewer can toggle prompts and
/// repaint without segmenting again.
public func paintConfidenceMap(_ masks: [(mask: Mask, confidence: Double)], size: RasterSize,
                               policy: OverlapPolicy = .paper) -> ScoreMap {
    var map = [Float](repeating: 0, count: size.pixelCount)
    let order = masks.indices
        .filter { masks[$0].confidence > 0 }
        .sorted { a, b in
            masks[a].confidence != masks[b].confidence ? masks[a].confidence > masks[b].confidence : a < b
        }
    for i in order {
        let m = masks[i].mask
        precondition(m.size == size, "mask \(m.size) painted into a \(size) map")
        let c = Float(masks[i].confidence)
        m.pixels.withUnsafeBufferPointer { src in
            for p in 0..<src.count where src[p] {
                switch policy {
                case .paper: map[p] = c
                case .max: if c > map[p] { map[p] = c }
                }
            }
        }
    }
    return ScoreMap(width: size.width, height: size.height, pixels: map)
}
