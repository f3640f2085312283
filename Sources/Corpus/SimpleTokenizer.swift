/// A deliberately simple, predictable tokenizer for raw text (`hmtl predict --input-format
/// text`), close enough to the Penn-Treebank-style tokens the corpora use for the model to see
/// familiar words:
///
/// 1. Split on whitespace.
/// 2. Peel punctuation off each piece: every leading punctuation character is a token, then
///    every trailing one — except a final `.` when the rest of the piece has a `.` too, so
///    "U.S." and "e.g." stay whole (but "Mr." gives "Mr" and ".").
/// 3. Split the common English clitics off what is left: `n't` ("don't" → "do", "n't") and
///    `'s 're 've 'll 'd 'm` (straight or curly apostrophe, any case).
/// 4. A sentence ends after a `.`, `!` or `?` token (with any closing quotes or brackets right
///    after it) that is followed by whitespace and a token starting with an upper-case letter —
///    or by an opening quote or bracket and then such a token — or by the end of the text.
///
/// Offsets are `Character` (grapheme cluster) positions in the input, end exclusive.
public struct SimpleTokenizer: Sendable {
    public struct Token: Hashable, Sendable {
        public var text: String
        public var start: Int
        public var end: Int
    }

    public init() {}

    private static let clitics = ["n't", "'s", "'re", "'ve", "'ll", "'d", "'m"]
    private static let terminators: Set<String> = [".", "!", "?"]
    private static let closers: Set<Character> = ["\"", "'", ")", "]", "}", "”", "’", "»"]
    private static let openers: Set<Character> = ["\"", "'", "(", "[", "{", "“", "‘", "«"]

    /// Sentences of tokens; no sentence is empty.
    public func sentences(_ text: String) -> [[Token]] {
        let tokens = tokenize(text)
        var sentences: [[Token]] = [], current: [Token] = []
        var i = 0
        while i < tokens.count {
            current.append(tokens[i])
            if Self.terminators.contains(tokens[i].text) {
                // Closing quotes/brackets glued to the terminator stay in the sentence.
                while i + 1 < tokens.count, tokens[i + 1].start == tokens[i].end,
                      let c = tokens[i + 1].text.first, tokens[i + 1].text.count == 1, Self.closers.contains(c) {
                    i += 1
                    current.append(tokens[i])
                }
                if endsSentence(after: i, in: tokens) {
                    sentences.append(current)
                    current = []
                }
            }
            i += 1
        }
        if !current.isEmpty { sentences.append(current) }
        return sentences
    }

    private func endsSentence(after i: Int, in tokens: [Token]) -> Bool {
        guard i + 1 < tokens.count else { return true }
        let next = tokens[i + 1]
        guard next.start > tokens[i].end else { return false }
        if next.text.first?.isUppercase == true { return true }
        if next.text.count == 1, let c = next.text.first, Self.openers.contains(c), i + 2 < tokens.count {
            return tokens[i + 2].text.first?.isUppercase == true
        }
        return false
    }

    /// All tokens, in order.
    public func tokenize(_ text: String) -> [Token] {
        let characters = Array(text)
        var tokens: [Token] = []
        var start = 0
        while start < characters.count {
            if characters[start].isWhitespace { start += 1; continue }
            var end = start
            while end < characters.count, !characters[end].isWhitespace { end += 1 }
            split(characters, start, end, into: &tokens)
            start = end
        }
        return tokens
    }

    /// Tokens of the whitespace-free piece `characters[start..<end]`.
    private func split(_ characters: [Character], _ start: Int, _ end: Int, into tokens: inout [Token]) {
        func token(_ s: Int, _ e: Int) -> Token { Token(text: String(characters[s..<e]), start: s, end: e) }
        var s = start, e = end
        while e - s > 1, characters[s].isPunctuation || characters[s].isSymbol {
            tokens.append(token(s, s + 1))
            s += 1
        }
        var trailing: [Token] = []
        while e - s > 1, characters[e - 1].isPunctuation || characters[e - 1].isSymbol {
            if characters[e - 1] == ".", characters[s..<(e - 1)].contains(".") { break }
            trailing.append(token(e - 1, e))
            e -= 1
        }
        let core = String(characters[s..<e]).lowercased().replacingOccurrences(of: "’", with: "'")
        if let clitic = Self.clitics.first(where: { core.hasSuffix($0) && core.count > $0.count }) {
            tokens.append(token(s, e - clitic.count))
            tokens.append(token(e - clitic.count, e))
        } else {
            tokens.append(token(s, e))
        }
        tokens.append(contentsOf: trailing.reversed())
    }

    /// One document from a line of text: its sentences, plus each token's offsets.
    public func document(id: String, text: String) -> (document: Document, offsets: [[Range<Int>]]) {
        let sentences = self.sentences(text)
        return (Document(id: id, sentences: sentences.map { Sentence(tokens: $0.map(\.text)) }),
                sentences.map { $0.map { $0.start..<$0.end } })
    }
}
