/// Which tag bigrams a decoded sequence may contain, plus which tags may open and close it.
///
/// Used only by `CRF.viterbi`; the training likelihood is unconstrained, as in AllenNLP 0.7.0
/// (`allowed_transitions` with `constraint_type = "BIOUL"`). START and END are virtual tags:
/// nothing enters START or leaves END, so they are two vectors instead of extra matrix rows.
public struct TransitionConstraints: Sendable {
    public let tagCount: Int
    /// Row-major [from, to].
    private let transitionAllowed: [Bool]
    private let startAllowed: [Bool]
    private let endAllowed: [Bool]

    /// BILOU (a.k.a. BIOUL) rules, tags given in vocabulary order:
    /// START → O, B-x, U-x;  O, L-x, U-x → END;  O, L-x, U-x → O, B-y, U-y (any y);
    /// B-x, I-x → I-x, L-x (same x only). The type x is everything after the first '-',
    /// so it may itself contain '-'. A tag that is not "O" or "<B|I|L|U>-type" is a
    /// programmer error: vocabularies are built from BILOU-converted data.
    public static func bilou(tags: [String]) -> TransitionConstraints {
        let parsed = tags.map(BILOUTag.init)
        return TransitionConstraints(
            tagCount: tags.count,
            transitionAllowed: parsed.flatMap { from in parsed.map { to in from.mayPrecede(to) } },
            startAllowed: parsed.map(\.mayStart),
            endAllowed: parsed.map(\.mayEnd))
    }

    /// Every sequence allowed: Viterbi then returns the unconstrained argmax.
    public static func unconstrained(tags: [String]) -> TransitionConstraints {
        let n = tags.count
        return TransitionConstraints(
            tagCount: n,
            transitionAllowed: [Bool](repeating: true, count: n * n),
            startAllowed: [Bool](repeating: true, count: n),
            endAllowed: [Bool](repeating: true, count: n))
    }

    private init(tagCount: Int, transitionAllowed: [Bool], startAllowed: [Bool], endAllowed: [Bool]) {
        self.tagCount = tagCount
        self.transitionAllowed = transitionAllowed
        self.startAllowed = startAllowed
        self.endAllowed = endAllowed
    }

    public func allows(from: Int, to: Int) -> Bool { transitionAllowed[from * tagCount + to] }
    public func allowsStart(_ tag: Int) -> Bool { startAllowed[tag] }
    public func allowsEnd(_ tag: Int) -> Bool { endAllowed[tag] }
}

/// One BILOU tag split into its position marker and entity type.
private enum BILOUTag {
    case outside
    case begin(String), inside(String), last(String), unit(String)

    init(_ tag: String) {
        if tag == "O" { self = .outside; return }
        let dash = tag.firstIndex(of: "-")
        precondition(dash != nil, "BILOU constraints: tag \"\(tag)\" is neither \"O\" nor \"<B|I|L|U>-type\"")
        let type = String(tag[tag.index(after: dash!)...])
        switch tag[..<dash!] {
        case "B": self = .begin(type)
        case "I": self = .inside(type)
        case "L": self = .last(type)
        case "U": self = .unit(type)
        default: preconditionFailure("BILOU constraints: tag \"\(tag)\" has an unknown prefix (expected B, I, L, U or the tag O)")
        }
    }

    /// O, B-x or U-x: a tag that is not inside an open span.
    var mayStart: Bool {
        switch self {
        case .outside, .begin, .unit: true
        case .inside, .last: false
        }
    }

    /// O, L-x or U-x: a tag after which no span is left open.
    var mayEnd: Bool {
        switch self {
        case .outside, .last, .unit: true
        case .begin, .inside: false
        }
    }

    func mayPrecede(_ next: BILOUTag) -> Bool {
        switch (self, next) {
        case (.begin(let x), .inside(let y)), (.begin(let x), .last(let y)),
             (.inside(let x), .inside(let y)), (.inside(let x), .last(let y)):
            x == y
        case (.begin, _), (.inside, _):
            false
        case (.outside, _), (.last, _), (.unit, _):
            next.mayStart
        }
    }
}
