import CKernels
import Tensor

/// AllenNLP's `FeedForward` with ReLU activations as the coreference head configures it
/// (docs/design.md, Coreference level): `layers` × (Linear → ReLU → Dropout), every layer
/// `hiddenSize` wide.
///
/// The cache keeps only each layer's dropped output a = mask·relu(z): a > 0 exactly where the
/// unit was both active and kept, and then the mask's scale is 1/(1−rate), so
/// dz = [a > 0]·scale·da needs neither z nor the mask.
public struct FeedForward: Sendable {
    public let layers: [Linear]
    public let dropout: Dropout
    public let inputSize: Int
    public var outputSize: Int { layers.last?.outputSize ?? inputSize }

    /// Layer l is named `name/(firstIndex + l)` (a network whose first layer lives elsewhere, like
    /// the antecedent scorer's split projection, continues its numbering).
    public init(name: String, inputSize: Int, hiddenSize: Int, layers count: Int, dropout rate: Float,
                firstIndex: Int = 0, layout: inout ParameterLayout) {
        precondition(count >= 0, "FeedForward: negative layer count \(count)")
        self.inputSize = inputSize
        layers = (0..<count).map { l in
            Linear(name: "\(name)/\(firstIndex + l)", inputSize: l == 0 ? inputSize : hiddenSize, outputSize: hiddenSize, layout: &layout)
        }
        dropout = Dropout(rate: rate)
    }

    /// Xavier-normal weights (the coref config's initializer regex matches `linear_layers.*weight`),
    /// PyTorch-default U(±1/√fan_in) biases (docs/design.md, Initialisation).
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        for layer in layers {
            Initializer.xavierNormal(arena.value(layer.weight), fanIn: layer.inputSize, fanOut: layer.outputSize,
                                     count: layer.weight.count, rng: &rng)
            Initializer.uniform(arena.value(layer.bias), count: layer.bias.count,
                                bound: 1 / Float(layer.inputSize).squareRoot(), rng: &rng)
        }
    }

    /// activations[0] is the input, activations[l + 1] the dropped output of layer l.
    public struct Cache: Sendable {
        public var activations: [Tensor]
        public var training: Bool
        public var output: Tensor { activations[activations.count - 1] }

        /// The same cache restricted to some rows (backward then runs on those rows only).
        public func rows(at indices: [Int]) -> Cache {
            Cache(activations: activations.map { $0.rows(at: indices) }, training: training)
        }
    }

    /// x: [rows, inputSize] → [rows, outputSize]. Dropout masks come from `rng` in row-major order.
    public func forward(_ x: Tensor, arena: ParameterArena, training: Bool, rng: inout RNG) -> (Tensor, Cache) {
        var activations = [x]
        for layer in layers {
            var z = layer.forward(activations[activations.count - 1], arena: arena)
            activate(&z, training: training, rng: &rng)
            activations.append(z)
        }
        return (activations[activations.count - 1], Cache(activations: activations, training: training))
    }

    /// dOut: [rows, outputSize] → dx [rows, inputSize]; accumulates the layers' gradients.
    public func backward(_ cache: Cache, dOut: Tensor, arena: ParameterArena) -> Tensor {
        var d = dOut
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            deactivate(&d, output: cache.activations[l + 1], training: cache.training)
            d = layers[l].backward(x: cache.activations[l], dOut: d, arena: arena)
        }
        return d
    }

    /// In place z → dropout(relu(z)); one mask over the whole tensor drawn from `rng`.
    public func activate(_ z: inout Tensor, training: Bool, rng: inout RNG) {
        let n = z.count
        z.withMutablePointer { Kernels.relu($0, $0, n) }
        guard training, dropout.rate > 0 else { return }
        z.withMutablePointer { dropout.apply($0, count: n, rng: &rng) }
    }

    /// dLoss/da → dLoss/dz in place, from the cached a = dropout(relu(z)) (see the type's comment).
    public func deactivate(_ d: inout Tensor, output a: Tensor, training: Bool) {
        precondition(d.count == a.count, "FeedForward: gradient \(d.shape) for activation \(a.shape)")
        let scale: Float = training && dropout.rate > 0 ? 1 / (1 - dropout.rate) : 1
        let n = d.count
        d.withMutablePointer { dp in a.withPointer { ap in hk_relu_backward_scaled(ap, dp, scale, n) } }
    }
}
