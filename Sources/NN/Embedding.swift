import Tensor

/// A word-embedding table looked up by id. Row 0 is padding (always a zero output, never a
/// gradient), row 1 the out-of-vocabulary word; the whole table is trainable (dense gradient).
/// Ids from `vocabularySize` on name frozen pretrained rows the caller passes with the ids
/// (`FrozenVectors`): gathered like the others, never given a gradient.
public struct Embedding: Sendable {
    /// [vocabularySize, dimension]
    public let table: Parameter
    public var vocabularySize: Int { table.shape[0] }
    public var dimension: Int { table.shape[1] }

    public init(name: String, vocabularySize: Int, dimension: Int, layout: inout ParameterLayout) {
        table = layout.add("\(name)/weight", shape: [vocabularySize, dimension])
    }

    /// Without `pretrained`: N(0, 1) (PyTorch's default). With it (reference hmtl; docs/design.md,
    /// Shared embedding): rows whose word the file has are copied; every other row is drawn from
    /// N(mean, std), where mean and std (population) are scalars over all values of all found
    /// vectors. The padding row is zero either way.
    public func initialize(_ arena: ParameterArena, rng: inout RNG, pretrained: PretrainedVectors? = nil) {
        let w = arena.value(table)
        guard let pretrained else {
            Initializer.normal(w, count: table.count, std: 1, rng: &rng)
            w.update(repeating: 0, count: dimension)
            return
        }
        precondition(pretrained.dimension == dimension && pretrained.vocabulary.count == vocabularySize,
                     "Embedding: table [\(vocabularySize), \(dimension)] but pretrained vectors for \(pretrained.vocabulary.count) words of dimension \(pretrained.dimension)")
        let (mean, std) = Embedding.statistics(pretrained)
        for row in 1..<vocabularySize {
            if let v = pretrained.vector(row: row) {
                (w + row * dimension).update(from: v, count: dimension)
            } else {
                Initializer.normal(w + row * dimension, count: dimension, mean: mean, std: std, rng: &rng)
            }
        }
        w.update(repeating: 0, count: dimension)
    }

    /// Scalar mean and population std of every value of every found vector, summed in Double
    /// in vocabulary order so the result does not depend on dictionary iteration order.
    static func statistics(_ pretrained: PretrainedVectors) -> (mean: Float, std: Float) {
        var seen = Set<String>()
        var sum = 0.0, sumSquares = 0.0, n = 0.0
        for word in pretrained.vocabulary where seen.insert(word).inserted {
            guard let v = pretrained.vectors[word] else { continue }
            for x in v { sum += Double(x); sumSquares += Double(x) * Double(x) }
            n += Double(v.count)
        }
        precondition(n > 0, "Embedding: pretrained vectors contain no found word")
        let mean = sum / n
        return (Float(mean), Float(max(0, sumSquares / n - mean * mean).squareRoot()))
    }

    /// [ids.count, dimension]; id 0 gives a zero row whatever the table holds, id
    /// `vocabularySize + r` row r of `frozen` ([rows, dimension], row-major).
    public func forward(ids: [Int32], frozen: [Float] = [], arena: ParameterArena) -> Tensor {
        precondition(frozen.count % dimension == 0, "Embedding: \(frozen.count) frozen values are not rows of \(dimension)")
        let idCount = vocabularySize + frozen.count / dimension
        var y = Tensor(zeros: [ids.count, dimension])
        let w = arena.value(table)
        y.withMutablePointer { yp in
            frozen.withUnsafeBufferPointer { f in
                for (i, id) in ids.enumerated() where id != 0 {
                    precondition(id > 0 && Int(id) < idCount, "Embedding: id \(id) outside 0..<\(idCount)")
                    let row: UnsafePointer<Float>
                    if Int(id) < vocabularySize {
                        row = UnsafePointer(w + Int(id) * dimension)
                    } else {
                        row = f.baseAddress! + (Int(id) - vocabularySize) * dimension
                    }
                    (yp + i * dimension).update(from: row, count: dimension)
                }
            }
        }
        return y
    }

    /// Scatter-adds row i of `dOut` into the gradient row of `ids[i]`; id 0 and frozen ids are skipped.
    public func backward(ids: [Int32], dOut: Tensor, arena: ParameterArena) {
        precondition(dOut.shape == [ids.count, dimension], "Embedding.backward: dOut \(dOut.shape) for \(ids.count) ids of dimension \(dimension)")
        let g = arena.grad(table)
        dOut.withPointer { dy in
            for (i, id) in ids.enumerated() where id != 0 && Int(id) < vocabularySize {
                Kernels.axpy(1, dy + i * dimension, g + Int(id) * dimension, dimension)
            }
        }
    }
}
