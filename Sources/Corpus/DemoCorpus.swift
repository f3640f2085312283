import Random
/// A built-in, seeded corpus of English-like news sentences carrying all four annotations, so
/// every task trains and tests with no download. Each document has a small cast (persons,
/// an organisation, a city and its country); its first sentence names them and states a
/// relation, later sentences refer to them by name, nominal ("the bank") or pronoun.
///
/// Annotation conventions (as in the real stand-in corpora): `entities` are the typed names
/// (PER, ORG, LOC); `mentions` are names and nominals typed by their entity (no pronouns, as
/// in LitBank's entity layer); `relations` (Work_For, Live_In, OrgBased_In, Located_In) link
/// two names of one sentence; `clusters` hold every mention of an entity, pronouns included,
/// singletons kept (as LitBank annotates them).
///
/// Determinism: document i is drawn from `RNG(seed: seed, stream: [i])`, so the
/// corpus depends only on the seed and generating more documents extends it as a prefix.
public enum DemoCorpus {
    public static let maxSentenceLength = 30

    public static func generate(documents count: Int, seed: UInt64) -> [Document] {
        precondition(count >= 0, "DemoCorpus.generate needs a non-negative document count")
        return (0..<count).map { document(index: $0, seed: seed) }
    }

    /// Train/dev/test = the first 80% / next 10% / last 10% of `generate(documents:seed:)`
    /// (dev and test get at least one document each once there are three).
    public static func splits(documents count: Int, seed: UInt64)
        -> (train: [Document], dev: [Document], test: [Document])
    {
        let all = generate(documents: count, seed: seed)
        let held = count >= 3 ? max(1, count / 10) : 0
        let trainEnd = count - 2 * held
        return (Array(all[..<trainEnd]), Array(all[trainEnd..<(trainEnd + held)]), Array(all[(trainEnd + held)...]))
    }

    static func document(index: Int, seed: UInt64) -> Document {
        var random = RNG(seed: seed, stream: [UInt64(index)])
        var writer = DemoWriter(cast: DemoCast(random: &random))
        let sentenceCount = 3 + random.int(below: 6)
        writer.write(random.element(of: DemoTemplate.openings), decorate: false, random: &random)
        let usable = DemoTemplate.continuations.filter { $0.roles.isSubset(of: writer.cast.roles) }
        for _ in 1..<sentenceCount {
            if random.chance(1, in: 6) {
                writer.writePlain(random.element(of: DemoLexicon.plainSentences), random: &random)
            } else {
                writer.write(random.element(of: usable), decorate: true, random: &random)
            }
        }
        return Document(id: "demo-\(index)", sentences: writer.sentences, clusters: writer.clusters,
                        hasEntities: true, hasMentions: true, hasRelations: true, hasCoreference: true)
    }
}

/// Turns templates into annotated sentences, remembering which entities the text has
/// introduced (a first mention is always the full name) and every mention for the clusters.
struct DemoWriter {
    let cast: DemoCast
    private(set) var sentences: [Sentence] = []
    private var chains: [DemoTemplate.Role: [DocumentSpan]] = [:]

    init(cast: DemoCast) {
        self.cast = cast
    }

    /// Chains in order of first mention (never dictionary order, which varies per process).
    var clusters: [[DocumentSpan]] {
        DemoTemplate.Role.allCases.compactMap { chains[$0] }.sorted { $0[0] < $1[0] }
    }

    mutating func writePlain(_ text: String, random: inout RNG) {
        write(DemoTemplate(text), decorate: false, random: &random)
    }

    /// Realises `template` as the next sentence; `decorate` may add an opening adverbial and a
    /// closing phrase (within the length limit) so lengths and contexts vary.
    mutating func write(_ template: DemoTemplate, decorate: Bool, random: inout RNG) {
        var tokens: [String] = []
        var mentions: [(role: DemoTemplate.Role, span: TokenSpan, kind: DemoTemplate.Form)] = []
        func append(_ pieces: [DemoTemplate.Piece]) {
            for piece in pieces {
                switch piece {
                case .word(let word): tokens.append(word)
                case .year: tokens.append(String(1990 + random.int(below: 34)))
                case .number: tokens.append(random.element(of: DemoLexicon.numbers))
                case .occupation(let role): tokens.append(cast.members[role]!.occupation)
                case .mention(let role, let form):
                    let (words, kind) = surface(role, form, introducedIn: mentions.map(\.role))
                    mentions.append((role, TokenSpan(start: tokens.count, end: tokens.count + words.count - 1), kind))
                    tokens += words
                }
            }
        }
        let prefix = DemoTemplate(random.element(of: DemoLexicon.prefixes))
        let suffix = DemoTemplate(random.element(of: DemoLexicon.suffixes))
        // An opening adverbial only before a mention: "Last week , he …", never "Last week , Many …".
        let startsWithMention = if case .mention = template.pieces.first { true } else { false }
        let addPrefix = decorate && random.chance(1, in: 4) && startsWithMention
        let addSuffix = decorate && random.chance(1, in: 5)
        if addPrefix { append(prefix.pieces) }
        let prefixCount = tokens.count
        append(template.pieces)
        if prefixCount > 0 && tokens.count > DemoCorpus.maxSentenceLength {
            tokens.removeFirst(prefixCount)
            for i in mentions.indices {
                mentions[i].span = TokenSpan(start: mentions[i].span.start - prefixCount, end: mentions[i].span.end - prefixCount)
            }
        }
        if addSuffix, tokens.count + suffix.pieces.count <= DemoCorpus.maxSentenceLength,
           tokens.last == "." {
            tokens.removeLast()
            append(suffix.pieces)
            tokens.append(".")
        }
        precondition(tokens.count <= DemoCorpus.maxSentenceLength, "demo template too long: \(tokens)")
        tokens[0] = tokens[0].prefix(1).uppercased() + tokens[0].dropFirst()

        let index = sentences.count
        var sentence = Sentence(tokens: tokens)
        for m in mentions {
            let type = cast.members[m.role]!.type
            chains[m.role, default: []].append(DocumentSpan(sentence: index, span: m.span))
            switch m.kind {
            case .name, .short:
                sentence.entities.append(LabeledSpan(span: m.span, label: type))
                sentence.mentions.append(LabeledSpan(span: m.span, label: type))
            case .nominal:
                sentence.mentions.append(LabeledSpan(span: m.span, label: type))
            case .pronoun, .possessive:
                break
            }
        }
        for r in template.relations {
            let named = mentions.filter { $0.kind == .name || $0.kind == .short }
            if let head = named.first(where: { $0.role == r.head }), let tail = named.first(where: { $0.role == r.tail }) {
                sentence.relations.append(Relation(head: head.span, tail: tail.span, label: r.label))
            }
        }
        sentences.append(sentence)
    }

    /// The words for one mention and the form actually used: an entity not yet introduced (in
    /// earlier sentences or earlier in this one) is always named in full first.
    private func surface(_ role: DemoTemplate.Role, _ form: DemoTemplate.Form,
                         introducedIn current: [DemoTemplate.Role]) -> ([String], DemoTemplate.Form) {
        let entity = cast.members[role]!
        guard chains[role] != nil || current.contains(role) else { return (entity.name, .name) }
        switch form {
        case .name: return (entity.type == "PER" ? entity.shortName : entity.name, .name)
        case .short: return (entity.shortName, .short)
        case .nominal: return (entity.nominal, .nominal)
        case .pronoun: return ([entity.pronoun], .pronoun)
        case .possessive: return ([entity.possessive], .possessive)
        }
    }
}
