import S2MCore

/// The xterm 256-colour palette: 16 themeable system colours (xterm's defaults), the 6x6x6
/// colour cube (indices 16-231, levels 0, 95, 135, 175, 215, 255) and the 24-step grey ramp
/// (indices 232-255, values 8, 18, ..., 238).
public enum XtermPalette {
    /// The six levels of each cube axis.
    public static let cubeLevels: [UInt8] = [0, 95, 135, 175, 215, 255]

    /// xterm's default values for the 16 system colours (terminals may theme them differently).
    public static let systemColors: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0),
        RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0),
        RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]

    /// The sRGB value of palette entry `index` (0-255).
    public static func color(_ index: UInt8) -> RGB {
        switch index {
        case 0..<16:
            return systemColors[Int(index)]
        case 16..<232:
            let i = Int(index) - 16
            return RGB(cubeLevels[i / 36], cubeLevels[(i / 6) % 6], cubeLevels[i % 6])
        default:
            return RGB(gray: UInt8(8 + 10 * (Int(index) - 232)))
        }
    }

    /// For each channel value, the index (0-5) of the nearest cube level.
    static let nearestCubeLevel: [UInt8] = (0..<256).map { v in
        var best = 0
        for i in 1..<6 where abs(Int(cubeLevels[i]) - v) < abs(Int(cubeLevels[best]) - v) { best = i }
        return UInt8(best)
    }

    /// The entry among 16-255 (the cube and the grey ramp; the themeable 16 are skipped) nearest to
    /// `color` in squared RGB distance; on a tie the cube entry wins.
    ///
    /// The cube is a product grid, so its nearest entry is the per-channel nearest level; the
    /// nearest grey is the ramp step nearest to the channel mean. The answer compares the two.
    public static func nearestExtended(_ color: RGB) -> UInt8 {
        let r = Int(color.r), g = Int(color.g), b = Int(color.b)
        let ri = Int(nearestCubeLevel[r]), gi = Int(nearestCubeLevel[g]), bi = Int(nearestCubeLevel[b])
        let cr = Int(cubeLevels[ri]) - r, cg = Int(cubeLevels[gi]) - g, cb = Int(cubeLevels[bi]) - b
        let cubeDistance = cr * cr + cg * cg + cb * cb
        // Grey step nearest to the mean: round((mean - 8) / 10), clamped to 0...23.
        let sum = r + g + b
        var step = (sum - 24 + 15) / 30  // round((sum/3 - 8) / 10) with integer arithmetic
        if sum < 24 { step = 0 }
        step = min(max(step, 0), 23)
        let level = 8 + 10 * step
        let dr = level - r, dg = level - g, db = level - b
        let greyDistance = dr * dr + dg * dg + db * db
        if greyDistance < cubeDistance { return UInt8(232 + step) }
        return UInt8(16 + 36 * ri + 6 * gi + bi)
    }

    /// The system colour (0-15, at xterm's default values) nearest to `color` in squared RGB distance.
    public static func nearestSystem(_ color: RGB) -> UInt8 {
        var best = 0
        var bestDistance = Int.max
        for (i, c) in systemColors.enumerated() {
            let dr = Int(c.r) - Int(color.r), dg = Int(c.g) - Int(color.g), db = Int(c.b) - Int(color.b)
            let d = dr * dr + dg * dg + db * db
            if d < bestDistance { bestDistance = d; best = i }
        }
        return UInt8(best)
    }
}
