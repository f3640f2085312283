import Tensor

/// Precomputed contextual token features of one split's examples — the frozen biLM layers
/// ELMo mixes (docs/design.md, Shared embedding: the reference's biLM is frozen, so its activations
/// can be computed once and only the scalar mix trained).
///
/// `values` holds stored sentences one after another, each [layers, tokens, dimension]
/// row-major, exactly as one dataset of the file; an example is the list of stored sentences
/// whose tokens, in order, are its tokens (one for a sentence task, a document's sentences for
/// coreference). Examples repeating a sentence share its segment, and tasks reading the same
/// file share `values` (copy-on-write), so a split costs one allocation of its distinct text.
public struct ContextualFeatures: Sendable {
    /// Where a stored sentence starts in `values` (in floats) and how many tokens it has.
    public struct Segment: Sendable, Hashable {
        public let offset: Int
        public let tokens: Int
        public init(offset: Int, tokens: Int) {
            self.offset = offset
            self.tokens = tokens
        }
    }

    public let layers: Int
    public let dimension: Int
    public let values: [Float]
    /// Per example, its sentences' segments in order.
    public let examples: [[Segment]]

    public init(layers: Int, dimension: Int, values: [Float], examples: [[Segment]]) {
        precondition(layers > 0 && dimension > 0, "ContextualFeatures: empty feature shape")
        precondition(examples.joined().allSatisfy { $0.offset >= 0 && $0.offset + layers * $0.tokens * dimension <= values.count },
                     "ContextualFeatures: a segment lies outside the values")
        self.layers = layers
        self.dimension = dimension
        self.values = values
        self.examples = examples
    }

    public var count: Int { examples.count }

    public func tokenCount(ofExample i: Int) -> Int { examples[i].reduce(0) { $0 + $1.tokens } }

    /// [layers, B, T, dimension] for the examples `indices` padded to `maxLength` tokens; padded
    /// positions are zero, so their mix is zero too.
    public func batch(_ indices: [Int], maxLength: Int) -> Tensor {
        let b = indices.count, d = dimension
        var out = Tensor(zeros: [layers, b, maxLength, d])
        out.withMutablePointer { o in
            values.withUnsafeBufferPointer { v in
                for (row, example) in indices.enumerated() {
                    precondition(tokenCount(ofExample: example) <= maxLength, "ContextualFeatures: example \(example) is longer than the batch")
                    var position = 0
                    for segment in examples[example] {
                        let n = segment.tokens * d
                        for k in 0..<layers {
                            (o + ((k * b + row) * maxLength + position) * d).update(from: v.baseAddress! + segment.offset + k * n, count: n)
                        }
                        position += segment.tokens
                    }
                }
            }
        }
        return out
    }
}
