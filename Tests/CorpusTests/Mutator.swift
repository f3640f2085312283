import Random

/// Random damage to a valid file, for the hostile-input tests: byte edits, fragments that mean
/// something to one of the formats (brackets, tag prefixes, huge and negative numbers,
/// directives), truncations and line duplications, deletions and swaps. Seeded, so a failure
/// reproduces.
struct Mutator {
    var rng: RNG

    static let fragments = [
        "(", ")", "|", "-", "*", "_", "\t", " ", "\n", "\n\n", "\r", "[", "]", ",", ":", "\"", "'", "{", "}", "null",
        "B-", "I-", "L-", "U-", "O", "B-PER", "L-ORG", "0", "1", "7", "99", "-1", "1.5", "1e30", "true",
        "9223372036854775807", "-9223372036854775807", "-9223372036854775808", "18446744073709551616",
        "#begin document (x); part 0\n", "#end document\n", "#doc 9\n", "-DOCSTART- -X- -X- O\n",
        "é", "\u{301}", "\u{FEFF}", "\0",
    ]

    init(seed: UInt64) {
        rng = RNG(seed: seed)
    }

    /// `text` after one to three random edits.
    mutating func mutate(_ text: String) -> String {
        var bytes = Array(text.utf8)
        for _ in 0..<(1 + rng.int(below: 3)) { edit(&bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func edit(_ bytes: inout [UInt8]) {
        let position = rng.int(below: bytes.count + 1)
        let length = min(1 + rng.int(below: 4), bytes.count - position)
        let fragment = Array(rng.element(of: Self.fragments).utf8)
        switch rng.int(below: 8) {
        case 0: bytes.replaceSubrange(position..<(position + length), with: fragment)
        case 1: bytes.removeSubrange(position..<(position + length))
        case 2: bytes.insert(contentsOf: fragment, at: position)
        case 3: bytes.removeSubrange(position...)
        default: editLines(&bytes)
        }
    }

    /// Duplicates, deletes or swaps whole lines.
    private mutating func editLines(_ bytes: inout [UInt8]) {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let i = rng.int(below: lines.count), j = rng.int(below: lines.count)
        switch rng.int(below: 3) {
        case 0: lines.insert(lines[i], at: j)
        case 1: lines.remove(at: i)
        default: lines.swapAt(i, j)
        }
        bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }
}
