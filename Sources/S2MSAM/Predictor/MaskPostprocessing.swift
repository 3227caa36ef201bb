import CSAMKernels

/// SamPredictor's postprocessing of low-resolution mask logits: bilinear upscaling (PyTorch's
/// align_corners = false) to the model input size, cropping away the padding, and bilinear
/// resizing to the original image size. Only the pixels kept by the crop are ever computed.
struct MaskPostprocessing {
    let inputSize: Int
    let resizedHeight: Int
    let resizedWidth: Int
    let originalHeight: Int
    let originalWidth: Int

    /// logits: count x low x low. Returns count x originalHeight x originalWidth.
    func apply(_ compute: Compute, logits: Tensor) -> Tensor {
        let count = logits.shape[0], low = logits.shape[1]
        let result = Tensor(zeros: [count, originalHeight, originalWidth])
        let cropped = Tensor(zeros: [resizedHeight, resizedWidth])
        for m in 0..<count {
            let plane = logits.pointer + m * low * low
            compute.parallelRanges(resizedHeight) { rows in
                sam_resize_bilinear_plane(plane, low, low, low, inputSize, inputSize, resizedWidth,
                                          rows.lowerBound, rows.upperBound, cropped.pointer, resizedWidth)
            }
            let out = result.pointer + m * originalHeight * originalWidth
            compute.parallelRanges(originalHeight) { rows in
                sam_resize_bilinear_plane(cropped.pointer, resizedWidth, resizedHeight, resizedWidth,
                                          originalWidth, originalHeight, originalWidth,
                                          rows.lowerBound, rows.upperBound, out, originalWidth)
            }
        }
        return result
    }
}
