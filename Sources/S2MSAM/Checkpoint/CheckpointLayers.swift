import S2MCore

/// Reading the building blocks of SAM's modules from a state dict, with shape checks.
extension StateDictionary {
    /// `prefix.weight` (out x in) and `prefix.bias` (out) of an nn.Linear.
    func linear(_ prefix: String, in inFeatures: Int, out outFeatures: Int, bias: Bool = true) throws -> Linear {
        Linear(weight: try tensor(prefix + ".weight", shape: [outFeatures, inFeatures]),
               bias: bias ? try tensor(prefix + ".bias", shape: [outFeatures]) : nil)
    }

    /// `prefix.weight` and `prefix.bias` of an nn.LayerNorm or SAM's LayerNorm2d.
    func layerNorm(_ prefix: String, features: Int, eps: Float) throws -> LayerNorm {
        LayerNorm(weight: try tensor(prefix + ".weight", shape: [features]),
                  bias: try tensor(prefix + ".bias", shape: [features]), eps: eps)
    }

    /// An inference-mode nn.BatchNorm2d (`weight`, `bias`, `running_mean`, `running_var`).
    func batchNorm(_ prefix: String, features: Int) throws -> FoldedBatchNorm {
        FoldedBatchNorm(weight: try tensor(prefix + ".weight", shape: [features]),
                        bias: try tensor(prefix + ".bias", shape: [features]),
                        runningMean: try tensor(prefix + ".running_mean", shape: [features]),
                        runningVar: try tensor(prefix + ".running_var", shape: [features]))
    }

    /// The first dimension of a tensor that must exist (for inferring configurations).
    func dimension(_ name: String, _ axis: Int = 0, rank: Int? = nil) throws -> Int {
        guard let shape = shape(of: name) else {
            throw S2MError(file: path, .unsupported("no tensor '\(name)' (not a Segment Anything or MobileSAM checkpoint?)"))
        }
        if let rank, shape.count != rank {
            throw S2MError(file: path, .corrupt("tensor '\(name)' has shape \(shape), expected \(rank) dimensions"))
        }
        guard axis < shape.count, shape[axis] > 0 else {
            throw S2MError(file: path, .corrupt("tensor '\(name)' has shape \(shape)"))
        }
        return shape[axis]
    }

    /// How many consecutive modules `prefix.0`, `prefix.1`, ... have a tensor named `suffix`.
    func countModules(_ prefix: String, suffix: String) -> Int {
        var n = 0
        while contains("\(prefix).\(n).\(suffix)") { n += 1 }
        return n
    }
}

/// A configuration error found while inferring a model from tensor shapes.
func checkpointShapeError(_ checkpoint: any StateDictionary, _ why: String) -> S2MError {
    S2MError(file: checkpoint.path, .corrupt(why))
}
