extension LabelEncoding {
    /// The ground truth the metrics use: OoD values become ``TruthClass/anomaly``, void values
    /// ``TruthClass/void``, 0 ``TruthClass/inDistribution``.
    ///
    /// Any other value is refused with `.invalid` naming the values and their pixel counts (a
    /// wrong encoding would otherwise count anomalies as background without a word), unless
    /// `allowOtherValues`, which counts them as in-distribution.
    public func truthMap(_ labels: LabelMap, file: String? = nil, allowOtherValues: Bool = false) throws -> TruthMap {
        let ood = self.ood, void = self.void ?? ood
        var out = [TruthClass](repeating: .inDistribution, count: labels.count)
        var others: [UInt16: Int] = [:]
        labels.pixels.withUnsafeBufferPointer { lp in
            out.withUnsafeMutableBufferPointer { op in
                for i in 0..<lp.count {
                    let v = lp[i]
                    if v == ood { op[i] = .anomaly }
                    else if v == void { op[i] = .void }
                    else if v != 0 { others[v, default: 0] += 1 }
                }
            }
        }
        if !others.isEmpty && !allowOtherValues {
            let values = others.keys.sorted()
            let listed = values.prefix(6).map { "\($0) (\(others[$0]!) px)" }.joined(separator: ", ")
                + (values.count > 6 ? " and \(values.count - 6) more" : "")
            var hint = ""
            if self == .smiyc && values == [2] { hint = "; RoadAnomaly labels mark anomalies with 2: use --label-encoding road-anomaly" }
            throw S2MError(file: file, .invalid("label value\(values.count == 1 ? "" : "s") \(listed) not defined by the label encoding \(self) (0 in-distribution, \(ood) OoD\(self.void.map { ", \($0) void" } ?? ""))\(hint); --allow-other-labels counts them as in-distribution"))
        }
        return TruthMap(width: labels.width, height: labels.height, pixels: out)
    }
}
