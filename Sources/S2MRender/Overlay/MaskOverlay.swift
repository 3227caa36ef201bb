import S2MCore

/// Mask tints and outlines at screen resolution, from the fraction of each canvas pixel a mask
/// covers (area-averaged, so thin parts stay visible as fainter tint instead of vanishing).
public enum MaskOverlay {
    /// Mixes `tint` over the drawn rectangle with opacity `alpha * coverage`.
    /// `coverage` holds one value per drawn pixel, row-major.
    public static func tint(_ canvas: inout PixelCanvas, coverage: [Float], color: RGB, alpha: Float) {
        let w = canvas.drawWidth
        for y in 0..<canvas.drawHeight {
            for x in 0..<w {
                let c = coverage[y * w + x]
                if c > 0 { canvas.blend(x: canvas.drawX + x, y: canvas.drawY + y, color, alpha: alpha * c) }
            }
        }
    }

    /// Paints `color` on every drawn pixel that is at least half covered and has a 4-neighbour
    /// (inside the drawn rectangle) that is less than half covered: a one-pixel inner outline.
    public static func outline(_ canvas: inout PixelCanvas, coverage: [Float], color: RGB) {
        let w = canvas.drawWidth, h = canvas.drawHeight
        for y in 0..<h {
            for x in 0..<w where coverage[y * w + x] >= 0.5 {
                let edge = (x > 0 && coverage[y * w + x - 1] < 0.5)
                    || (x + 1 < w && coverage[y * w + x + 1] < 0.5)
                    || (y > 0 && coverage[(y - 1) * w + x] < 0.5)
                    || (y + 1 < h && coverage[(y + 1) * w + x] < 0.5)
                if edge { canvas.set(x: canvas.drawX + x, y: canvas.drawY + y, color) }
            }
        }
    }

    /// The photo muted so that tints stand out: partly desaturated towards its luma, then dimmed.
    public static func mute(_ canvas: inout PixelCanvas, desaturation: Float, dimming: Float) {
        for y in canvas.drawY..<(canvas.drawY + canvas.drawHeight) {
            for x in canvas.drawX..<(canvas.drawX + canvas.drawWidth) {
                let c = canvas[x, y]
                let luma = Float(MonochromeMode.luma(c))
                func channel(_ v: UInt8) -> UInt8 {
                    let mixed = Float(v) * (1 - desaturation) + luma * desaturation
                    return UInt8(min(max(mixed * dimming + 0.5, 0), 255))
                }
                canvas[x, y] = RGB(channel(c.r), channel(c.g), channel(c.b))
            }
        }
    }
}
