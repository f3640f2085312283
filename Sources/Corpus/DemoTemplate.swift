/// A sentence pattern of the demo corpus, written as space-separated pieces:
/// `{A}` full name (short name once introduced, for persons), `{A:s}` short name, `{A:n}`
/// nominal ("the engineer"), `{A:p}` pronoun, `{A:poss}` possessive pronoun, `{A.occ}` the
/// person's occupation word (not a mention), `{year}`, `{num}`; anything else is a literal
/// token. Relations name roles; they are emitted only when both roles surface as names.
struct DemoTemplate {
    enum Role: Character, CaseIterable { case a = "A", b = "B", o = "O", c = "C", k = "K" }
    enum Form { case name, short, nominal, pronoun, possessive }
    enum Piece {
        case word(String)
        case mention(Role, Form)
        case occupation(Role)
        case year
        case number
    }

    let pieces: [Piece]
    let relations: [(label: String, head: Role, tail: Role)]

    /// Roles the template refers to; a template is usable only when the cast has them all.
    var roles: Set<Role> {
        Set(pieces.compactMap {
            switch $0 {
            case .mention(let role, _), .occupation(let role): role
            default: nil
            }
        })
    }

    init(_ text: String, _ relations: String...) {
        pieces = text.split(separator: " ").map(DemoTemplate.piece)
        self.relations = relations.map { spec in
            let parts = spec.split(separator: " ")
            precondition(parts.count == 3, "relation spec '\(spec)' must be 'Label Head Tail'")
            return (String(parts[0]), DemoTemplate.role(parts[1]), DemoTemplate.role(parts[2]))
        }
    }

    private static func role(_ text: Substring) -> Role {
        guard text.count == 1, let role = Role(rawValue: text.first!) else { preconditionFailure("unknown role '\(text)'") }
        return role
    }

    private static func piece(_ text: Substring) -> Piece {
        guard text.first == "{", text.last == "}", text.count > 2 else { return .word(String(text)) }
        let body = text.dropFirst().dropLast()
        switch body {
        case "year": return .year
        case "num": return .number
        default: break
        }
        let r = role(body.prefix(1))
        switch body.dropFirst() {
        case "": return .mention(r, .name)
        case ":s": return .mention(r, .short)
        case ":n": return .mention(r, .nominal)
        case ":p": return .mention(r, .pronoun)
        case ":poss": return .mention(r, .possessive)
        case ".occ": return .occupation(r)
        default: preconditionFailure("unknown template piece '\(text)'")
        }
    }

    /// Opening sentences: all names, at least one relation, so every document has relations.
    static let openings: [DemoTemplate] = [
        DemoTemplate("{A} works for {O} in {C} .", "Work_For A O"),
        DemoTemplate("{A} , a senior {A.occ} at {O} , lives in {C} .", "Work_For A O", "Live_In A C"),
        DemoTemplate("{O} , based in {C} , hired {A} last year .", "OrgBased_In O C", "Work_For A O"),
        DemoTemplate("{A} has worked as a senior {A.occ} for {O} since {year} .", "Work_For A O"),
        DemoTemplate("{O} is headquartered in {C} , {K} .", "OrgBased_In O C", "Located_In C K"),
        DemoTemplate("Born in {K} , {A} moved to {C} to join {O} .", "Live_In A C", "Work_For A O"),
        DemoTemplate("{A} , who lives in {C} , is the new {A.occ} of {O} .", "Live_In A C", "Work_For A O"),
        DemoTemplate("Officials at {O} in {C} said {A} would lead the project .", "OrgBased_In O C", "Work_For A O"),
        DemoTemplate("{C} , a city in {K} , is home to {O} .", "Located_In C K", "OrgBased_In O C"),
    ]

    /// Later sentences: mixes of names, nominals and pronouns; relations only between names.
    static let continuations: [DemoTemplate] = [
        DemoTemplate("{A:p} joined {O:n} in {year} ."),
        DemoTemplate("{A:p} said that {O:n} would open a new office in {C} next year ."),
        DemoTemplate("{O:n} employs more than {num} people in {C:n} ."),
        DemoTemplate("{A:s} met {B} at a conference in {C} ."),
        DemoTemplate("{B} , a senior {B.occ} , also works for {O} .", "Work_For B O"),
        DemoTemplate("{B:p} and {A:s} have known each other for {num} years ."),
        DemoTemplate("{C} is one of the largest cities in {K} .", "Located_In C K"),
        DemoTemplate("{C:n} has a population of about {num} thousand ."),
        DemoTemplate("{K:n} has seen strong growth in recent years ."),
        DemoTemplate("{O:s} reported higher profits this quarter ."),
        DemoTemplate("{A:poss} office is close to the river in {C} ."),
        DemoTemplate("{O:n} was founded in {C:n} in {year} ."),
        DemoTemplate("{O} was founded in {C} in {year} .", "OrgBased_In O C"),
        DemoTemplate("{A:s} lives in {C} with {A:poss} family .", "Live_In A C"),
        DemoTemplate("{A:p} lives in {C:n} with {A:poss} two children ."),
        DemoTemplate("According to {A:s} , {O:n} plans to hire more staff ."),
        DemoTemplate("{A:p} told reporters that {B} would join {O} soon .", "Work_For B O"),
        DemoTemplate("{B} lives in {K} but works for {O} .", "Live_In B K", "Work_For B O"),
        DemoTemplate("{O:n} said {O:p} would hire more engineers ."),
        DemoTemplate("{A:n} declined to comment on the decision ."),
        DemoTemplate("{B:n} said {B:p} was surprised by the news ."),
        DemoTemplate("{O:s} moved {O:poss} main office from {C} to another city in {K} .", "OrgBased_In O K"),
        DemoTemplate("{A:p} thanked {B:s} and the rest of {A:poss} team ."),
        DemoTemplate("Many people in {C} know {A:s} from {A:poss} work at {O:n} ."),
        DemoTemplate("{A:s} , a senior {A.occ} , described {O:n} as a good place to work ."),
        DemoTemplate("{A:p} said in an interview that {O:n} had doubled {O:poss} workforce in {C:n}"
                     + " over the past {num} years and expected more growth ."),
        DemoTemplate("{B} , who moved to {C} in {year} , now leads a team at {O} and rarely travels .",
                     "Live_In B C", "Work_For B O"),
    ]
}
