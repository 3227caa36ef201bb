/// Otsu's threshold (1979) of a score map, computed exactly over the map's distinct values.
///
/// Every distinct value `t` splits the pixels into `{s <= t}` and `{s > t}`; Otsu picks the `t` that
/// maximises the between-class variance `w0 * w1 * (mu0 - mu1)^2`, the first (smallest) on ties.
/// With 8-bit data this equals OpenCV's `THRESH_OTSU` (which also predicts `s > t`). Pixels above the
/// returned value form the foreground. Returns `nil` for maps with fewer than two distinct values.
public func otsuThreshold(_ scores: ScoreMap) -> Float? {
    guard scores.count > 1 else { return nil }
    let sorted = scores.pixels.sorted()
    let n = Double(sorted.count)
    var total = 0.0
    for v in sorted { total += Double(v) }
    var best: (variance: Double, t: Float)?
    var countBelow = 0.0, sumBelow = 0.0
    var i = 0
    while i < sorted.count {
        let v = sorted[i]
        while i < sorted.count && sorted[i] == v {
            countBelow += 1
            sumBelow += Double(sorted[i])
            i += 1
        }
        if i == sorted.count { break }  // the largest value leaves class 1 empty
        let w0 = countBelow / n, w1 = 1 - w0
        let mu0 = sumBelow / countBelow, mu1 = (total - sumBelow) / (n - countBelow)
        let variance = w0 * w1 * (mu0 - mu1) * (mu0 - mu1)
        if best == nil || variance > best!.variance { best = (variance, v) }
    }
    return best?.t
}
