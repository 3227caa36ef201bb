extension Raster {
    /// This raster resampled to `size` by nearest neighbour: destination pixel (x, y) takes the
    /// source pixel under its centre, `floor((x + 0.5) * srcWidth / dstWidth)` (same for y).
    /// The right resampling for label maps: no value is invented. Empty sizes give empty rasters.
    public func resizedNearest(to size: RasterSize) -> Raster<Element> {
        if size == self.size { return self }
        guard size.width > 0, size.height > 0, width > 0, height > 0 else {
            precondition(size.pixelCount == 0 || count > 0, "cannot resize an empty raster to \(size)")
            return Raster(width: size.width, height: size.height, pixels: [])
        }
        let xs = (0..<size.width).map { min(width - 1, ($0 * 2 + 1) * width / (2 * size.width)) }
        var out: [Element] = []
        out.reserveCapacity(size.pixelCount)
        for y in 0..<size.height {
            let sy = min(height - 1, (y * 2 + 1) * height / (2 * size.height))
            let row = sy * width
            for sx in xs { out.append(pixels[row + sx]) }
        }
        return Raster(width: size.width, height: size.height, pixels: out)
    }
}
