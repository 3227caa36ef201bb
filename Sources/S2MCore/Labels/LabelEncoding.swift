/// What the values of a label map mean: which value marks out-of-distribution (OoD) pixels and
/// which, if any, marks void pixels that evaluation ignores. Every other value is
/// in-distribution.
///
/// Presets: ``smiyc`` (OoD 1, void 255; SegmentMeIfYouCan and Fishyscapes, the default
/// everywhere) and ``roadAnomaly`` (OoD 2, no void; the original RoadAnomaly release).
public struct LabelEncoding: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The label value of OoD pixels.
    public var ood: UInt16
    /// The label value of void (ignored) pixels, or `nil` when the encoding has none.
    public var void: UInt16?

    public init(ood: UInt16, void: UInt16?) {
        precondition(ood != void, "the OoD and void values must differ")
        self.ood = ood
        self.void = void
    }

    /// SegmentMeIfYouCan (RoadAnomaly21, RoadObstacle21): 0 in-distribution, 1 OoD, 255 void.
    public static let smiyc = LabelEncoding(ood: 1, void: 255)
    /// Fishyscapes (Static, Lost & Found) as distributed for PEBAL/RPL/S2M: same values as SMIYC.
    public static let fishyscapes = smiyc
    /// The original RoadAnomaly release: 0 background, 2 OoD, no void.
    public static let roadAnomaly = LabelEncoding(ood: 2, void: nil)
    /// The default of every command.
    public static let `default` = smiyc

    /// Preset names accepted by ``init(parsing:)``.
    public static let presetNames: [(name: String, encoding: LabelEncoding)] = [
        ("smiyc", .smiyc), ("fishyscapes", .fishyscapes), ("road-anomaly", .roadAnomaly),
    ]

    /// The role of one label value.
    public enum Role: String, Sendable, Codable {
        case inDistribution = "in-distribution"
        case ood
        case void
    }

    /// Parses a preset name (`smiyc`, `fishyscapes`, `road-anomaly`) or an explicit
    /// `ood=V[,void=W|none]` (e.g. `ood=2,void=none`, `ood=1,void=255`). Without a `void` part
    /// there is no void value.
    /// - Throws: `.invalid` with the accepted forms.
    public init(parsing text: String) throws {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        if let preset = LabelEncoding.presetNames.first(where: { $0.name == lower }) {
            self = preset.encoding
            return
        }
        var ood: UInt16?
        var void: UInt16?
        for part in lower.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2 else { throw LabelEncoding.parseError(text) }
            switch pieces[0] {
            case "ood":
                guard let value = UInt16(pieces[1]) else { throw LabelEncoding.parseError(text) }
                ood = value
            case "void":
                if pieces[1] == "none" { void = nil; continue }
                guard let value = UInt16(pieces[1]) else { throw LabelEncoding.parseError(text) }
                void = value
            default:
                throw LabelEncoding.parseError(text)
            }
        }
        guard let ood else { throw LabelEncoding.parseError(text) }
        guard ood != void else {
            throw S2MError(file: nil, .invalid("label encoding '\(text)': the OoD and void values must differ"))
        }
        self.init(ood: ood, void: void)
    }

    private static func parseError(_ text: String) -> S2MError {
        S2MError(file: nil, .invalid("unknown label encoding '\(text)' (use smiyc, fishyscapes, road-anomaly, or ood=V[,void=W|none])"))
    }

    /// `smiyc`, `road-anomaly`, or `ood=V,void=W|none`.
    public var description: String {
        if self == .smiyc { return "smiyc" }
        if self == .roadAnomaly { return "road-anomaly" }
        return "ood=\(ood),void=\(void.map(String.init) ?? "none")"
    }

    /// The role of `value` under this encoding.
    @inlinable
    public func role(of value: UInt16) -> Role {
        if value == ood { return .ood }
        if let void, value == void { return .void }
        return .inDistribution
    }

    /// `true` where the label marks an OoD pixel.
    public func oodMask(_ labels: LabelMap) -> Mask {
        let ood = self.ood
        return labels.map { $0 == ood }
    }

    /// `true` where the label marks a void pixel (all false when the encoding has no void).
    public func voidMask(_ labels: LabelMap) -> Mask {
        guard let void else { return Mask(width: labels.width, height: labels.height, repeating: false) }
        return labels.map { $0 == void }
    }

    /// Pixel counts per role.
    public func counts(_ labels: LabelMap) -> (inDistribution: Int, ood: Int, void: Int) {
        var ood = 0, void = 0
        for v in labels.pixels {
            if v == self.ood { ood += 1 } else if let w = self.void, v == w { void += 1 }
        }
        return (labels.count - ood - void, ood, void)
    }

    /// The same labels in `target`'s encoding: OoD pixels get `target.ood`, void pixels
    /// `target.void`, every other pixel 0 (in-distribution).
    /// - Throws: `.invalid` when void pixels exist but `target` has no void value, or when 0 is
    ///   `target`'s OoD or void value (no value would be left for in-distribution pixels).
    public func convert(_ labels: LabelMap, to target: LabelEncoding, file: String? = nil) throws -> LabelMap {
        guard target.ood != 0, target.void != 0 else {
            throw S2MError(file: file, .invalid("cannot convert to \(target): 0 is needed for in-distribution pixels"))
        }
        var out = [UInt16](repeating: 0, count: labels.count)
        for (i, v) in labels.pixels.enumerated() {
            switch role(of: v) {
            case .ood: out[i] = target.ood
            case .inDistribution: out[i] = 0
            case .void:
                guard let void = target.void else {
                    throw S2MError(file: file, .invalid("labels hold void pixels (\(v)) but \(target) has no void value"))
                }
                out[i] = void
            }
        }
        return LabelMap(width: labels.width, height: labels.height, pixels: out)
    }
}
