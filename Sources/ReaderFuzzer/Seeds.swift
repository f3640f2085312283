import Foundation

/// A small valid input per reader, so fuzzing starts from the formats' structure instead of
/// discovering `#begin document` byte by byte. Written by `ReaderFuzzer --write-seeds DIR`
/// (`make fuzz` puts them in a temporary folder; no corpus data is involved).
enum Seeds {
    static let inputs: [String: String] = [
        "conll2003": "-DOCSTART- -X- -X- O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP B-PER\nBlackburn NNP I-NP I-PER\n",
        "columns": "-DOCSTART- O\n\nJohn B-PER\nSmith E-PER\nsaw O\nParis S-LOC\n\nIBM U-ORG\nin O\nNew B-LOC\nYork L-LOC\n",
        "columns-tabs": "Mr.\tB-PER\tB-PER\nKnightley\tI-PER\tI-PER\t\ncame\tO\tO\n\nNew York\tB-LOC\tO\n",
        "conll04": "#doc 1\n0\tJohn\tB-Peop\t['N']\t[0]\n1\tlives\tO\t['N']\t[1]\n2\tin\tO\t['N']\t[2]\n3\tParis\tB-Loc\t['Live_In']\t[0]\n",
        "conll2012": "#begin document (a); part 0\na 0 0 John NNP * - - - - (PERSON) (1)\na 0 1 saw VBD * - - - - * -\n\na 0 0 himself PRP * - - - - * (1)\n#end document\n",
        "dygie": #"{"doc_key": "a", "sentences": [["John", "saw", "Mary"], ["He", "left"]], "ner": [[[0, 0, "PER"], [2, 2, "PER"]], [[3, 3, "PER"]]], "relations": [[[0, 0, 2, 2, "SAW"]], []], "clusters": [[[0, 0], [3, 3]]]}"# + "\n",
        "litbank": "#begin document (k_brat); part 0\nk_brat\t0\t0\tMr.\t_\t_\t_\t_\t_\t_\t_\t(2\nk_brat\t0\t1\tKnightley\t_\t_\t_\t_\t_\t_\t_\t2)\nk_brat\t0\t2\tcame\t_\t_\t_\t_\t_\t_\t_\t\n\n#end document\n"
            + "\0Mr.\tB-PER\tO\t\nKnightley\tI-PER\tO\t\ncame\tO\tO\t\n",
    ]

    /// Handles `--write-seeds DIR`; false when the arguments ask for something else.
    static func writeIfAsked(_ arguments: [String]) throws -> Bool {
        guard arguments.count == 3, arguments[1] == "--write-seeds" else { return false }
        let directory = URL(fileURLWithPath: arguments[2])
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in inputs {
            try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        }
        return true
    }
}
