/// The name of one layer of a sentence's typed spans (`Sentence.spans`): the tagging task
/// that learns it, spelled as configs and column maps spell that task. `Corpus` cannot see the
/// model's `Task`, so the layer has its own name; a task's layer has the task's name.
public struct SpanLayer: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Typed named entities, the layer the fixed formats' entity annotation fills (NER).
    public static let entities = SpanLayer(rawValue: "ner")
    /// Entity mentions: names and nominals, not pronouns (EMD).
    public static let mentions = SpanLayer(rawValue: "emd")

    public static func < (a: SpanLayer, b: SpanLayer) -> Bool { a.rawValue < b.rawValue }

    public var description: String { rawValue }
}
