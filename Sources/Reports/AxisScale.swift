import Foundation

/// Maps data values onto one chart axis and chooses its tick marks.
///
/// Linear axes use "nice" ticks: the step is the smallest of {1, 2, 2.5, 5} × 10^k for which
/// the domain, rounded outwards to whole steps, spans at most `maxIntervals` steps — so the
/// axis ends on a tick and labels are short decimals. Logarithmic axes (losses, learning
/// rates, rank counts) end on the nearest levels — powers of the base; in base 10 also 2× and
/// 5× them — in base 10 strictly outside the data, so no line runs along the frame and a
/// constant series sits mid-axis; every level is a tick when they fit, else the powers only.
struct AxisScale: Sendable {
    enum Kind: Sendable, Equatable {
        case linear
        case logarithmic(base: Double)
    }

    let kind: Kind
    /// The domain after rounding out to ticks; `fraction` maps it onto 0...1.
    let lower: Double
    let upper: Double
    let ticks: [Double]
    /// Linear axes: the tick step, which fixes how many decimals a label needs.
    let step: Double

    /// `values` may hold non-finite numbers (and, on a log axis, non-positive ones): they are
    /// ignored, as the charts skip them. With nothing left the domain is 0...1 (log: 1...base).
    init(covering values: [Double], kind: Kind = .linear, includeZero: Bool = false, maxIntervals: Int = 6) {
        precondition(maxIntervals >= 1, "an axis needs at least one interval")
        self.kind = kind
        let usable = values.filter { Self.accepts($0, kind: kind) }
        switch kind {
        case .linear:
            var low = usable.min() ?? 0, high = usable.max() ?? 1
            if includeZero { low = min(low, 0); high = max(high, 0) }
            if low == high {
                let pad = low == 0 ? 1 : abs(low) / 2
                (low, high) = (includeZero && low >= 0 ? low : low - pad, includeZero && high <= 0 ? high : high + pad)
            }
            let step = Self.niceStep(lower: low, upper: high, maxIntervals: maxIntervals)
            let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
            self.step = step
            lower = first * step
            upper = last * step
            ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        case .logarithmic(let base):
            precondition(base > 1, "a logarithmic axis needs a base above 1")
            let low = usable.min() ?? 1, high = usable.max() ?? base
            // Candidate ends and ticks: powers of the base, and 2× and 5× them in base 10.
            let first = (Self.log(low, base)).rounded(.down) - 1, last = (Self.log(high, base)).rounded(.up) + 1
            let levels = stride(from: first, through: last, by: 1).flatMap { power in
                (base == 10 ? [1.0, 2, 5] : [1.0]).map { $0 * pow(base, power) }
            }
            // Base 10 (values): the ends lie strictly outside the data, so no line runs along
            // the frame. Other bases (counts such as ranks): on the data's own powers, so a
            // ranks axis starts at 1, not at half a rank.
            let margin = base == 10 ? 1e-9 : -1e-9
            let bottom = levels.last { $0 < low * (1 - margin) } ?? levels[0]
            let top = levels.first { $0 > high * (1 + margin) } ?? levels[levels.count - 1]
            let inside = levels.filter { $0 >= bottom * (1 - 1e-9) && $0 <= top * (1 + 1e-9) }
            step = 0
            lower = bottom
            upper = top
            if inside.count <= maxIntervals + 1 {
                ticks = inside
            } else {
                let powers = inside.filter { abs(Self.log($0, base).rounded() - Self.log($0, base)) < 1e-9 }
                let every = Int((Double(powers.count - 1) / Double(maxIntervals)).rounded(.up))
                ticks = stride(from: 0, to: powers.count, by: max(every, 1)).map { powers[$0] }
            }
        }
    }

    /// The smallest nice step for which [lower, upper] rounded out to whole steps spans at
    /// most `maxIntervals` steps.
    static func niceStep(lower: Double, upper: Double, maxIntervals: Int) -> Double {
        precondition(upper > lower && lower.isFinite && upper.isFinite, "a nice step needs a finite, non-empty range")
        let raw = (upper - lower) / Double(maxIntervals)
        var exponent = (log10(raw)).rounded(.down)
        while true {
            for mantissa in [1.0, 2, 2.5, 5] {
                let step = mantissa * pow(10, exponent)
                guard step >= raw * (1 - 1e-12) else { continue }
                let intervals = (upper / step).rounded(.up) - (lower / step).rounded(.down)
                if intervals <= Double(maxIntervals) { return step }
            }
            exponent += 1
        }
    }

    /// Whether a value can be drawn on an axis of this kind.
    func accepts(_ value: Double) -> Bool { Self.accepts(value, kind: kind) }

    static func accepts(_ value: Double, kind: Kind) -> Bool {
        guard value.isFinite else { return false }
        if case .logarithmic = kind { return value > 0 }
        return true
    }

    /// 0 at `lower`, 1 at `upper`.
    func fraction(_ value: Double) -> Double {
        switch kind {
        case .linear: (value - lower) / (upper - lower)
        case .logarithmic(let base): (Self.log(value, base) - Self.log(lower, base)) / (Self.log(upper, base) - Self.log(lower, base))
        }
    }

    /// A tick label: as many decimals as the step needs on linear axes ("0.25", "1500",
    /// "12.5k" once ticks reach 10,000), the shortest form on logarithmic ones ("0.002",
    /// "1e-5", "50k", "2M").
    func label(_ value: Double) -> String {
        switch kind {
        case .linear:
            let magnitude = max(abs(lower), abs(upper))
            let (divisor, suffix) = magnitude >= 1e7 ? (1e6, "M") : magnitude >= 1e4 ? (1e3, "k") : (1, "")
            return Self.decimal(value / divisor, step: step / divisor) + suffix
        case .logarithmic:
            // Suffixes once the axis reaches 10,000, the same way for all its labels.
            if upper >= 1e7, value >= 1e6 { return Self.shortest(value / 1e6) + "M" }
            if upper >= 1e4, value >= 1e3 { return Self.shortest(value / 1e3) + "k" }
            return Self.shortest(value)
        }
    }

    /// Fixed-point with the decimals a step of this size needs (one more for a 2.5 mantissa).
    static func decimal(_ value: Double, step: Double) -> String {
        let exponent = Int(log10(step).rounded(.down))
        let mantissa = step / pow(10, Double(exponent))
        let decimals = max(0, -exponent + (abs(mantissa - 2.5) < 1e-6 ? 1 : 0))
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    /// "%g", with "1e-05" shortened to "1e-5".
    static func shortest(_ value: Double) -> String {
        let text = String(format: "%g", value)
        guard let e = text.firstIndex(of: "e") else { return text }
        let sign = text[text.index(after: e)]
        let digits = text[text.index(e, offsetBy: 2)...].drop { $0 == "0" }
        return text[..<e] + "e" + (sign == "-" ? "-" : "") + (digits.isEmpty ? "0" : digits)
    }

    private static func log(_ value: Double, _ base: Double) -> Double { Foundation.log(value) / Foundation.log(base) }
}
