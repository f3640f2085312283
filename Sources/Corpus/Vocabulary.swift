import Random

/// A string ↔ index table built from the TRAINING split only, identical on every rank: entries
/// are ordered by descending frequency then by string, never by hash order, and `fingerprint`
/// lets ranks (and checkpoints) confirm they agree.
///
/// Word and character vocabularies reserve index 0 for padding and 1 for out-of-vocabulary
/// entries; words are lower-cased on the way in and on lookup, characters keep their case
/// (one entry per Swift `Character`). Label vocabularies (tag sets) have no reserved entries.
public struct Vocabulary: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case words, characters, labels
    }

    public static let padding = "@@PADDING@@"
    public static let unknown = "@@UNKNOWN@@"
    public static let paddingIndex = 0
    public static let unknownIndex = 1

    public let kind: Kind
    public let entries: [String]
    private let indices: [String: Int]

    /// Restores a vocabulary from its entries (e.g. from a checkpoint); nil when they break the
    /// kind's conventions (reserved entries missing or misplaced, duplicates).
    public init?(kind: Kind, entries: [String]) {
        if kind != .labels {
            guard entries.count >= 2, entries[0] == Vocabulary.padding, entries[1] == Vocabulary.unknown else { return nil }
        }
        var indices: [String: Int] = [:]
        for (i, entry) in entries.enumerated() {
            guard indices.updateValue(i, forKey: entry) == nil else { return nil }
        }
        self.kind = kind
        self.entries = entries
        self.indices = indices
    }

    public var count: Int { entries.count }

    /// The index of `entry` (lower-cased first for word vocabularies); for words and characters
    /// an unseen entry maps to `unknownIndex`, so only label vocabularies return nil.
    public func index(of entry: String) -> Int? {
        let key = kind == .words ? entry.lowercased() : entry
        if let i = indices[key] { return i }
        return kind == .labels ? nil : Vocabulary.unknownIndex
    }

    /// This vocabulary with `other`'s entries that it lacks appended in `other`'s order: every
    /// entry keeps its index (a trained model's rows stay valid), new ones come after.
    public func extended(with other: Vocabulary) -> Vocabulary {
        let added = other.entries.filter { indices[$0] == nil }
        return Vocabulary(kind: kind, entries: entries + added)!
    }

    /// Lower-cased tokens of every sentence in `documents`.
    public static func words(from documents: [Document]) -> Vocabulary {
        counted(kind: .words, documents.lazy.flatMap(\.sentences).flatMap(\.tokens).map { $0.lowercased() })
    }

    /// The characters of every token in `documents`, case preserved.
    public static func characters(from documents: [Document]) -> Vocabulary {
        counted(kind: .characters, documents.lazy.flatMap(\.sentences).flatMap(\.tokens).flatMap { $0.map(String.init) })
    }

    /// A tag set: distinct labels sorted, "O" (when present) first so it gets index 0.
    public static func labels(_ labels: some Sequence<String>) -> Vocabulary {
        let distinct = Set(labels)
        let ordered = (distinct.contains("O") ? ["O"] : []) + distinct.subtracting(["O"]).sorted()
        return Vocabulary(kind: .labels, entries: ordered)!
    }

    private static func counted(kind: Kind, _ items: some Sequence<String>) -> Vocabulary {
        var counts: [String: Int] = [:]
        for item in items { counts[item, default: 0] += 1 }
        counts[padding] = nil
        counts[unknown] = nil
        let ordered = counts.sorted { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }.map(\.key)
        return Vocabulary(kind: kind, entries: [padding, unknown] + ordered)!
    }

    /// FNV-1a (64-bit) over the UTF-8 bytes of the entries, each followed by a 0 byte so that
    /// ["ab", "c"] and ["a", "bc"] differ. Depends on nothing but the entries, so it is the
    /// same on every machine and in every run.
    public var fingerprint: UInt64 {
        entries.reduce(FNV1a.offsetBasis) { FNV1a.hash(bytes: [0], into: FNV1a.hash(bytes: $1.utf8, into: $0)) }
    }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool {
        a.kind == b.kind && a.entries == b.entries
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(entries)
    }

    private enum CodingKeys: String, CodingKey { case kind, entries }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(Kind.self, forKey: .kind)
        let entries = try container.decode([String].self, forKey: .entries)
        guard let vocabulary = Vocabulary(kind: kind, entries: entries) else {
            throw DecodingError.dataCorruptedError(forKey: .entries, in: container,
                                                   debugDescription: "entries break the \(kind) vocabulary conventions")
        }
        self = vocabulary
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(entries, forKey: .entries)
    }
}
