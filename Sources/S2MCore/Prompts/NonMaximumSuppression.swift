/// Greedy non-maximum suppression of boxes: visit them in descending score (ties keep their
/// order) and keep a box unless its IoU with an already kept box exceeds `iouThreshold`.
/// Returns the indices of the kept boxes, best first (torchvision's `nms` keeps the same set).
public func nonMaximumSuppression(boxes: [Box], scores: [Double], iouThreshold: Double) -> [Int] {
    precondition(boxes.count == scores.count)
    let order = boxes.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    var kept: [Int] = []
    for i in order where !kept.contains(where: { boxes[$0].iou(boxes[i]) > iouThreshold }) {
        kept.append(i)
    }
    return kept
}
