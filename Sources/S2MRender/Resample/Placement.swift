/// How canvas pixels sit in terminal cells. A cell is taken to be twice as tall as it is wide.
public enum CellGeometry: String, Hashable, Sendable {
    /// Two square pixels per cell, stacked (`▀`): needs a UTF-8 terminal.
    case halfBlock
    /// One pixel per cell, twice as tall as wide: the fallback without UTF-8.
    case fullCell

    /// Canvas pixel rows per cell row.
    public var pixelsPerRow: Int { self == .halfBlock ? 2 : 1 }
    /// Height of one canvas pixel divided by its width, on screen.
    public var pixelAspect: Double { self == .halfBlock ? 1 : 2 }
}

/// What part of the image is shown: zoom (1 = the whole image fits the panel) and the image point
/// at the centre of the panel as fractions of the image size (0.5, 0.5 = the middle).
public struct Viewport: Hashable, Sendable, Codable {
    public var zoom: Double
    public var centerX: Double
    public var centerY: Double

    public init(zoom: Double = 1, centerX: Double = 0.5, centerY: Double = 0.5) {
        self.zoom = zoom
        self.centerX = centerX
        self.centerY = centerY
    }

    /// The whole image.
    public static let whole = Viewport()
}

/// A rectangle of the image in continuous pixel coordinates (x right, y down; pixel (i, j)
/// covers [i, i+1) x [j, j+1)).
public struct SourceRect: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// Where an image lands in a panel: the part of the image shown (`source`), and the rectangle of
/// canvas pixels it is drawn into (`drawX`, `drawY`, `drawWidth`, `drawHeight`) inside a canvas of
/// `canvasWidth` x `canvasHeight` pixels. Image pixels stay square on screen (letterboxed);
/// zooming in shows a smaller source rectangle that may fill the panel's other dimension.
public struct Placement: Hashable, Sendable {
    public let source: SourceRect
    public let canvasWidth: Int
    public let canvasHeight: Int
    public let drawX: Int
    public let drawY: Int
    public let drawWidth: Int
    public let drawHeight: Int

    public init(source: SourceRect, canvasWidth: Int, canvasHeight: Int,
                drawX: Int, drawY: Int, drawWidth: Int, drawHeight: Int) {
        self.source = source
        self.canvasWidth = canvasWidth
        self.canvasHeight = canvasHeight
        self.drawX = drawX
        self.drawY = drawY
        self.drawWidth = drawWidth
        self.drawHeight = drawHeight
    }

    /// Fits an image of `imageWidth` x `imageHeight` pixels into a canvas of
    /// `canvasWidth` x `canvasHeight` pixels whose pixels have `pixelAspect` (height / width).
    /// With `stretch`, the whole image fills the whole canvas whatever its shape.
    public static func fit(imageWidth: Int, imageHeight: Int, canvasWidth: Int, canvasHeight: Int,
                           pixelAspect: Double = 1, viewport: Viewport = .whole,
                           stretch: Bool = false) -> Placement {
        let w = Double(max(imageWidth, 1)), h = Double(max(imageHeight, 1))
        let cw = max(canvasWidth, 0), ch = max(canvasHeight, 0)
        if stretch || cw == 0 || ch == 0 {
            return Placement(source: SourceRect(x: 0, y: 0, width: w, height: h),
                             canvasWidth: cw, canvasHeight: ch, drawX: 0, drawY: 0,
                             drawWidth: cw, drawHeight: ch)
        }
        // Scale in horizontal canvas units per image pixel; a canvas pixel is 1 unit wide and
        // `pixelAspect` units tall.
        let panelW = Double(cw), panelH = Double(ch) * pixelAspect
        let zoom = max(viewport.zoom, 1)
        let scale = min(panelW / w, panelH / h) * zoom
        let visibleW = min(w, panelW / scale), visibleH = min(h, panelH / scale)
        let centerX = min(max(viewport.centerX * w, visibleW / 2), w - visibleW / 2)
        let centerY = min(max(viewport.centerY * h, visibleH / 2), h - visibleH / 2)
        let drawW = min(max(Int((visibleW * scale).rounded()), 1), cw)
        let drawH = min(max(Int((visibleH * scale / pixelAspect).rounded()), 1), ch)
        return Placement(
            source: SourceRect(x: centerX - visibleW / 2, y: centerY - visibleH / 2,
                               width: visibleW, height: visibleH),
            canvasWidth: cw, canvasHeight: ch,
            drawX: (cw - drawW) / 2, drawY: (ch - drawH) / 2, drawWidth: drawW, drawHeight: drawH)
    }

    /// Canvas pixels per image pixel, horizontally and vertically.
    public var scaleX: Double { Double(drawWidth) / source.width }
    public var scaleY: Double { Double(drawHeight) / source.height }

    /// The continuous canvas position of an image point.
    public func canvasPoint(x: Double, y: Double) -> (x: Double, y: Double) {
        (Double(drawX) + (x - source.x) * scaleX, Double(drawY) + (y - source.y) * scaleY)
    }

    /// The image point under a continuous canvas position.
    public func imagePoint(x: Double, y: Double) -> (x: Double, y: Double) {
        (source.x + (x - Double(drawX)) / scaleX, source.y + (y - Double(drawY)) / scaleY)
    }

    /// The viewport that reproduces this placement's centre at a given zoom (used to keep pans
    /// inside the image).
    public func viewport(imageWidth: Int, imageHeight: Int, zoom: Double) -> Viewport {
        Viewport(zoom: zoom,
                 centerX: (source.x + source.width / 2) / Double(max(imageWidth, 1)),
                 centerY: (source.y + source.height / 2) / Double(max(imageHeight, 1)))
    }
}
