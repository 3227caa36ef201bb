import S2MCore

/// The pixels of one panel at screen resolution (one pixel per half cell), before they become
/// cells. Only the drawn rectangle of the placement holds image content; the rest is letterbox
/// and stays the terminal's background.
public struct PixelCanvas: Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [RGB]
    /// The drawn rectangle (canvas pixels).
    public let drawX: Int, drawY: Int, drawWidth: Int, drawHeight: Int

    public init(placement: Placement, fill: RGB = RGB(gray: 0)) {
        width = placement.canvasWidth
        height = placement.canvasHeight
        drawX = placement.drawX
        drawY = placement.drawY
        drawWidth = placement.drawWidth
        drawHeight = placement.drawHeight
        pixels = Array(repeating: fill, count: width * height)
    }

    @inlinable
    public func isDrawn(x: Int, y: Int) -> Bool {
        x >= drawX && y >= drawY && x < drawX + drawWidth && y < drawY + drawHeight
    }

    @inlinable
    public subscript(x: Int, y: Int) -> RGB {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// Copies `raster` (of the drawn rectangle's size) into the drawn rectangle.
    public mutating func place(_ raster: RGBImage) {
        precondition(raster.width == drawWidth && raster.height == drawHeight)
        for y in 0..<drawHeight {
            let src = y * drawWidth, dst = (drawY + y) * width + drawX
            for x in 0..<drawWidth { pixels[dst + x] = raster.pixels[src + x] }
        }
    }

    /// Mixes `color` over pixel (x, y) with opacity `alpha` (0...1); ignores pixels outside the
    /// drawn rectangle.
    @inlinable
    public mutating func blend(x: Int, y: Int, _ color: RGB, alpha: Float) {
        guard isDrawn(x: x, y: y), alpha > 0 else { return }
        self[x, y] = Self.mix(self[x, y], color, alpha)
    }

    /// Sets pixel (x, y) when it lies in the drawn rectangle.
    @inlinable
    public mutating func set(x: Int, y: Int, _ color: RGB) {
        guard isDrawn(x: x, y: y) else { return }
        self[x, y] = color
    }

    /// `base * (1 - alpha) + over * alpha`, per channel, rounded.
    @inlinable
    public static func mix(_ base: RGB, _ over: RGB, _ alpha: Float) -> RGB {
        let a = min(max(alpha, 0), 1), b = 1 - a
        return RGB(UInt8(Float(base.r) * b + Float(over.r) * a + 0.5),
                   UInt8(Float(base.g) * b + Float(over.g) * a + 0.5),
                   UInt8(Float(base.b) * b + Float(over.b) * a + 0.5))
    }

    /// Outline of the rectangle with inclusive corners (x0, y0)-(x1, y1), clipped to the drawn
    /// rectangle; `dashed` leaves every other pair of pixels out.
    public mutating func strokeRect(x0: Int, y0: Int, x1: Int, y1: Int, _ color: RGB, dashed: Bool = false) {
        guard x1 >= x0, y1 >= y0 else { return }
        for x in x0...x1 where !dashed || (x - x0) % 4 < 2 {
            set(x: x, y: y0, color)
            set(x: x, y: y1, color)
        }
        for y in y0...y1 where !dashed || (y - y0) % 4 < 2 {
            set(x: x0, y: y, color)
            set(x: x1, y: y, color)
        }
    }
}
