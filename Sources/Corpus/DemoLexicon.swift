import Random
/// Word lists and the per-document cast of the demo corpus. Changing any list changes every
/// generated corpus (the generator draws indices into them), so treat them as frozen data.
enum DemoLexicon {
    static let maleFirstNames = [
        "John", "Michael", "David", "James", "Robert", "Daniel", "Thomas", "Peter", "Ahmed", "Carlos",
        "Kenji", "Luca", "Omar", "Samuel", "Victor", "Henrik", "Pablo", "Ivan",
    ]
    static let femaleFirstNames = [
        "Mary", "Anna", "Sarah", "Laura", "Elena", "Maria", "Fatima", "Yuki", "Grace", "Olivia",
        "Sofia", "Chloe", "Nadia", "Rachel", "Ingrid", "Amara", "Lucia", "Mei",
    ]
    static let lastNames = [
        "Smith", "Johnson", "Garcia", "Miller", "Nakamura", "Rossi", "Schmidt", "Dubois", "Kowalski",
        "Okafor", "Haddad", "Silva", "Brown", "Chen", "Novak", "Larsen", "Moreau", "Patel", "Walker",
        "Ferreira", "Andersen", "Mendoza", "Tanaka", "Weber",
    ]
    static let initials = ["A.", "B.", "J.", "K.", "M.", "R.", "T."]
    static let occupations = [
        "engineer", "manager", "director", "analyst", "lawyer", "doctor", "teacher", "scientist",
        "journalist", "accountant", "designer", "chemist", "pilot", "architect",
    ]
    static let companyStems = [
        "Acme", "Northwind", "Blue Harbor", "Silver Lake", "Greenfield", "Apex", "Redwood", "Summit",
        "Orion", "Golden Gate", "Pioneer", "Cedar", "Atlas", "Vertex", "Harbor Point", "Evergreen",
    ]
    /// Company suffix and the common noun that refers back to such a company.
    static let companyKinds: [(suffix: String, noun: String)] = [
        ("Corporation", "company"), ("Bank", "bank"), ("Airlines", "airline"), ("Motors", "company"),
        ("Pharmaceuticals", "firm"), ("Systems", "firm"), ("Group", "group"), ("University", "university"),
        ("Foods", "company"), ("Energy", "company"), ("Insurance", "insurer"), ("Press", "publisher"),
    ]
    static let cities: [(city: String, country: String)] = [
        ("Paris", "France"), ("Lyon", "France"), ("Berlin", "Germany"), ("Munich", "Germany"),
        ("New York", "United States"), ("San Francisco", "United States"), ("Chicago", "United States"),
        ("Tokyo", "Japan"), ("Osaka", "Japan"), ("Rio de Janeiro", "Brazil"), ("Sao Paulo", "Brazil"),
        ("Lagos", "Nigeria"), ("Nairobi", "Kenya"), ("Cairo", "Egypt"), ("Mumbai", "India"),
        ("Toronto", "Canada"), ("Madrid", "Spain"), ("Milan", "Italy"), ("Warsaw", "Poland"),
        ("Oslo", "Norway"), ("Sydney", "Australia"), ("Buenos Aires", "Argentina"),
        ("Mexico City", "Mexico"), ("Cape Town", "South Africa"),
    ]
    static let numbers = ["two", "three", "five", "ten", "twenty", "40", "200", "350", "1,500"]
    /// Tense-neutral, so they fit before any template.
    static let prefixes = [
        "Meanwhile ,", "As expected ,", "According to local reports ,", "In fact ,", "By all accounts ,",
        "Once again ,", "As of {year} ,",
    ]
    static let suffixes = [
        ", analysts said", "after months of negotiations", "despite the economic downturn",
        "for the second time this year", ", sources said",
    ]
    /// Sentences without any mention; "It" here is pleonastic, a useful negative for coreference.
    static let plainSentences = [
        "The weather was cold that morning .", "Nobody expected the results to change so quickly .",
        "The meeting lasted almost three hours .", "Prices rose again in the spring .",
        "It was a difficult year for everyone .", "Several questions remain unanswered for now .",
        "The report will be published next month .", "It is not clear what will happen next .",
    ]
}

/// One participant of a demo document and every way the text may refer to it.
struct DemoEntity {
    var type: String          // PER, ORG or LOC
    var name: [String]        // full name, the first mention
    var shortName: [String]   // later named mention ("Smith", "Acme")
    var nominal: [String]     // "the engineer", "the bank", "the city"
    var pronoun: String
    var possessive: String
    var occupation: String    // persons only; empty otherwise
}

/// The participants of one document, by template role: persons A and B (B optional, of the
/// other gender so pronouns stay resolvable), organisation O based in city C of country K.
struct DemoCast {
    /// Looked up by role only; never iterated (dictionary order differs between processes).
    var members: [DemoTemplate.Role: DemoEntity]

    var roles: Set<DemoTemplate.Role> { Set(DemoTemplate.Role.allCases.filter { members[$0] != nil }) }

    init(random: inout RNG) {
        let aIsFemale = random.chance(1, in: 2)
        members = [.a: DemoCast.person(female: aIsFemale, random: &random)]
        if random.chance(3, in: 5) {
            var b = DemoCast.person(female: !aIsFemale, random: &random)
            while b.shortName == members[.a]!.shortName { b = DemoCast.person(female: !aIsFemale, random: &random) }
            members[.b] = b
        }
        let stem = random.element(of: DemoLexicon.companyStems).split(separator: " ").map(String.init)
        let kind = random.element(of: DemoLexicon.companyKinds)
        let plural = random.chance(1, in: 3)
        members[.o] = DemoEntity(type: "ORG", name: stem + [kind.suffix], shortName: stem, nominal: ["the", kind.noun],
                                 pronoun: plural ? "they" : "it", possessive: plural ? "their" : "its", occupation: "")
        let place = random.element(of: DemoLexicon.cities)
        let city = place.city.split(separator: " ").map(String.init)
        let country = place.country.split(separator: " ").map(String.init)
        members[.c] = DemoEntity(type: "LOC", name: city, shortName: city, nominal: ["the", "city"],
                                 pronoun: "it", possessive: "its", occupation: "")
        members[.k] = DemoEntity(type: "LOC", name: country, shortName: country, nominal: ["the", "country"],
                                 pronoun: "it", possessive: "its", occupation: "")
    }

    private static func person(female: Bool, random: inout RNG) -> DemoEntity {
        let first = random.element(of: female ? DemoLexicon.femaleFirstNames : DemoLexicon.maleFirstNames)
        let last = random.element(of: DemoLexicon.lastNames)
        let name = random.chance(1, in: 5) ? [first, random.element(of: DemoLexicon.initials), last] : [first, last]
        let title = female ? "Ms." : "Mr."
        let occupation = random.element(of: DemoLexicon.occupations)
        return DemoEntity(type: "PER", name: name, shortName: random.chance(1, in: 3) ? [title, last] : [last],
                          nominal: ["the", occupation], pronoun: female ? "she" : "he",
                          possessive: female ? "her" : "his", occupation: occupation)
    }
}
