import Testing
import S2MCore
@testable import S2MRender

private func floatRaster(_ w: Int, _ h: Int, _ values: [Float]) -> ScoreMap {
    ScoreMap(width: w, height: h, pixels: values)
}

/// A deterministic pseudo-random raster (xorshift), values in 0..<256.
private func noise(_ w: Int, _ h: Int, seed: UInt64) -> ScoreMap {
    var s = seed | 1
    return ScoreMap(width: w, height: h, pixels: (0..<(w * h)).map { _ in
        s ^= s << 13; s ^= s >> 7; s ^= s << 17
        return Float(s % 256)
    })
}

@Test func downscaleAveragesWholeBlocks() {
    let raster = floatRaster(4, 2, [0, 2, 4, 6,
                                    8, 10, 12, 14])
    let r = AreaResampler(source: SourceRect(x: 0, y: 0, width: 4, height: 2), imageWidth: 4, imageHeight: 2,
                          width: 2, height: 1)
    #expect(r.averages(raster) == [5, 9])
}

@Test func upscaleRepeatsOrSplitsPixels() {
    let raster = floatRaster(2, 1, [10, 20])
    let whole = SourceRect(x: 0, y: 0, width: 2, height: 1)
    #expect(AreaResampler(source: whole, imageWidth: 2, imageHeight: 1, width: 4, height: 1).averages(raster)
            == [10, 10, 20, 20])
    #expect(AreaResampler(source: whole, imageWidth: 2, imageHeight: 1, width: 3, height: 1).averages(raster)
            == [10, 15, 20])
}

@Test func windowsSelectTheirPartOfTheImage() {
    let raster = floatRaster(4, 1, [10, 20, 30, 40])
    let middle = AreaResampler(source: SourceRect(x: 1, y: 0, width: 2, height: 1), imageWidth: 4, imageHeight: 1,
                               width: 2, height: 1)
    #expect(middle.averages(raster) == [20, 30])
    let offGrid = AreaResampler(source: SourceRect(x: 0.5, y: 0, width: 1, height: 1), imageWidth: 4,
                                imageHeight: 1, width: 1, height: 1)
    #expect(offGrid.averages(raster) == [15])
}

@Test func resamplingConservesTheTotalAtAnyScale() {
    // An area filter neither drops nor duplicates source pixels: the mean is preserved exactly
    // (up to float rounding), shrinking or enlarging, at sizes that do not divide the source.
    // Point sampling (nearest neighbour) fails this on noise.
    let raster = noise(37, 23, seed: 42)
    let mean = raster.pixels.reduce(0, +) / Float(raster.count)
    for (w, h) in [(1, 1), (5, 3), (10, 7), (36, 22), (37, 23), (38, 24), (100, 61), (211, 97)] {
        let r = AreaResampler(source: SourceRect(x: 0, y: 0, width: 37, height: 23), imageWidth: 37,
                              imageHeight: 23, width: w, height: h)
        let out = r.averages(raster)
        let outMean = out.reduce(0, +) / Float(out.count)
        // Every output covers the same area, so the output mean equals the source mean.
        #expect(abs(outMean - mean) < 0.01, "\(w)x\(h): \(outMean) vs \(mean)")
    }
}

@Test func aOnePixelCheckerboardShrinksToGreyNotToAliasing() {
    let size = 64
    let board = ScoreMap(width: size, height: size, pixels: (0..<(size * size)).map {
        Float((($0 % size) + ($0 / size)) % 2 == 0 ? 255 : 0)
    })
    let r = AreaResampler(source: SourceRect(x: 0, y: 0, width: 64, height: 64), imageWidth: 64,
                          imageHeight: 64, width: 16, height: 16)
    #expect(r.averages(board).allSatisfy { $0 == 127.5 })
    // Non-integer ratio: every output still lies near mid-grey (point sampling gives 0 or 255).
    let odd = AreaResampler(source: SourceRect(x: 0, y: 0, width: 64, height: 64), imageWidth: 64,
                            imageHeight: 64, width: 10, height: 10)
    #expect(odd.averages(board).allSatisfy { abs($0 - 127.5) < 10 })
}

@Test func rgbAndMaskResamplingUseTheSameWeights() {
    let image = RGBImage(width: 2, height: 2, pixels: [RGB(255, 0, 0), RGB(0, 0, 255),
                                                      RGB(255, 0, 0), RGB(0, 255, 0)])
    let r = AreaResampler(source: SourceRect(x: 0, y: 0, width: 2, height: 2), imageWidth: 2, imageHeight: 2,
                          width: 1, height: 1)
    #expect(r.resample(image).pixels == [RGB(128, 64, 64)])
    let mask = Mask(width: 2, height: 2, pixels: [true, false, true, true])
    #expect(r.resample(values: mask).pixels == [0.75])
}

@Test func placementKeepsPixelsSquareAndCentres() {
    let p = Placement.fit(imageWidth: 1280, imageHeight: 720, canvasWidth: 160, canvasHeight: 96)
    #expect(p.drawWidth == 160 && p.drawHeight == 90 && p.drawX == 0 && p.drawY == 3)
    #expect(p.source == SourceRect(x: 0, y: 0, width: 1280, height: 720))
    #expect(p.scaleX == p.scaleY)
    // Without UTF-8 a canvas pixel is a whole cell, twice as tall as wide.
    let cells = Placement.fit(imageWidth: 1280, imageHeight: 720, canvasWidth: 160, canvasHeight: 48,
                              pixelAspect: 2)
    #expect(cells.drawWidth == 160 && cells.drawHeight == 45)
    // A tall image in a wide panel is letterboxed left and right.
    let tall = Placement.fit(imageWidth: 100, imageHeight: 200, canvasWidth: 80, canvasHeight: 40)
    #expect(tall.drawWidth == 20 && tall.drawHeight == 40 && tall.drawX == 30)
    // Stretch fills the canvas whatever the shape.
    let stretched = Placement.fit(imageWidth: 1280, imageHeight: 720, canvasWidth: 160, canvasHeight: 96,
                                  stretch: true)
    #expect(stretched.drawWidth == 160 && stretched.drawHeight == 96)
}

@Test func zoomShowsAWindowThatFillsThePanelAndStaysInside() {
    let z = Placement.fit(imageWidth: 1280, imageHeight: 720, canvasWidth: 160, canvasHeight: 96,
                          viewport: Viewport(zoom: 2))
    #expect(z.source == SourceRect(x: 320, y: 168, width: 640, height: 384))
    #expect(z.drawWidth == 160 && z.drawHeight == 96)
    #expect(abs(z.scaleX - z.scaleY) < 1e-9)
    // Panning past the left edge clamps the window to the image.
    let left = Placement.fit(imageWidth: 1280, imageHeight: 720, canvasWidth: 160, canvasHeight: 96,
                             viewport: Viewport(zoom: 4, centerX: 0, centerY: 1))
    #expect(left.source.x == 0)
    #expect(left.source.y + left.source.height == 720)
    // Round trip between image and canvas coordinates.
    let c = z.canvasPoint(x: 500, y: 300)
    let back = z.imagePoint(x: c.x, y: c.y)
    #expect(abs(back.x - 500) < 1e-9 && abs(back.y - 300) < 1e-9)
    // Zoom below 1 is treated as 1.
    #expect(Placement.fit(imageWidth: 10, imageHeight: 10, canvasWidth: 10, canvasHeight: 10,
                          viewport: Viewport(zoom: 0.2)).source.width == 10)
}
