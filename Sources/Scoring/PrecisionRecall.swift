/// Precision and recall kept as four sums, because the coreference metrics (MUC, B³, CEAF)
/// have different numerators for P and R, and because sums — unlike ratios — can be added
/// over documents and over ranks before the ratios are taken.
public struct PrecisionRecall: Sendable, Equatable {
    public var recallNumerator = 0.0, recallDenominator = 0.0
    public var precisionNumerator = 0.0, precisionDenominator = 0.0

    public init(recallNumerator: Double = 0, recallDenominator: Double = 0,
                precisionNumerator: Double = 0, precisionDenominator: Double = 0) {
        self.recallNumerator = recallNumerator
        self.recallDenominator = recallDenominator
        self.precisionNumerator = precisionNumerator
        self.precisionDenominator = precisionDenominator
    }

    /// 0 when nothing was predicted, as scorer.pl reports it.
    public var precision: Double { precisionDenominator > 0 ? precisionNumerator / precisionDenominator : 0 }
    /// 0 when there was nothing to find.
    public var recall: Double { recallDenominator > 0 ? recallNumerator / recallDenominator : 0 }
    public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }

    public static func + (a: PrecisionRecall, b: PrecisionRecall) -> PrecisionRecall {
        PrecisionRecall(recallNumerator: a.recallNumerator + b.recallNumerator,
                        recallDenominator: a.recallDenominator + b.recallDenominator,
                        precisionNumerator: a.precisionNumerator + b.precisionNumerator,
                        precisionDenominator: a.precisionDenominator + b.precisionDenominator)
    }

    public static func += (a: inout PrecisionRecall, b: PrecisionRecall) { a = a + b }

    /// [recall num, recall den, precision num, precision den], the order scorer.pl prints.
    var flattened: [Double] { [recallNumerator, recallDenominator, precisionNumerator, precisionDenominator] }

    init<C: Collection<Double>>(flat: C) where C.Index == Int {
        precondition(flat.count == 4, "PrecisionRecall: \(flat.count) values, expected 4")
        let i = flat.startIndex
        self.init(recallNumerator: flat[i], recallDenominator: flat[i + 1],
                  precisionNumerator: flat[i + 2], precisionDenominator: flat[i + 3])
    }
}
